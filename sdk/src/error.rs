//! The SDK's one error type.
//!
//! Every fallible call returns [`Result`]. Most variants come from checks the
//! SDK makes in the guest *before* calling the host, because the reference host
//! (wasi-webgpu-wasmtime 0.5) answers several bad inputs with a panic, which
//! would trap the whole component. The rest are errors the host reports
//! through WebGPU error scopes ([`Error::Validation`], [`Error::OutOfMemory`],
//! [`Error::Internal`]).

use std::borrow::Cow;

use crate::{BufferUsages, MapState};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in the SDK.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The host found no GPU adapter for the requested options.
    #[error(
        "no GPU adapter found: the host needs a GPU driver with Vulkan support, or Mesa's CPU \
         driver lavapipe (apt-get install mesa-vulkan-drivers libvulkan1)"
    )]
    NoAdapter,

    /// A required feature is not supported by the adapter.
    #[error("the adapter does not support the feature `{0}`")]
    UnsupportedFeature(&'static str),

    /// A required limit is better than what the adapter supports.
    #[error("requested limit {name} = {requested} is beyond the adapter's {supported}")]
    LimitExceeded {
        /// The limit's WebGPU name.
        name: &'static str,
        /// The value asked for.
        requested: u64,
        /// The adapter's value.
        supported: u64,
    },

    /// The host refused the device request.
    #[error("device request failed: {0}")]
    RequestDevice(String),

    /// A buffer, binding or dispatch is larger than a device limit allows.
    #[error("{what} = {value} exceeds the device limit {limit} = {max}")]
    OverLimit {
        /// What was too large.
        what: &'static str,
        /// Its value.
        value: u64,
        /// The limit's WebGPU name.
        limit: &'static str,
        /// The limit's value on this device.
        max: u64,
    },

    /// A buffer usage combination WebGPU forbids.
    #[error("invalid buffer usage {usage}: {reason}")]
    InvalidUsage {
        /// The usage asked for.
        usage: BufferUsages,
        /// Why it is invalid.
        reason: &'static str,
    },

    /// The buffer was created without a usage the operation needs.
    #[error("{operation}: {argument} needs {}{required}, but it has {actual}", one_of(*.required))]
    MissingUsage {
        /// The public call that failed: `write_buffer`, `copy_buffer_to_buffer`, or a generated
        /// one, `saxpy::launch` (a `#[kernel]`), `collatz::Main::dispatch` (a `#[shader]`).
        operation: &'static str,
        /// Which of the call's arguments the buffer is, and its label.
        argument: Argument,
        /// Usage flags of which the operation needs at least one.
        required: BufferUsages,
        /// The buffer's usage flags.
        actual: BufferUsages,
    },

    /// A byte range reaches past the end of a buffer.
    #[error("{operation}: bytes {start}..{end} are out of bounds for a buffer of {size} bytes")]
    OutOfBounds {
        /// The operation attempted.
        operation: &'static str,
        /// First byte of the range.
        start: u64,
        /// One past the last byte of the range.
        end: u64,
        /// The buffer's size in bytes.
        size: u64,
    },

    /// An offset or size breaks a WebGPU alignment rule.
    #[error("{operation}: {what} = {value} is not a multiple of {alignment}")]
    Misaligned {
        /// The operation attempted.
        operation: &'static str,
        /// Which value is misaligned.
        what: &'static str,
        /// The value.
        value: u64,
        /// The alignment it needs.
        alignment: u64,
    },

    /// The buffer is in the wrong mapping state for the operation.
    #[error("{operation} needs {argument} {expected}, but it is {actual:?}")]
    MapState {
        /// The operation attempted.
        operation: &'static str,
        /// Which of the call's arguments the buffer is, and its label.
        argument: Argument,
        /// The state the operation needs, in words.
        expected: &'static str,
        /// The buffer's state.
        actual: MapState,
    },

    /// The buffer was destroyed.
    #[error("{operation}: {argument} has been destroyed")]
    Destroyed {
        /// The operation attempted.
        operation: &'static str,
        /// Which of the call's arguments the buffer is, and its label.
        argument: Argument,
    },

    /// The host failed to map a buffer.
    #[error("mapping the buffer failed: {0}")]
    Map(String),

    /// Two objects from different devices were used together.
    #[error("{0}: the objects belong to different devices")]
    DeviceMismatch(&'static str),

    /// A buffer passed to a `#[shader]`'s `dispatch`/`bind` or a `#[kernel]`'s
    /// `launch` belongs to another device than the one the call runs on.
    #[error("{operation}: {argument} belongs to another device than the call's")]
    ForeignBuffer {
        /// The public call.
        operation: &'static str,
        /// Which argument, and the buffer's label.
        argument: Argument,
    },

    /// A buffer passed to a `#[shader]`'s `dispatch`/`bind` or a `#[kernel]`'s
    /// `launch` binds more bytes than one binding of its kind may hold on
    /// this device.
    #[error("{operation}: {argument} binds {size} bytes, more than the device limit {limit} = {max}")]
    BindingTooLarge {
        /// The public call.
        operation: &'static str,
        /// Which argument, and the buffer's label.
        argument: Argument,
        /// The bytes bound.
        size: u64,
        /// The limit's WebGPU name (`maxStorageBufferBindingSize`, ...).
        limit: &'static str,
        /// The limit's value on this device.
        max: u64,
    },

    /// A buffer slice passed to a `#[shader]`'s `dispatch`/`bind` or a
    /// `#[kernel]`'s `launch` at an offset that breaks WebGPU's binding
    /// alignment: a multiple of the device's
    /// `minStorageBufferOffsetAlignment` / `minUniformBufferOffsetAlignment`
    /// (256 by default).
    #[error("{operation}: {argument} is bound at offset {offset}, which is not a multiple of {alignment}")]
    BindingMisaligned {
        /// The public call.
        operation: &'static str,
        /// Which argument, and the buffer's label.
        argument: Argument,
        /// The slice's offset in bytes.
        offset: u64,
        /// The device's offset alignment for the binding's kind.
        alignment: u64,
    },

    /// A buffer slice passed to a `#[shader]`'s `dispatch`/`bind` or a
    /// `#[kernel]`'s `launch` that reaches past the buffer's end.
    #[error("{operation}: {argument} is bound at bytes {start}..{end}, past the end of its {size} bytes")]
    BindingOutOfBounds {
        /// The public call.
        operation: &'static str,
        /// Which argument, and the buffer's label.
        argument: Argument,
        /// The slice's first byte.
        start: u64,
        /// The byte after the slice's last (saturated at `u64::MAX`).
        end: u64,
        /// The buffer's size in bytes.
        size: u64,
    },

    /// A bind group does not fit the layout it is created from or used with.
    #[error("bind group: {0}")]
    BindGroup(String),

    /// A dispatch was recorded without the state it needs.
    #[error("dispatch: {0}")]
    Dispatch(String),

    /// Two operations use the same buffer in conflicting ways.
    #[error("{operation}: {reason}")]
    UsageConflict {
        /// The operation attempted.
        operation: &'static str,
        /// The conflict, in words.
        reason: String,
    },

    /// `pop_error_scope` was called with no scope pushed.
    #[error("pop_error_scope: the error scope stack is empty")]
    ErrorScopeStackEmpty,

    /// A WebGPU validation error reported by the host, for example a shader
    /// that does not compile or a pipeline that does not match its layout.
    #[error("validation error: {0}")]
    Validation(String),

    /// The host ran out of memory.
    #[error("out of memory: {0}")]
    OutOfMemory(String),

    /// An internal error in the host's WebGPU implementation.
    #[error("internal error: {0}")]
    Internal(String),

    /// A GPU-only operation (shader modules, pipelines, bind groups,
    /// dispatches, …) was asked of the in-guest CPU device, which runs only
    /// Rust kernels (`#[wasi_webgpu::kernel]`) and buffer operations.
    #[error(
        "{operation} needs a GPU device, but this is the in-guest CPU device, which runs only \
         #[wasi_webgpu::kernel] kernels and buffer operations"
    )]
    CpuDevice {
        /// The operation attempted.
        operation: &'static str,
    },

    /// An operation needs a WebGPU feature the device was not created with:
    /// request it in [`DeviceDescriptor::required_features`](crate::DeviceDescriptor::required_features)
    /// (the adapter lists what it supports in [`Adapter::features`](crate::Adapter::features)).
    #[error("{operation} needs a device with the feature `{feature}`, which this device was not created with")]
    MissingFeature {
        /// The feature's WebGPU name, e.g. `shader-f16`.
        feature: &'static str,
        /// The operation attempted.
        operation: &'static str,
    },

    /// A texture, texture view or sampler descriptor, or a mip level or
    /// array layer, that WebGPU forbids.
    #[error("{operation}: {reason}")]
    InvalidTexture {
        /// The operation attempted.
        operation: &'static str,
        /// What is wrong, in words.
        reason: String,
    },

    /// The texture was created without a usage the operation needs.
    #[error("{operation} needs a texture with {}{required}, but it has {actual}", all_of(*.required))]
    MissingTextureUsage {
        /// The operation attempted.
        operation: &'static str,
        /// Usage flags the operation needs.
        required: crate::TextureUsages,
        /// The texture's usage flags.
        actual: crate::TextureUsages,
    },

    /// The texture format cannot do what the operation needs (be a storage
    /// texture, be copied, be rendered to, ...).
    #[error("{operation}: format {format:?} cannot be used here: {reason}")]
    UnsupportedFormat {
        /// The operation attempted.
        operation: &'static str,
        /// The format.
        format: crate::TextureFormat,
        /// Why not.
        reason: &'static str,
    },

    /// A texel copy, queue texture write or readback whose region or buffer
    /// layout is out of bounds or breaks a WebGPU layout rule.
    #[error("{operation}: {reason}")]
    TextureCopy {
        /// The operation attempted.
        operation: &'static str,
        /// What is wrong, in words.
        reason: String,
    },
    /// A sampler descriptor breaks a WebGPU rule (LOD clamps, anisotropy).
    #[error("{operation}: {reason}")]
    InvalidSampler {
        /// The operation attempted.
        operation: &'static str,
        /// What is wrong, in words.
        reason: String,
    },

    /// The texture was destroyed.
    #[error("{operation}: the texture has been destroyed")]
    TextureDestroyed {
        /// The operation attempted.
        operation: &'static str,
    },

    /// A render pipeline descriptor breaks a WebGPU rule the guest checks
    /// (vertex layouts, color targets, sample count, depth-stencil state).
    #[error("render pipeline: {0}")]
    Pipeline(String),

    /// A render pass or bundle does not fit its attachments: a bad
    /// attachment, a pipeline or bundle of other formats or sample count, a
    /// viewport or scissor rectangle outside the attachments.
    #[error("render pass: {0}")]
    RenderPass(String),

    /// A draw was recorded without the state it needs (pipeline, bind
    /// groups, vertex or index buffers), or reads past a bound buffer.
    #[error("draw: {0}")]
    Draw(String),

    /// A query set was misused: an index out of range, a query of the wrong
    /// type, or occlusion queries begun and ended out of order.
    #[error("query: {0}")]
    Query(String),

    /// WGSL that the guest's own validator rejected, with the cargo feature
    /// `validate`: the host was never asked to compile it.
    #[error(transparent)]
    Shader(ShaderError),

    /// Runtime WGSL that the SDK's [shader guard](crate::shader_guard)
    /// refused before the host (or the guest's naga) saw it: nested too
    /// deeply, too large, or over a device limit that a compiler or driver
    /// would not survive. Says which call, what was over which bound, and
    /// the line:column.
    #[error(transparent)]
    ShaderRefused(crate::ShaderRefusal),

    /// A pending map was aborted by [`Buffer::unmap`](crate::Buffer::unmap)
    /// before it completed, as WebGPU's `unmap()` aborts a pending
    /// `mapAsync()` (whose promise rejects with an `AbortError`). The buffer
    /// is unmapped.
    #[error("{operation}: the map was aborted by unmap() before it completed")]
    MapAborted {
        /// The operation whose map was aborted.
        operation: &'static str,
    },

    /// A requested limit that no device can have: an alignment limit that
    /// is not a power of two.
    #[error("requested limit {name} = {value} is invalid: {reason}")]
    InvalidLimit {
        /// The limit's WebGPU name.
        name: &'static str,
        /// The value asked for.
        value: u64,
        /// Why it is invalid.
        reason: &'static str,
    },
}

