//! Rust code for a reflected [`Shader`]: the items `#[wasi_webgpu::shader]`
//! puts in its module. The contract is documented on the attribute in the
//! `wasi-webgpu` crate.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::{
    BindingKind, EntryPoint, Global, Scalar, Shader, Stage, StorageAccess, StructDef, TextureSample, Type,
    ViewDimension, WorkgroupDim,
};

/// Generates the module's items. `source` is an expression of type
/// `&'static str` holding the WGSL (an `include_str!` for files, so editing
/// the file rebuilds the crate); `label` names the shader in errors.
pub fn generate(shader: &Shader, source: TokenStream, label: &str) -> TokenStream {
    let sdk = quote!(::wasi_webgpu);
    let structs = shader.structs.iter().map(|def| struct_item(shader, def));
    let overrides = overrides_items(shader);
    let computes: Vec<&EntryPoint> = shader
        .entry_points
        .iter()
        .filter(|e| e.stage == Stage::Compute)
        // Entry points using external textures get no typed API: the SDK cannot bind them.
        .filter(|e| e.globals.iter().all(|&g| !matches!(shader.globals[g].kind, BindingKind::Other(_))))
        .collect();
    let kernels = computes.iter().map(|e| kernel_items(shader, e, label));
    let vertex_layouts = shader.entry_points.iter().filter(|e| e.stage == Stage::Vertex).filter_map(vertex_items);
    let single = match computes.as_slice() {
        [only] => {
            let ty = type_ident(&only.name);
            let bindings = format_ident!("{}Bindings", ty);
            quote! {
                /// Compiles the shader's only compute entry point.
                pub async fn pipeline(device: &#sdk::Device, overrides: &Overrides) -> #sdk::Result<#ty> {
                    #ty::pipeline(device, overrides).await
                }
                /// The bindings of the shader's only compute entry point.
                pub type Bindings<'a> = #bindings<'a>;
            }
        }
        _ => quote!(),
    };
    quote! {
        /// The WGSL source, validated against WebGPU when the crate was compiled.
        pub const SOURCE: &str = #source;
        #(#structs)*
        #overrides
        #(#kernels)*
        #single
        #(#vertex_layouts)*
    }
}

/// The vertex format of a vertex input's type; `None` for types no vertex
/// format feeds (`vec3<f16>`, `bool`, ...).
fn vertex_format(ty: &Type) -> Option<(&'static str, u64)> {
    let (scalar, count) = match ty {
        Type::Scalar(s) => (*s, 1),
        Type::Vector { size, scalar } => (*scalar, *size),
        _ => return None,
    };
    Some(match (scalar, count) {
        (Scalar::F32, 1) => ("Float32", 4),
        (Scalar::F32, 2) => ("Float32x2", 8),
        (Scalar::F32, 3) => ("Float32x3", 12),
        (Scalar::F32, 4) => ("Float32x4", 16),
        (Scalar::U32, 1) => ("Uint32", 4),
        (Scalar::U32, 2) => ("Uint32x2", 8),
        (Scalar::U32, 3) => ("Uint32x3", 12),
        (Scalar::U32, 4) => ("Uint32x4", 16),
        (Scalar::I32, 1) => ("Sint32", 4),
        (Scalar::I32, 2) => ("Sint32x2", 8),
        (Scalar::I32, 3) => ("Sint32x3", 12),
        (Scalar::I32, 4) => ("Sint32x4", 16),
        (Scalar::F16, 1) => ("Float16", 2),
        (Scalar::F16, 2) => ("Float16x2", 4),
        (Scalar::F16, 4) => ("Float16x4", 8),
        _ => return None,
    })
}

