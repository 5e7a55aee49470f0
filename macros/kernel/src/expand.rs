//! The module a kernel expands to: `WGSL`, `WORKGROUP_SIZE`, `launch` and `dispatch` (GPU or CPU
//! device) and the CPU translation.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use syn::ItemFn;
use wasi_webgpu_shader::layout::StructLayout;

use crate::cpu::{self, Cpu, rust_ty, scalar_ty};
use crate::ir::*;
use crate::wgsl;

/// Layout of the uniform block: (parameter index, byte offset), and the block's size.
fn uniform_layout(kernel: &Kernel) -> (Vec<(usize, u32)>, u32) {
    let mut layout = StructLayout::new();
    // A WGSL struct of scalars and vectors aligns to at least 4.
    layout.push(0, 4);
    let mut members = Vec::new();
    for (i, p) in kernel.params.iter().enumerate() {
        let ParamKind::Value(ty) = &p.kind else { continue };
        let (size, align) = wgsl::uniform_member_ty(ty).size_align();
        members.push((i, layout.push(size, align)));
    }
    (members, layout.finish().size)
}

/// Whether a value parameter was written `usize`/`isize`: `launch` then takes that type.
fn written_pointer_sized(p: &Param) -> Option<TokenStream> {
    let syn::Type::Path(tp) = &p.rust_ty else { return None };
    let last = tp.path.segments.last()?.ident.to_string();
    match last.as_str() {
        "usize" => Some(quote!(usize)),
        "isize" => Some(quote!(isize)),
        _ => None,
    }
}