/// The buffer an error is about, as the failing call sees it: which of the
/// call's arguments it is (a `#[kernel]` parameter, the WGSL variable of a
/// `#[shader]` binding, a bind group entry's binding), and its label.
///
/// Displays as ``argument `x` (buffer "weights")``, ``argument `x` ``,
/// `the buffer "weights"` or `the buffer`, whatever is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Argument {
    /// The argument's name in the failing call; `None` where the call has
    /// one buffer only (`map_async`, `queue.write_buffer`'s target, ...).
    pub name: Option<Cow<'static, str>>,
    /// The label the buffer was created with.
    pub label: Option<String>,
}

impl Argument {
    /// The buffer labelled `label` (if any), without an argument name.
    pub fn buffer(label: Option<String>) -> Self {
        Self { name: None, label }
    }

    /// The same buffer as argument `name` of the failing call.
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        Self { name: Some(name.into()), ..self }
    }
}

impl core::fmt::Display for Argument {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (&self.name, &self.label) {
            (Some(name), Some(label)) => write!(f, "argument `{name}` (buffer {label:?})"),
            (Some(name), None) => write!(f, "argument `{name}`"),
            (None, Some(label)) => write!(f, "the buffer {label:?}"),
            (None, None) => f.write_str("the buffer"),
        }
    }
}

