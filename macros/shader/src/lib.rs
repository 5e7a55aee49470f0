//! Compile-time WGSL for the wasi-webgpu SDK: parsing, validation against the WebGPU profile, and
//! reflection into plain Rust data.
//!
//! The `#[wasi_webgpu::shader]` attribute macro calls [`compile`] on the shader file and generates
//! typed bindings from the returned [`Shader`]. The guest may call [`validate`] at run time on WGSL
//! it builds itself.
//!
//! "Valid" means valid where the reference host runs it: the host validates with naga 29 through
//! wgpu-core 29, and this crate runs the same naga with only what WebGPU guarantees:
//!
//! - naga's validator with WebGPU's core capabilities, plus a capability for each `enable`
//!   directive WebGPU defines (`f16`, `clip_distances`, `dual_source_blending`,
//!   `primitive_index`); naga-only extensions such as `f64`, `i64` or `wgpu_mesh_shader` are
//!   rejected;
//! - WebGPU's default limits, which wgpu-core only checks when a pipeline is created: workgroup
//!   size and invocations, workgroup storage, bind group and binding indices, resources per
//!   stage, and buffer binding sizes.
//!
//! Errors come back as a [`Diagnostic`] with the position of the offending code and a rendering
//! with a source snippet. Validation errors are worded in WGSL's terms: types as WGSL spells them,
//! declarations by name, none of naga's arena handles or Rust `Debug` output. Nothing here panics
//! on bad input.

#![deny(missing_docs)]

#[cfg(feature = "back")]
pub mod back;
#[cfg(feature = "naga")]
mod explain;
#[cfg(feature = "naga")]
mod front;
pub mod layout;
#[cfg(feature = "naga")]
mod reflect;
#[cfg(feature = "naga")]
mod valid;

/// A WGSL scalar type that can appear in a binding or an override: [`layout`]'s.
pub use layout::Scalar;

use std::ops::Range;
#[cfg(feature = "naga")]
use std::panic::{AssertUnwindSafe, catch_unwind};

#[cfg(feature = "naga")]
/// The file name shown in renderings when the caller gives none.
const DEFAULT_PATH: &str = "wgsl";

#[cfg(feature = "naga")]
/// Parses `source`, validates it against WebGPU (capabilities and default limits), and reflects its
/// interface.
///
/// `path` names the file in [`Diagnostic::rendered`].
pub fn compile(source: &str, path: Option<&str>) -> Result<Shader, Diagnostic> {
    let path = path.unwrap_or(DEFAULT_PATH);
    guarded(source, path, || {
        let parsed = front::parse(source, path)?;
        let info = valid::validate(&parsed, source, path)?;
        valid::check_limits(&parsed.module, &info, source, path)?;
        reflect::reflect(&parsed, &info, source, path)
    })
}

#[cfg(feature = "naga")]
/// [`compile`] for a module written over several files, `(path, text)` in order, joined by a
/// newline: WGSL has no imports, so shared declarations (an element type's `alias`, a common
/// function) live in files of their own and each module lists the ones it uses. An `enable`
/// directive must come first, so it goes in the first file.
///
/// A [`Diagnostic`]'s rendering names the file the error is in, and its
/// [`line`](Diagnostic::line) and [`column`](Diagnostic::column) count within that file;
/// [`span`](Diagnostic::span) stays a range of the joined source.
pub fn compile_files(files: &[(&str, &str)]) -> Result<Shader, Diagnostic> {
    let joined = join(files);
    let shown = files.iter().map(|(path, _)| *path).collect::<Vec<_>>().join(" + ");
    compile(&joined, Some(&shown)).map_err(|d| d.in_file(files))
}

#[cfg(feature = "naga")]
/// The source [`compile_files`] compiles: the texts, each followed by a newline.
pub fn join(files: &[(&str, &str)]) -> String {
    files.iter().flat_map(|(_, text)| [*text, "\n"]).collect()
}

#[cfg(feature = "naga")]
/// The index of the file of `files` that byte `offset` of their [`join`] lies in (a file's
/// newline counts as its own), and where that file starts; `None` past the end.
pub fn file_at(files: &[(&str, &str)], offset: usize) -> Option<(usize, usize)> {
    let mut start = 0;
    for (index, (_, text)) in files.iter().enumerate() {
        let end = start + text.len() + 1;
        if offset < end {
            return Some((index, start));
        }
        start = end;
    }
    None
}

#[cfg(feature = "naga")]
/// Parses and validates `source` like [`compile`], without building the reflection.
pub fn validate(source: &str) -> Result<(), Diagnostic> {
    guarded(source, DEFAULT_PATH, || {
        let parsed = front::parse(source, DEFAULT_PATH)?;
        let info = valid::validate(&parsed, source, DEFAULT_PATH)?;
        valid::check_limits(&parsed.module, &info, source, DEFAULT_PATH)
    })
}