pub fn module(func: &ItemFn, kernel: &Kernel, wgsl_source: &str, generic: bool) -> TokenStream {
    let sdk = quote!(::wasi_webgpu);
    let rt = cpu::rt();
    let name = &func.sig.ident;
    let vis = &func.vis;
    let label = name.to_string();
    let [x, y, z] = kernel.workgroup_size;
    let (slots, uniform_binding) = wgsl::bindings(kernel);
    let (members, uniform_size) = uniform_layout(kernel);

    // `launch`'s parameters and what the GPU and CPU paths make of them.
    let mut launch_params = Vec::new();
    let mut gpu_buffers = Vec::new();
    let mut layout_entries = Vec::new();
    let mut cpu_setup = Vec::new();
    let mut cpu_args = Vec::new();
    let mut buffer_names = Vec::new();
    // Every parameter, as `launch` and `dispatch` pass it on; and how the CPU `dispatch` turns its own handles
    // to the buffers back into the references `__run_cpu` takes.
    let mut arg_names = Vec::new();
    let mut owned = Vec::new();
    let mut reborrow = Vec::new();
    for (p, slot) in kernel.params.iter().zip(&slots) {
        let pname = format_ident!("{}", p.name);
        arg_names.push(pname.clone());
        match &p.kind {
            ParamKind::Value(ty) => {
                let written = written_pointer_sized(p);
                let t = written.clone().unwrap_or_else(|| rust_ty(ty));
                launch_params.push(quote!(#pname: #t));
                // Only `usize`/`isize` need converting (and `as` does not apply to `F16` or vectors).
                if written.is_some() {
                    let converted = rust_ty(ty);
                    cpu_setup.push(quote!(let #pname = #pname as #converted;));
                }
                cpu_args.push(quote!(#pname));
            }
            ParamKind::Slice(_) | ParamKind::SliceMut(_) | ParamKind::Atomics(_) => {
                let (elem, writable, read_only) = match &p.kind {
                    ParamKind::Slice(e) => (rust_ty(e), false, true),
                    ParamKind::SliceMut(e) => (rust_ty(e), true, false),
                    ParamKind::Atomics(s) => (scalar_ty(*s), true, false),
                    ParamKind::Value(_) => unreachable!("matched above"),
                };
                owned.push(quote!(let #pname = ::core::clone::Clone::clone(#pname);));
                if writable {
                    reborrow.push(quote! {
                        let mut #pname = ::core::clone::Clone::clone(&#pname);
                        let #pname = &mut #pname;
                    });
                    launch_params.push(quote!(#pname: &mut #sdk::Buffer<#elem>));
                    cpu_setup.push(quote! {
                        let mut #pname = #rt::cpu_slice_mut(device, #pname)?;
                        let #pname: &[::core::cell::Cell<#elem>] =
                            ::core::cell::Cell::from_mut(&mut *#pname).as_slice_of_cells();
                    });
                    cpu_args.push(quote!(#pname));
                } else {
                    reborrow.push(quote!(let #pname = &#pname;));
                    launch_params.push(quote!(#pname: &#sdk::Buffer<#elem>));
                    cpu_setup.push(quote!(let #pname = #rt::cpu_slice(device, #pname)?;));
                    cpu_args.push(quote!(&*#pname));
                }
                gpu_buffers.push(quote!(#pname.as_entire_binding()));
                buffer_names.push(p.name.to_string());
                let binding = slot.expect("buffers have a binding");
                let (size, _) = match &p.kind {
                    ParamKind::Slice(t) | ParamKind::SliceMut(t) => t.size_align(),
                    ParamKind::Atomics(s) | ParamKind::Value(Ty::Scalar(s)) => Ty::Scalar(*s).size_align(),
                    ParamKind::Value(_) => (4, 4),
                };
                let min = u64::from(size);
                layout_entries.push(quote! {
                    #sdk::BindGroupLayoutEntry {
                        binding: #binding,
                        visibility: #sdk::ShaderStages::COMPUTE,
                        ty: #sdk::BindingType::Buffer {
                            ty: #sdk::BufferBindingType::Storage { read_only: #read_only },
                            has_dynamic_offset: false,
                            min_binding_size: ::core::num::NonZeroU64::new(#min),
                        },
                    }
                });
            }
        }
    }
    if let Some(binding) = uniform_binding {
        let min = u64::from(uniform_size);
        layout_entries.push(quote! {
            #sdk::BindGroupLayoutEntry {
                binding: #binding,
                visibility: #sdk::ShaderStages::COMPUTE,
                ty: #sdk::BindingType::Buffer {
                    ty: #sdk::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: ::core::num::NonZeroU64::new(#min),
                },
            }
        });
    }

    // The uniform block's bytes, WGSL layout, little-endian like every WebGPU device.
    let size_lit = Literal::usize_unsuffixed(uniform_size as usize);
    let writes = members.iter().map(|(i, offset)| {
        let p = &kernel.params[*i];
        let pname = format_ident!("{}", p.name);
        let ParamKind::Value(ty) = &p.kind else { unreachable!("members are values") };
        let store = |value: TokenStream, s: Scalar, at: u32| {
            let at = at as usize;
            let value = match s {
                Scalar::Bool => quote!(u32::from(#value)),
                Scalar::F16 => quote!(#sdk::F16::to_bits(#value)),
                other => {
                    let t = scalar_ty(other);
                    quote!((#value as #t))
                }
            };
            let len = if s == Scalar::F16 { 2usize } else { 4 };
            let end = at + len;
            quote!(__uniforms[#at..#end].copy_from_slice(&#value.to_le_bytes());)
        };
        match ty {
            Ty::Scalar(s) => store(quote!(#pname), *s, *offset),
            Ty::Vector(n, s) => {
                let parts = ["x", "y", "z", "w"][..usize::from(*n)].iter().enumerate().map(|(k, c)| {
                    let c = format_ident!("{}", c);
                    store(quote!(#pname.#c), *s, offset + k as u32 * s.size())
                });
                quote!(#(#parts)*)
            }
            _ => unreachable!("uniform members are scalars or vectors"),
        }
    });
    let uniforms = if uniform_binding.is_some() {
        quote! {
            let mut __uniforms = [0u8; #size_lit];
            #(#writes)*
        }
    } else {
        quote!(let __uniforms: [u8; 0] = [];)
    };

    // What errors call the launch or dispatch: the path the user wrote, not the bind group the SDK makes.
    let (launch_call, dispatch_call) = (format!("{label}::launch"), format!("{label}::dispatch"));
    // The CPU device runs f16 through `F16`, which rounds like WGSL; a GPU device needs `shader-f16`, checked
    // here rather than left to the host, which would only report the `enable f16;` as an untyped shader error.
    let f16_check = |call: &str| {
        if kernel.uses_f16 {
            quote! {
                if !device.features().contains(#sdk::Features::SHADER_F16) {
                    return ::core::result::Result::Err(#sdk::Error::MissingFeature {
                        feature: "shader-f16",
                        operation: #call,
                    });
                }
            }
        } else {
            TokenStream::new()
        }
    };
    let (launch_f16, dispatch_f16) = (f16_check(&launch_call), f16_check(&dispatch_call));
    let cpu_run = if kernel.shared.is_empty() && !kernel.uses_barrier {
        quote!(#rt::for_each_invocation(device, WORKGROUP_SIZE, threads, |__inv| __cpu(*__inv, #(#cpu_args),*)))
    } else if kernel.uses_barrier {
        quote!(#rt::for_each_workgroup(device, WORKGROUP_SIZE, threads, |__wg| {
            let __shared = __Shared::new();
            #rt::lockstep(__wg.invocations().map(|__inv| __cpu(__inv, &__shared, #(#cpu_args),*)))
        }))
    } else {
        quote!(#rt::for_each_workgroup(device, WORKGROUP_SIZE, threads, |__wg| {
            let __shared = __Shared::new();
            for __inv in __wg.invocations() {
                __cpu(__inv, &__shared, #(#cpu_args),*);
            }
        }))
    };
    let cpu_fn = Cpu::new(kernel).entry();

    let doc_module = format!(
        "The `#[wasi_webgpu::kernel]` `{label}`: its WGSL, workgroup size, `launch` (runs by itself) and \
         `dispatch` (records into your compute pass).{}",
        if generic { " One instance of a generic kernel." } else { "" }
    );
    let doc_launch = format!(
        "Runs `{label}` by itself on `device`, with one invocation per thread of `threads`, a thread count, not \
         a workgroup count (`Threads::x(n)`, `Threads::xy(w, h)`, `Threads::xyz(w, h, d)`; rounded up to whole \
         workgroups of {x}×{y}×{z}): on a GPU device as one compute pass of its own, submitted before this \
         returns; on the CPU device directly on the buffers' memory. Errors name `{label}::launch` and the \
         parameter. To record it with other work instead, `dispatch` into your own pass."
    );
    let doc_dispatch = format!(
        "Records `{label}` into `pass`, the same arguments in the same order as `launch`: one invocation per \
         thread of `threads` (workgroups of {x}×{y}×{z}), run when the pass's command buffer is submitted, in \
         order with the encoder's other work. `async` only because the kernel compiles on its first use on a \
         device (cached after that). On the CPU device, whose passes cannot hold GPU work, the kernel's CPU \
         translation is recorded into the encoder instead and runs at `Queue::submit`, in the same order, on the \
         buffers as they are then. Errors, from the same checks as `launch`, name `{label}::dispatch` and the \
         parameter."
    );
    quote! {
        #[doc = #doc_module]
        #[allow(clippy::all, non_snake_case)]
        #vis mod #name {
            /// The generated WGSL, as validated at compile time.
            pub const WGSL: &str = #wgsl_source;
            /// `@workgroup_size`.
            pub const WORKGROUP_SIZE: [u32; 3] = [#x, #y, #z];

            static __SPEC: #sdk::__private::KernelSpec = #sdk::__private::KernelSpec {
                label: #label,
                source: WGSL,
                entry_point: "main",
                groups: &[&[#(#layout_entries),*]],
                names: &[&[#(#buffer_names),*]],
                workgroup_size: [
                    #sdk::__private::WorkgroupDim::Fixed(#x),
                    #sdk::__private::WorkgroupDim::Fixed(#y),
                    #sdk::__private::WorkgroupDim::Fixed(#z),
                ],
                overrides: &[],
            };

            #[doc = #doc_launch]
            pub async fn launch(
                device: &#sdk::Device,
                #(#launch_params,)*
                threads: #sdk::Threads,
            ) -> #sdk::Result<()> {
                #rt::check_launch(device, &__SPEC, #launch_call, &[#(#gpu_buffers),*])?;
                #rt::launch(
                    device,
                    (#(#arg_names,)* threads),
                    |(#(#arg_names,)* threads)| __run_cpu(device, #(#arg_names,)* threads),
                    |(#(#arg_names,)* threads)| async move {
                        #launch_f16
                        #uniforms
                        #rt::launch_gpu(device, &__SPEC, #launch_call, &__uniforms, &[#(#gpu_buffers),*], threads)
                            .await
                    },
                )
                .await
            }

            #[doc = #doc_dispatch]
            pub async fn dispatch(
                pass: &mut #sdk::ComputePass<'_>,
                #(#launch_params,)*
                threads: #sdk::Threads,
            ) -> #sdk::Result<()> {
                let device = &pass.device();
                #rt::check_launch(device, &__SPEC, #dispatch_call, &[#(#gpu_buffers),*])?;
                #rt::dispatch(
                    pass,
                    (#(#arg_names,)* threads),
                    |pass, (#(#arg_names,)* threads)| {
                        let __buffers = [#(#gpu_buffers),*];
                        #(#owned)*
                        #rt::record_cpu(pass, &__buffers, move |device| {
                            #(#reborrow)*
                            __run_cpu(device, #(#arg_names,)* threads)
                        })
                    },
                    |pass, (#(#arg_names,)* threads)| async move {
                        #dispatch_f16
                        #uniforms
                        #rt::dispatch_gpu(pass, &__SPEC, #dispatch_call, &__uniforms, &[#(#gpu_buffers),*], threads)
                            .await
                    },
                )
                .await
            }

            /// The CPU device's run of the kernel, at `launch` or at the submit of a `dispatch`.
            fn __run_cpu(
                device: &#sdk::Device,
                #(#launch_params,)*
                threads: #sdk::Threads,
            ) -> #sdk::Result<()> {
                #(#cpu_setup)*
                #cpu_run
            }

            #cpu_fn
        }
    }
}