/// For a vertex entry point `vs`: `VS_ATTRIBUTES`, its `@location` inputs
/// packed in location order as a `#[repr(C)]` struct of `[T; N]` fields
/// lays them out, `VS_STRIDE`, and `VS_LAYOUT`, one per-vertex buffer of
/// them. `None` when an input has no vertex format.
///
/// `VS_STRIDE` is rounded up to 4, as WebGPU requires of `arrayStride`, so
/// it can exceed `size_of` of that struct when the inputs are only `f16`
/// (`u16`) components of odd total count, e.g. one `f16` plus one
/// `vec2<f16>` (6 bytes, stride 8). Vertex data then needs that padding.
fn vertex_items(entry: &EntryPoint) -> Option<TokenStream> {
    let sdk = quote!(::wasi_webgpu);
    let mut offset = 0u64;
    let mut attributes = Vec::new();
    for input in &entry.vertex_inputs {
        let (format, size) = vertex_format(&input.ty)?;
        offset = offset.next_multiple_of(size.min(4));
        let format = format_ident!("{}", format);
        let location = input.location;
        attributes.push(quote! {
            #sdk::VertexAttribute { format: #sdk::VertexFormat::#format, offset: #offset, shader_location: #location }
        });
        offset += size;
    }
    if attributes.is_empty() {
        return None;
    }
    let stride = offset.next_multiple_of(4);
    let upper = entry.name.to_ascii_uppercase();
    let (attributes_name, stride_name, layout_name) =
        (format_ident!("{upper}_ATTRIBUTES"), format_ident!("{upper}_STRIDE"), format_ident!("{upper}_LAYOUT"));
    let count = attributes.len();
    let doc = format!(
        "The `@location` inputs of `{}`, packed in location order from offset 0 as a `#[repr(C)]` struct of \
         `[T; N]` fields (`f32`, `u32`, `i32`, `u16` for `f16`) lays them out.",
        entry.name
    );
    Some(quote! {
        #[doc = #doc]
        pub const #attributes_name: [#sdk::VertexAttribute; #count] = [#(#attributes),*];
        /// Bytes from one vertex to the next with those attributes: rounded up
        /// to 4 as WebGPU requires, so with only `f16` inputs it can exceed the
        /// `size_of` of the struct above; pad each vertex to it.
        pub const #stride_name: u64 = #stride;
        /// One per-vertex buffer holding those attributes, for `VertexState::buffers`.
        pub const #layout_name: #sdk::VertexBufferLayout<'static> = #sdk::VertexBufferLayout {
            array_stride: #stride,
            step_mode: #sdk::VertexStepMode::Vertex,
            attributes: &#attributes_name,
        };
    })
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A Rust identifier for a WGSL name, raw where the name is a Rust keyword.
fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) { Ident::new_raw(name, Span::call_site()) } else { Ident::new(name, Span::call_site()) }
}

/// `saxpy_step` → `SaxpyStep`, for the types named after an entry point.
fn type_ident(name: &str) -> Ident {
    let camel: String = name
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect::<String>()
        })
        .collect();
    Ident::new(if camel.is_empty() { "Entry" } else { &camel }, Span::call_site())
}

fn scalar(s: Scalar) -> TokenStream {
    match s {
        Scalar::F32 => quote!(f32),
        Scalar::I32 => quote!(i32),
        Scalar::U32 | Scalar::Bool => quote!(u32),
        // Rust has no stable f16; the bits travel as u16.
        Scalar::F16 => quote!(u16),
    }
}