/// Size and alignment in bytes of `ty` under WGSL's memory layout rules, which hold for uniform and
/// storage buffers alike (naga rejects uniform layouts that would differ).
///
/// A runtime-sized array counts as one element, as for [`Global::min_binding_size`].
pub fn type_size_align(shader: &Shader, ty: &Type) -> (u32, u32) {
    ty.size_align(&shader.structs)
}

#[cfg(feature = "naga")]
/// Runs `f`, turning a panic inside naga into a [`Diagnostic`]: inside a proc macro a panic would
/// surface as an opaque compiler error.
fn guarded<T>(source: &str, path: &str, f: impl FnOnce() -> Result<T, Diagnostic>) -> Result<T, Diagnostic> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Diagnostic::at(format!("internal error in the WGSL compiler: {what}"), &[], source, path))
    })
}

/// A compile error in a shader: parse error, validation error or exceeded WebGPU limit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{rendered}")]
pub struct Diagnostic {
    /// One line, e.g. "expected `)`, found \"{\"".
    pub message: String,
    /// 1-based line of the start of [`span`](Self::span); `None` when the error has no position.
    pub line: Option<u32>,
    /// 1-based column of the start of [`span`](Self::span), in characters (not bytes).
    pub column: Option<u32>,
    /// Byte range in the source of the primary location.
    pub span: Option<Range<usize>>,
    /// Multi-line rendering: the message, `path:line:column`, and the source lines with carets.
    pub rendered: String,
}

#[cfg(feature = "naga")]
impl Diagnostic {
    fn new(message: String, span: Option<Range<usize>>, rendered: String, source: &str) -> Self {
        let span = span.filter(|s| s.start <= s.end && source.is_char_boundary(s.start) && s.end <= source.len());
        let (line, column) = match &span {
            Some(span) => {
                let prefix = &source[..span.start];
                let line = prefix.matches('\n').count() + 1;
                let column = prefix.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                (u32::try_from(line).ok(), u32::try_from(column).ok())
            }
            None => (None, None),
        };
        Diagnostic { message, line, column, span, rendered }
    }

    /// This diagnostic of [`compile_files`]'s joined source, told in the file its span starts in:
    /// one label there, carrying the message (the other labels may lie in other files).
    fn in_file(self, files: &[(&str, &str)]) -> Self {
        use codespan_reporting::diagnostic::Label;

        let Some(span) = self.span.clone() else { return self };
        let Some((index, start)) = file_at(files, span.start) else { return self };
        let (path, text) = files[index];
        let local = span.start - start..(span.end - start).min(text.len());
        let diagnostic = codespan_reporting::diagnostic::Diagnostic::error()
            .with_message(&self.message)
            .with_labels(vec![Label::primary((), local.clone())]);
        let file = codespan_reporting::files::SimpleFile::new(path, display_source(text));
        let rendered = codespan_reporting::term::emit_into_string(&Default::default(), &file, &diagnostic)
            .unwrap_or_else(|_| format!("error: {}\n  ┌─ {path}\n", self.message));
        let located = Diagnostic::new(self.message, Some(local), rendered, text);
        Diagnostic { span: Some(span), ..located }
    }

    /// An error of this crate's own (limits), rendered like naga's errors. The first label with a
    /// span is the primary location; the others are secondary.
    fn at(message: String, labels: &[(Option<Range<usize>>, String)], source: &str, path: &str) -> Self {
        use codespan_reporting::diagnostic::Label;

        let mut primary = None;
        let mut rendered_labels = Vec::new();
        for (span, text) in labels {
            let Some(span) = span.clone().filter(|s| s.start <= s.end && s.end <= source.len()) else { continue };
            let label = if primary.is_none() {
                primary = Some(span.clone());
                Label::primary((), span)
            } else {
                Label::secondary((), span)
            };
            rendered_labels.push(label.with_message(text));
        }
        let diagnostic =
            codespan_reporting::diagnostic::Diagnostic::error().with_message(&message).with_labels(rendered_labels);
        let files = codespan_reporting::files::SimpleFile::new(path, display_source(source));
        let rendered = codespan_reporting::term::emit_into_string(&Default::default(), &files, &diagnostic)
            .unwrap_or_else(|_| format!("error: {message}\n  ┌─ {path}\n"));
        Diagnostic::new(message, primary, rendered, source)
    }
}

