//! The vertex buffer layout of a vertex entry point's `@location` inputs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::VertexNames;
use super::{primitive, sdk};
use crate::{EntryPoint, Scalar, Type};

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
pub(crate) fn vertex_items(entry: &EntryPoint, names: &VertexNames) -> Option<TokenStream> {
    let sdk = sdk();
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
    let (attributes_name, stride_name, layout_name) = (&names.attributes, &names.stride, &names.layout);
    let u64_ = primitive("u64");
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
        pub const #stride_name: #u64_ = #stride;
        /// One per-vertex buffer holding those attributes, for `VertexState::buffers`.
        pub const #layout_name: #sdk::VertexBufferLayout<'static> = #sdk::VertexBufferLayout {
            array_stride: #stride,
            step_mode: #sdk::VertexStepMode::Vertex,
            attributes: &#attributes_name,
        };
    })
}