/// The Rust type of a WGSL type. `in_array` makes `vec3` four components
/// wide, since an array element occupies its whole stride.
fn rust_type(shader: &Shader, ty: &Type, in_array: bool) -> TokenStream {
    match ty {
        Type::Scalar(s) | Type::Atomic(s) => scalar(*s),
        Type::Vector { size, scalar: s } => {
            let n = Literal::usize_unsuffixed(if *size == 3 && in_array { 4 } else { usize::from(*size) });
            let s = scalar(*s);
            quote!([#s; #n])
        }
        Type::Matrix { columns, rows, scalar: s } => {
            // A column is a vecR whose stride rounds vec3 up to vec4.
            let r = Literal::usize_unsuffixed(if *rows == 3 { 4 } else { usize::from(*rows) });
            let c = Literal::usize_unsuffixed(usize::from(*columns));
            let s = scalar(*s);
            quote!([[#s; #r]; #c])
        }
        Type::Array { element, length: Some(n), .. } => {
            let e = rust_type(shader, element, true);
            let n = Literal::u32_unsuffixed(*n);
            quote!([#e; #n])
        }
        // A runtime-sized array is bound as a buffer of its elements.
        Type::Array { element, length: None, .. } => rust_type(shader, element, true),
        Type::Struct(index) => {
            let name = ident(&shader.structs[*index].name);
            quote!(#name)
        }
        Type::Other(_) => quote!(()),
    }
}

/// A `#[repr(C)]` struct with explicit padding, so its bytes are exactly
/// the WGSL layout and it can be `Pod`. A trailing runtime-sized array is
/// left out: the struct is the fixed part before it.
fn struct_item(shader: &Shader, def: &StructDef) -> TokenStream {
    let sdk = quote!(::wasi_webgpu);
    let name = ident(&def.name);
    let mut fields = Vec::new();
    let mut checks = Vec::new();
    let mut at = 0u32;
    let mut pad = 0u32;
    let mut end = def.size;
    for member in &def.members {
        if matches!(member.ty, Type::Array { length: None, .. }) {
            end = member.offset;
            break;
        }
        if member.offset > at {
            let gap = Literal::u32_unsuffixed(member.offset - at);
            let pad_name = format_ident!("_pad{}", pad);
            pad += 1;
            fields.push(quote!(#[doc(hidden)] pub #pad_name: [u8; #gap]));
        }
        let field = ident(&member.name);
        let ty = rust_type(shader, &member.ty, false);
        let offset = Literal::u32_unsuffixed(member.offset);
        let doc = format!("WGSL `{}` at byte offset {}.", member.name, member.offset);
        fields.push(quote!(#[doc = #doc] pub #field: #ty));
        checks.push(quote!(assert!(::core::mem::offset_of!(#name, #field) == #offset);));
        at = member.offset + member.ty.size_align(&shader.structs).0;
    }
    if end > at {
        let gap = Literal::u32_unsuffixed(end - at);
        let pad_name = format_ident!("_pad{}", pad);
        fields.push(quote!(#[doc(hidden)] pub #pad_name: [u8; #gap]));
    }
    let size = Literal::u32_unsuffixed(end);
    let doc = format!("The WGSL struct `{}`, {} bytes, laid out as WGSL lays it out.", def.name, end);
    quote! {
        #[doc = #doc]
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct #name { #(#fields,)* }

        // The fields are Pod and the explicit padding leaves no implicit
        // padding, which the size check below proves.
        unsafe impl #sdk::__private::bytemuck::Zeroable for #name {}
        unsafe impl #sdk::__private::bytemuck::Pod for #name {}

        impl ::core::default::Default for #name {
            fn default() -> Self {
                #sdk::__private::bytemuck::Zeroable::zeroed()
            }
        }

        const _: () = {
            assert!(::core::mem::size_of::<#name>() == #size);
            #(#checks)*
        };
    }
}

fn overrides_items(shader: &Shader) -> TokenStream {
    let sdk = quote!(::wasi_webgpu);
    let fields = shader.overrides.iter().map(|o| {
        let name = ident(&o.name);
        let ty = match o.ty {
            Scalar::Bool => quote!(bool),
            Scalar::F16 => quote!(f32),
            other => scalar(other),
        };
        let doc = match &o.initializer {
            Some(init) => format!("`override {}`; `None` keeps the shader's default, `{init}`.", o.name),
            None => format!("`override {}`, which has no default: set it.", o.name),
        };
        quote!(#[doc = #doc] pub #name: ::core::option::Option<#ty>)
    });
    let values = shader.overrides.iter().map(|o| {
        let name = ident(&o.name);
        match o.ty {
            Scalar::Bool => quote!(self.#name.map(|v| if v { 1.0 } else { 0.0 })),
            _ => quote!(self.#name.map(|v| v as f64)),
        }
    });
    let count = Literal::usize_unsuffixed(shader.overrides.len());
    let specs = shader.overrides.iter().map(|o| {
        let name = &o.name;
        let key = o.id.map_or_else(|| o.name.clone(), |id| id.to_string());
        let default = match o.default {
            Some(d) => quote!(::core::option::Option::Some(#d)),
            None => quote!(::core::option::Option::None),
        };
        let has_default = o.initializer.is_some();
        quote!(#sdk::__private::OverrideSpec { name: #name, key: #key, default: #default, has_default: #has_default })
    });
    quote! {
        /// Values for the shader's `override` declarations.
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct Overrides { #(#fields,)* }

        impl Overrides {
            #[doc(hidden)]
            pub fn values(&self) -> [::core::option::Option<f64>; #count] {
                [#(#values),*]
            }
        }

        const OVERRIDES: &[#sdk::__private::OverrideSpec] = &[#(#specs),*];
    }
}

fn kernel_items(shader: &Shader, entry: &EntryPoint, label: &str) -> TokenStream {
    let sdk = quote!(::wasi_webgpu);
    let ty = type_ident(&entry.name);
    let bindings = format_ident!("{}Bindings", ty);
    let bound = format_ident!("{}Bound", ty);
    let entry_name = &entry.name;
    let globals: Vec<_> = entry.globals.iter().map(|&g| &shader.globals[g]).collect();

    let group_count = globals.iter().map(|g| g.group + 1).max().unwrap_or(0);
    let mut layout_groups = Vec::new();
    let mut bind_groups = Vec::new();
    for group in 0..group_count {
        let members: Vec<_> = globals.iter().filter(|g| g.group == group).collect();
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
            let element = rust_type(shader, &g.ty, false);
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
            pub struct #bindings<'a>(pub ::core::marker::PhantomData<&'a ()>);
        }
    } else {
        quote!(#[derive(Clone, Copy)] pub struct #bindings<'a> { #(#fields,)* })
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
            let name = format_ident!("{}_WORKGROUP_SIZE", entry.name.to_ascii_uppercase());
            let doc = format!("`@workgroup_size` of `{}`.", entry.name);
            quote!(#[doc = #doc] pub const #name: [u32; 3] = [#x, #y, #z];)
        }
        _ => quote!(),
    };
    let doc = format!("The compute entry point `{entry_name}`, compiled: dispatch it with typed bindings.");
    let bindings_doc = format!("What `{entry_name}` binds, one field per global it uses.");
    let bound_doc = format!("Bind groups of `{entry_name}`, made once by `{ty}::bind` for repeated dispatches.");

    quote! {
        #fixed_size

        #[doc = #bindings_doc]
        #bindings_struct

        #[doc = #bound_doc]
        #[derive(Clone)]
        pub struct #bound(::std::vec::Vec<#sdk::BindGroup>);

        #[doc = #doc]
        #[derive(Clone)]
        pub struct #ty(#sdk::__private::Kernel);

        impl #ty {
            const SPEC: #sdk::__private::KernelSpec = #sdk::__private::KernelSpec {
                label: #label,
                source: SOURCE,
                entry_point: #entry_name,
                groups: &[#(#layout_groups),*],
                workgroup_size: [#(#dims),*],
                overrides: OVERRIDES,
            };

            /// Compiles the entry point with `overrides`. Fails when an
            /// override without a default is unset, or when the resolved
            /// workgroup size breaks a device limit.
            pub async fn pipeline(device: &#sdk::Device, overrides: &Overrides) -> #sdk::Result<Self> {
                #sdk::__private::Kernel::new(device, &Self::SPEC, &overrides.values()).await.map(Self)
            }

            /// The workgroup size, with the overrides applied.
            pub fn workgroup_size(&self) -> [u32; 3] {
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
            pub fn bind(&self, device: &#sdk::Device, bindings: &#bindings<'_>) -> #sdk::Result<#bound> {
                let _ = bindings;
                self.0.bind(device, &[#(#bind_groups),*]).map(#bound)
            }

            /// Binds `bindings` and dispatches enough workgroups to run one
            /// invocation per thread. Fails when a workgroup count exceeds
            /// `maxComputeWorkgroupsPerDimension`.
            pub fn dispatch(
                &self,
                pass: &mut #sdk::ComputePass<'_>,
                bindings: &#bindings<'_>,
                threads: impl ::core::convert::Into<#sdk::Threads>,
            ) -> #sdk::Result<()> {
                let bound = self.bind(&pass.device(), bindings)?;
                self.dispatch_bound(pass, &bound, threads)
            }

            /// Dispatches with bind groups made by `bind`.
            pub fn dispatch_bound(
                &self,
                pass: &mut #sdk::ComputePass<'_>,
                bound: &#bound,
                threads: impl ::core::convert::Into<#sdk::Threads>,
            ) -> #sdk::Result<()> {
                self.0.dispatch(pass, &bound.0, threads.into())
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
    let sdk = quote!(::wasi_webgpu);
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
    let sdk = quote!(::wasi_webgpu);
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