#[cfg(feature = "naga")]
/// The source as the renderings show it. naga's renderer replaces control characters with the
/// 3-byte U+FFFD, which shifts every later byte offset (and can split a character, panicking
/// naga); a same-length stand-in keeps offsets valid.
pub(crate) fn display_source(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.chars().any(is_hidden_control) {
        return source.into();
    }
    let mut shown = String::with_capacity(source.len());
    for c in source.chars() {
        if is_hidden_control(c) {
            shown.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            shown.push(c);
        }
    }
    shown.into()
}

#[cfg(feature = "naga")]
fn is_hidden_control(c: char) -> bool {
    c.is_control() && !c.is_whitespace()
}

/// The interface of a validated shader module.
#[derive(Clone, Debug, PartialEq)]
pub struct Shader {
    /// Entry points in declaration order.
    pub entry_points: Vec<EntryPoint>,
    /// Resource bindings (`@group @binding` variables) in declaration order.
    pub globals: Vec<Global>,
    /// Every struct reachable from a binding's type, each after the structs it contains.
    pub structs: Vec<StructDef>,
    /// Pipeline-overridable constants in declaration order.
    pub overrides: Vec<Override>,
    /// Extension names of the `enable` directives, e.g. `"f16"`: the device needs the matching
    /// WebGPU features (`shader-f16`, ...).
    pub enables: Vec<String>,
}

/// Shader stage of an entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// `@compute`
    Compute,
    /// `@vertex`
    Vertex,
    /// `@fragment`
    Fragment,
}

/// An entry point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    /// Function name.
    pub name: String,
    /// Stage.
    pub stage: Stage,
    /// `@workgroup_size` as X, Y, Z; an omitted dimension is `Fixed(1)`. Render stages have no
    /// workgroup size and report `Fixed(0)`.
    pub workgroup_size: [WorkgroupDim; 3],
    /// Indices into [`Shader::globals`] of the bindings this entry point uses, directly or through
    /// the functions it calls, ascending.
    pub globals: Vec<usize>,
    /// Workgroup storage the entry point uses, as WebGPU counts it: the sum over the
    /// `var<workgroup>` it uses of their sizes rounded up to 16. Override-sized arrays count as 0.
    pub workgroup_storage_bytes: u32,
    /// For a vertex entry point, its `@location` inputs (also those inside struct arguments),
    /// by location; empty for other stages.
    pub vertex_inputs: Vec<VertexInput>,
}

/// A `@location(n)` input of a vertex entry point: what a vertex buffer attribute feeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VertexInput {
    /// The location.
    pub location: u32,
    /// The argument's or struct member's name.
    pub name: String,
    /// Its type: a scalar or vector.
    pub ty: Type,
}

/// One dimension of a compute entry point's workgroup size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WorkgroupDim {
    /// Known at shader creation.
    Fixed(u32),
    /// Exactly the value of the named override.
    Override {
        /// The override's name.
        name: String,
    },
    /// An expression involving overrides, e.g. `BLOCK * 2`.
    Expression {
        /// The expression as written in the source.
        wgsl: String,
        /// Names of the overrides it mentions, in order of first appearance.
        overrides: Vec<String>,
    },
}

/// A resource binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    /// Variable name.
    pub name: String,
    /// `@group` index.
    pub group: u32,
    /// `@binding` index.
    pub binding: u32,
    /// What kind of binding.
    pub kind: BindingKind,
    /// The variable's type; [`Type::Other`] for textures and samplers.
    pub ty: Type,
    /// WebGPU's minimum binding size: the size of `ty`, where a runtime-sized array counts as one
    /// element. 0 for non-buffer bindings.
    pub min_binding_size: u64,
}

/// The kind of a resource binding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    /// `var<uniform>`
    Uniform,
    /// `var<storage, read>` (`read_only`) or `var<storage, read_write>`.
    Storage {
        /// Whether the shader can only read it.
        read_only: bool,
    },
    /// A sampled texture: `texture_2d<f32>`, `texture_depth_2d`, `texture_multisampled_2d<u32>`, ...
    Texture {
        /// What the shader reads from it.
        sample: TextureSample,
        /// The view dimension it needs.
        dimension: ViewDimension,
        /// `texture_multisampled_*` or `texture_depth_multisampled_2d`.
        multisampled: bool,
    },
    /// A storage texture: `texture_storage_2d<rgba8unorm, write>`, ...
    StorageTexture {
        /// The texel format's WebGPU name, e.g. `rgba8unorm`.
        format: String,
        /// How the shader accesses it.
        access: StorageAccess,
        /// The view dimension it needs.
        dimension: ViewDimension,
    },
    /// `sampler` or `sampler_comparison`.
    Sampler {
        /// Whether it is a `sampler_comparison`.
        comparison: bool,
    },
    /// Another non-buffer binding (an external texture), described by its WGSL type.
    Other(String),
}