/// `"one of the usages "` before a set of usages of which any one will do,
/// when it has more than one, else `"usage "`.
fn one_of(usage: BufferUsages) -> &'static str {
    if usage.iter().nth(1).is_some() { "one of the usages " } else { "usage " }
}

/// `"all of the usages "` before a set of texture usages all of which are
/// needed, when it has more than one, else `"usage "`.
fn all_of(usage: crate::TextureUsages) -> &'static str {
    if usage.iter().nth(1).is_some() { "all of the usages " } else { "usage " }
}

impl Error {
    /// The error, about the buffer that the failing call knows as its
    /// argument `name`: a buffer's own check does not know which argument
    /// of a launch or dispatch it is.
    pub(crate) fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        match self {
            Self::MissingUsage { operation, argument, required, actual } => {
                Self::MissingUsage { operation, argument: argument.named(name), required, actual }
            }
            Self::Destroyed { operation, argument } => Self::Destroyed { operation, argument: argument.named(name) },
            Self::MapState { operation, argument, expected, actual } => {
                Self::MapState { operation, argument: argument.named(name), expected, actual }
            }
            other => other,
        }
    }
}

/// A WGSL compile error found in the guest by naga (cargo feature
/// `validate`), where the offending code is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShaderError {
    /// What is wrong, in one line.
    pub message: String,
    /// 1-based line in the WGSL source; `None` when the error has no position.
    pub line: Option<u32>,
    /// 1-based column, in characters; `None` when the error has no position.
    pub column: Option<u32>,
}

impl core::fmt::Display for ShaderError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "invalid WGSL at {line}:{column}: {}", self.message),
            (Some(line), None) => write!(f, "invalid WGSL at line {line}: {}", self.message),
            _ => write!(f, "invalid WGSL: {}", self.message),
        }
    }
}

impl std::error::Error for ShaderError {}
