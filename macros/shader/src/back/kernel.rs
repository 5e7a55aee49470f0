//! A compute entry point's items: its bindings struct, bind groups, and
//! pipeline type with `pipeline`, `bind`, `dispatch` (into the caller's pass) and `launch` (by itself).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::names::Names;
use super::{ident, primitive, sdk, types};
use crate::{BindingKind, EntryPoint, Global, Shader, StorageAccess, TextureSample, ViewDimension, WorkgroupDim};

pub(crate) fn kernel_items(shader: &Shader, entry: &EntryPoint, label: &str, names: &Names) -> TokenStream {
    let sdk = sdk();
    let own = names.entry(&entry.name);
    let (ty, bindings, bound) = (&own.kernel, &own.bindings, &own.bound);
    let (overrides_ty, source) = (&names.overrides, &names.source);
    let overrides_specs = &names.override_specs;
    let entry_name = &entry.name;
    let globals: Vec<_> = entry.globals.iter().map(|&g| &shader.globals[g]).collect();

    let group_count = globals.iter().map(|g| g.group + 1).max().unwrap_or(0);
    let mut layout_groups = Vec::new();
    let mut bind_groups = Vec::new();
    let mut group_names = Vec::new();
    for group in 0..group_count {
        let members: Vec<_> = globals.iter().filter(|g| g.group == group).collect();
        let names = members.iter().map(|g| g.name.as_str());
        group_names.push(quote!(&[#(#names),*]));
        let layout_entries = members.iter().map(|g| {
            if let Some(entry) = texture_layout_entry(g) {
                return entry;
            }
            let binding = g.binding;
            let kind = match g.kind {
                BindingKind::Uniform => quote!(#sdk::BufferBindingType::Uniform),
                BindingKind::Storage { read_only } => {
                    quote!(#sdk::BufferBindingType::Storage { read_only: #read_only })
                }
                _ => unreachable_kind(),
            };
            let min = g.min_binding_size;
            quote! {
                #sdk::BindGroupLayoutEntry {
                    binding: #binding,
                    visibility: #sdk::ShaderStages::COMPUTE,
                    ty: #sdk::BindingType::Buffer {
                        ty: #kind,
                        has_dynamic_offset: false,
                        min_binding_size: ::core::num::NonZeroU64::new(#min),
                    },
                }
            }
        });
        layout_groups.push(quote!(&[#(#layout_entries),*]));
        let entries = members.iter().map(|g| {
            let binding = g.binding;
            let field = ident(&g.name);
            let resource = match g.kind {
                BindingKind::Texture { .. } | BindingKind::StorageTexture { .. } => {
                    quote!(#sdk::BindingResource::TextureView(bindings.#field))
                }
                BindingKind::Sampler { .. } => quote!(#sdk::BindingResource::Sampler(bindings.#field)),
                _ => quote!(bindings.#field.resource()),
            };
            quote!(#sdk::BindGroupEntry { binding: #binding, resource: #resource })
        });
        bind_groups.push(quote!(&[#(#entries),*]));
    }

    let fields: Vec<TokenStream> = globals
        .iter()
        .map(|g| {
            let field = ident(&g.name);
            if let Some((ty, doc)) = texture_field(g) {
                return quote!(#[doc = #doc] pub #field: &'a #sdk::#ty);
            }
            let element = types::binding_element(shader, &g.ty);
            let wrapper = match g.kind {
                BindingKind::Uniform => quote!(Uniform),
                BindingKind::Storage { read_only: true } => quote!(Storage),
                _ => quote!(StorageMut),
            };
            let doc = format!("`@group({}) @binding({})` `{}`.", g.group, g.binding, g.name);
            quote!(#[doc = #doc] pub #field: #sdk::#wrapper<'a, #element>)
        })
        .collect();
    let bindings_struct = if fields.is_empty() {
        quote! {
            #[derive(Clone, Copy, Debug, Default)]
            #[allow(non_camel_case_types, non_snake_case)]
            pub struct #bindings<'a>(pub ::core::marker::PhantomData<&'a ()>);
        }
    } else {
        quote!(#[allow(non_camel_case_types, non_snake_case)] #[derive(Clone, Copy)] pub struct #bindings<'a> { #(#fields,)* })
    };

    let dims = entry.workgroup_size.iter().map(|dim| match dim {
        WorkgroupDim::Fixed(n) => quote!(#sdk::__private::WorkgroupDim::Fixed(#n)),
        WorkgroupDim::Override { name } => {
            quote!(#sdk::__private::WorkgroupDim::Expression(#name, #sdk::__private::eval_dim))
        }
        WorkgroupDim::Expression { wgsl, .. } => {
            quote!(#sdk::__private::WorkgroupDim::Expression(#wgsl, #sdk::__private::eval_dim))
        }
    });
    let fixed_size = match entry.workgroup_size {
        [WorkgroupDim::Fixed(x), WorkgroupDim::Fixed(y), WorkgroupDim::Fixed(z)] => {
            let name = &own.workgroup_size;
            let doc = format!("`@workgroup_size` of `{}`.", entry.name);
            let u32_ = primitive("u32");
            quote!(#[doc = #doc] pub const #name: [#u32_; 3] = [#x, #y, #z];)
        }
        _ => quote!(),
    };
    let u32_ = primitive("u32");
    let str_ = primitive("str");
    // What errors call the user's call: the generated method, not the bind group it makes.
    let (bind_call, dispatch_call, launch_call) =
        (format!("{label}::{ty}::bind"), format!("{label}::{ty}::dispatch"), format!("{label}::{ty}::launch"));
    let doc = format!("The compute entry point `{entry_name}`, compiled: dispatch it with typed bindings.");
    let bindings_doc = format!("What `{entry_name}` binds, one field per global it uses.");
    let bound_doc = format!("Bind groups of `{entry_name}`, made once by `{ty}::bind` for repeated dispatches.");

    quote! {
        #fixed_size

        #[doc = #bindings_doc]
        #bindings_struct

        #[doc = #bound_doc]
        #[derive(Clone)]
        #[allow(non_camel_case_types, non_snake_case)]
        pub struct #bound(::std::vec::Vec<#sdk::BindGroup>);

        #[doc = #doc]
        #[derive(Clone)]
        #[allow(non_camel_case_types, non_snake_case)]
        pub struct #ty(#sdk::__private::Kernel);

        impl #ty {
            const SPEC: #sdk::__private::KernelSpec = #sdk::__private::KernelSpec {
                label: #label,
                source: #source,
                entry_point: #entry_name,
                groups: &[#(#layout_groups),*],
                names: &[#(#group_names),*],
                workgroup_size: [#(#dims),*],
                overrides: #overrides_specs,
            };

            /// Compiles the entry point with `overrides`. Fails when an
            /// override without a default is unset, or when the resolved
            /// workgroup size breaks a device limit.
            pub async fn pipeline(device: &#sdk::Device, overrides: &#overrides_ty) -> #sdk::Result<Self> {
                #sdk::__private::Kernel::new(device, &Self::SPEC, &overrides.values()).await.map(Self)
            }

            /// The workgroup size, with the overrides applied.
            pub fn workgroup_size(&self) -> [#u32_; 3] {
                self.0.workgroup_size()
            }

            /// The compiled pipeline.
            pub fn compute_pipeline(&self) -> &#sdk::ComputePipeline {
                self.0.compute_pipeline()
            }

            /// The bind group layouts, by `@group` index.
            pub fn bind_group_layouts(&self) -> &[#sdk::BindGroupLayout] {
                self.0.bind_group_layouts()
            }

            /// Makes the bind groups for `bindings`, to dispatch many times.
            /// Errors name this call and the WGSL variable of the binding.
            pub fn bind(&self, device: &#sdk::Device, bindings: &#bindings<'_>) -> #sdk::Result<#bound> {
                self.bind_for(device, bindings, #bind_call, false)
            }

            fn bind_for(
                &self,
                device: &#sdk::Device,
                bindings: &#bindings<'_>,
                call: &'static #str_,
                dispatch: bool,
            ) -> #sdk::Result<#bound> {
                let _ = bindings;
                self.0.bind(device, call, dispatch, &[#(#bind_groups),*]).map(#bound)
            }

            /// Records the entry point into `pass`, the caller's: binds
            /// `bindings` and dispatches enough workgroups to run one
            /// invocation per thread of `threads`, a thread count, not a
            /// workgroup count: `Threads::x(n)` for `n` elements,
            /// `Threads::xy(width, height)` for an image. Errors name this
            /// call and the WGSL variable of the binding; a workgroup count
            /// over `maxComputeWorkgroupsPerDimension` is an error too.
            pub fn dispatch(
                &self,
                pass: &mut #sdk::ComputePass<'_>,
                bindings: &#bindings<'_>,
                threads: #sdk::Threads,
            ) -> #sdk::Result<()> {
                let bound = self.bind_for(&pass.device(), bindings, #dispatch_call, true)?;
                self.dispatch_bound(pass, &bound, threads)
            }

            /// Runs the entry point by itself: binds `bindings` and dispatches
            /// it like `dispatch`, the same arguments in the same order, in a
            /// compute pass of its own on a new encoder, submitted to
            /// `device`'s queue before this returns. Errors name this call and
            /// the WGSL variable of the binding. To record it with other work
            /// instead, `dispatch` into your own pass.
            pub async fn launch(
                &self,
                device: &#sdk::Device,
                bindings: &#bindings<'_>,
                threads: #sdk::Threads,
            ) -> #sdk::Result<()> {
                let bound = self.bind_for(device, bindings, #launch_call, true)?;
                self.0.run(device, &bound.0, threads).await
            }

            /// Dispatches with bind groups made by `bind`, one invocation
            /// per thread of `threads` (see `dispatch`).
            pub fn dispatch_bound(
                &self,
                pass: &mut #sdk::ComputePass<'_>,
                bound: &#bound,
                threads: #sdk::Threads,
            ) -> #sdk::Result<()> {
                self.0.dispatch(pass, &bound.0, threads)
            }
        }
    }
}

/// Entry points with texture or sampler globals are filtered out before
/// code generation, so this never runs; it yields a token that would not
/// compile rather than panicking in the macro.
fn unreachable_kind() -> TokenStream {
    quote!(compile_error!("wasi-webgpu: a texture or sampler binding reached buffer code generation"))
}

fn view_dimension(dimension: ViewDimension) -> TokenStream {
    let sdk = sdk();
    let variant = match dimension {
        ViewDimension::D1 => quote!(D1),
        ViewDimension::D2 => quote!(D2),
        ViewDimension::D2Array => quote!(D2Array),
        ViewDimension::Cube => quote!(Cube),
        ViewDimension::CubeArray => quote!(CubeArray),
        ViewDimension::D3 => quote!(D3),
    };
    quote!(#sdk::TextureViewDimension::#variant)
}

/// `rgba8unorm` → `Rgba8Unorm`, `rg11b10ufloat` → `Rg11b10Ufloat`: the SDK's
/// `TextureFormat` variant for a WGSL storage format.
fn format_variant(name: &str) -> Ident {
    const SUFFIXES: [&str; 6] = ["ufloat", "unorm", "snorm", "float", "uint", "sint"];
    let capitalize = |s: &str| {
        let mut chars = s.chars();
        chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect::<String>()
    };
    let camel = match SUFFIXES.iter().find(|suffix| name.ends_with(*suffix)) {
        Some(suffix) => capitalize(&name[..name.len() - suffix.len()]) + &capitalize(suffix),
        None => capitalize(name),
    };
    Ident::new(&camel, Span::call_site())
}

/// The layout entry of a texture, storage texture or sampler global.
fn texture_layout_entry(g: &Global) -> Option<TokenStream> {
    let sdk = sdk();
    let binding = g.binding;
    let ty = match &g.kind {
        BindingKind::Texture { sample, dimension, multisampled } => {
            let sample_type = match sample {
                TextureSample::FilterableFloat => quote!(#sdk::TextureSampleType::Float { filterable: true }),
                TextureSample::UnfilterableFloat => quote!(#sdk::TextureSampleType::Float { filterable: false }),
                TextureSample::Depth => quote!(#sdk::TextureSampleType::Depth),
                TextureSample::Sint => quote!(#sdk::TextureSampleType::Sint),
                TextureSample::Uint => quote!(#sdk::TextureSampleType::Uint),
            };
            let view_dimension = view_dimension(*dimension);
            quote!(#sdk::BindingType::Texture {
                sample_type: #sample_type,
                view_dimension: #view_dimension,
                multisampled: #multisampled,
            })
        }
        BindingKind::StorageTexture { format, access, dimension } => {
            let access = match access {
                StorageAccess::Read => quote!(ReadOnly),
                StorageAccess::Write => quote!(WriteOnly),
                StorageAccess::ReadWrite => quote!(ReadWrite),
            };
            let format = format_variant(format);
            let view_dimension = view_dimension(*dimension);
            quote!(#sdk::BindingType::StorageTexture {
                access: #sdk::StorageTextureAccess::#access,
                format: #sdk::TextureFormat::#format,
                view_dimension: #view_dimension,
            })
        }
        BindingKind::Sampler { comparison } => {
            let ty = if *comparison { quote!(Comparison) } else { quote!(Filtering) };
            quote!(#sdk::BindingType::Sampler(#sdk::SamplerBindingType::#ty))
        }
        _ => return None,
    };
    Some(quote!(#sdk::BindGroupLayoutEntry { binding: #binding, visibility: #sdk::ShaderStages::COMPUTE, ty: #ty }))
}

/// The bindings field type of a texture, storage texture or sampler global,
/// with its documentation.
fn texture_field(g: &Global) -> Option<(TokenStream, String)> {
    let at = format!("`@group({}) @binding({})` `{}`", g.group, g.binding, g.name);
    match &g.kind {
        BindingKind::Texture { sample, dimension, multisampled } => {
            let doc = format!(
                "{at}: a {dimension:?} texture view{} of {sample:?} texels, with TEXTURE_BINDING usage.",
                if *multisampled { ", multisampled," } else { "" }
            );
            Some((quote!(TextureView), doc))
        }
        BindingKind::StorageTexture { format, access, dimension } => {
            let doc = format!(
                "{at}: a {dimension:?} `{format}` texture view with one mip level and STORAGE_BINDING usage, \
                 accessed {access:?}."
            );
            Some((quote!(TextureView), doc))
        }
        BindingKind::Sampler { comparison } => {
            let doc = format!("{at}: a {}sampler.", if *comparison { "comparison " } else { "" });
            Some((quote!(Sampler), doc))
        }
        _ => None,
    }
}