/// What a sampled texture binding reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextureSample {
    /// `f32` texels from a texture some entry point samples with a sampler (so it must be
    /// filterable, as WebGPU's derived layouts assume).
    FilterableFloat,
    /// `f32` texels only loaded (`textureLoad`), so any float format fits.
    UnfilterableFloat,
    /// A depth texture (`texture_depth_*`).
    Depth,
    /// `i32` texels.
    Sint,
    /// `u32` texels.
    Uint,
}

/// The view dimension of a texture binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewDimension {
    /// `*_1d`
    D1,
    /// `*_2d`
    D2,
    /// `*_2d_array`
    D2Array,
    /// `*_cube`
    Cube,
    /// `*_cube_array`
    CubeArray,
    /// `*_3d`
    D3,
}

/// How a shader accesses a storage texture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageAccess {
    /// `read`
    Read,
    /// `write`
    Write,
    /// `read_write`
    ReadWrite,
}

/// A WGSL type as seen from a binding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// A scalar.
    Scalar(Scalar),
    /// `vecN<T>`.
    Vector {
        /// 2, 3 or 4.
        size: u8,
        /// Component type.
        scalar: Scalar,
    },
    /// `matCxR<T>`, column-major.
    Matrix {
        /// Number of columns, 2 to 4.
        columns: u8,
        /// Number of rows, 2 to 4.
        rows: u8,
        /// Component type (`f32` or `f16`).
        scalar: Scalar,
    },
    /// `array<E, N>` or the runtime-sized `array<E>`.
    Array {
        /// Element type.
        element: Box<Type>,
        /// Element count; `None` for a runtime-sized array.
        length: Option<u32>,
        /// Bytes from one element to the next.
        stride: u32,
    },
    /// A struct: index into [`Shader::structs`].
    Struct(usize),
    /// `atomic<T>`.
    Atomic(Scalar),
    /// A type without a plain-data representation (texture, sampler, ...), by its WGSL name.
    Other(String),
}

impl Type {
    /// Size and alignment in bytes; see [`type_size_align`]. [`Type::Other`] is `(0, 1)`.
    pub fn size_align(&self, structs: &[StructDef]) -> (u32, u32) {
        let layout = match self {
            Type::Scalar(s) | Type::Atomic(s) => layout::Layout::scalar(*s),
            Type::Vector { size, scalar } => layout::Layout::vector(u32::from(*size), scalar.size()),
            Type::Matrix { columns, rows, scalar } => {
                layout::Layout::matrix(u32::from(*columns), u32::from(*rows), scalar.size())
            }
            // naga's stride, which `@stride`-free WGSL makes the element's.
            Type::Array { element, length, stride } => layout::Layout {
                size: length.unwrap_or(1).saturating_mul(*stride),
                align: element.size_align(structs).1,
            },
            Type::Struct(index) => structs
                .get(*index)
                .map_or(layout::Layout { size: 0, align: 1 }, |s| layout::Layout { size: s.size, align: s.align }),
            Type::Other(_) => layout::Layout { size: 0, align: 1 },
        };
        (layout.size, layout.align)
    }
}

/// A struct type, laid out per WGSL's memory layout rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructDef {
    /// WGSL name.
    pub name: String,
    /// Size in bytes, including trailing padding (a multiple of `align`).
    pub size: u32,
    /// Alignment in bytes.
    pub align: u32,
    /// Members in declaration order.
    pub members: Vec<Member>,
}

/// A struct member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// WGSL name.
    pub name: String,
    /// Type.
    pub ty: Type,
    /// Byte offset from the start of the struct.
    pub offset: u32,
    /// Size of `ty` in bytes (a runtime-sized array counts as one element). Padding before the
    /// next member, or before the end of the struct, is not included.
    pub size: u32,
}

/// A pipeline-overridable constant (`override`).
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// WGSL name; the pipeline constant key when `id` is `None`.
    pub name: String,
    /// `@id(n)`, the pipeline constant key when present.
    pub id: Option<u16>,
    /// Type.
    pub ty: Scalar,
    /// The default value when it is a constant (bools as 0 or 1); `None` when there is no
    /// initializer or it depends on other overrides.
    pub default: Option<f64>,
    /// The initializer as written in the source; `None` when the override has none and must be set
    /// when the pipeline is created.
    pub initializer: Option<String>,
}

#[cfg(all(test, feature = "naga"))]
mod tests;
#[cfg(all(test, feature = "naga"))]
mod tests_real;
#[cfg(all(test, feature = "naga"))]
mod tests_words;
