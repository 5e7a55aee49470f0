//! The ops' error type.

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// What can go wrong preparing or recording an operation.
///
/// Every message starts with the public call, `Ops::<op>:`, and names the
/// argument at fault by its parameter name, on the GPU and on the CPU device
/// alike.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A shape the operation cannot take: a bad axis, a size past the
    /// kernels' `u32` indexing or the dispatch limits.
    #[error("Ops::{op}: {reason}")]
    Shape {
        /// The operation.
        op: &'static str,
        /// What is wrong, in words.
        reason: String,
    },

    /// A buffer is shorter than the shape needs.
    #[error("Ops::{op}: `{buffer}` holds {len} elements, but the shape needs {needed}")]
    TooSmall {
        /// The operation.
        op: &'static str,
        /// Which buffer, by the parameter's name.
        buffer: &'static str,
        /// Its length in elements.
        len: u64,
        /// The elements the shape needs.
        needed: u64,
    },

    /// Buffers of an elementwise operation differ in length.
    #[error("Ops::{op}: `{buffer}` holds {len} elements, but `{other}` holds {expected}")]
    LengthMismatch {
        /// The operation.
        op: &'static str,
        /// The buffer whose length is off.
        buffer: &'static str,
        /// Its length in elements.
        len: u64,
        /// The buffer it is compared with.
        other: &'static str,
        /// That buffer's length.
        expected: u64,
    },

    /// A buffer argument of another device than the [`Ops`](crate::Ops)'
    /// one.
    #[error("Ops::{op}: argument `{argument}` belongs to another device than these Ops'")]
    ForeignBuffer {
        /// The operation.
        op: &'static str,
        /// The parameter's name.
        argument: &'static str,
    },

    /// A buffer argument without [`BufferUsages::STORAGE`](wasi_webgpu::BufferUsages::STORAGE),
    /// which every tensor of an op needs: the kernels bind them as storage.
    #[error("Ops::{op}: argument `{argument}` needs usage STORAGE, but the buffer has {actual}")]
    Usage {
        /// The operation.
        op: &'static str,
        /// The parameter's name.
        argument: &'static str,
        /// The buffer's usage flags.
        actual: wasi_webgpu::BufferUsages,
    },

    /// A buffer argument that the op binds whole is larger than one storage
    /// binding may be on this device (`max_storage_buffer_binding_size`).
    #[error(
        "Ops::{op}: argument `{argument}` binds {bytes} bytes, more than one storage binding holds on this \
         device (maxStorageBufferBindingSize = {max})"
    )]
    BindingSize {
        /// The operation.
        op: &'static str,
        /// The parameter's name.
        argument: &'static str,
        /// The bytes the op binds.
        bytes: u64,
        /// The device's limit.
        max: u64,
    },

    /// One buffer passed as an input and as the output of an op (the same
    /// buffer by [`Buffer::id`](wasi_webgpu::Buffer::id): `&z` twice, or `&z`
    /// and `&z.clone()`): one dispatch cannot both read and write a buffer.
    /// Found when the op is prepared; `in_place` names the op's in-place
    /// form where there is one.
    #[error(
        "Ops::{op}: `{input}` and `{output}` are the same buffer, which one dispatch cannot both read and write; {}",
        hint(.in_place)
    )]
    Aliased {
        /// The operation.
        op: &'static str,
        /// The parameter read.
        input: &'static str,
        /// The parameter written.
        output: &'static str,
        /// The in-place op that does what was meant, if there is one.
        in_place: Option<&'static str>,
    },

    /// The SDK found a read/write conflict between an op's bindings when it
    /// was recorded or run, which preparing did not see ([`Error::Aliased`]
    /// covers the op's arguments); nothing ran.
    #[error("Ops::{op}: a buffer is both read and written by one dispatch; pass distinct buffers")]
    Conflict {
        /// The operation.
        op: &'static str,
        /// The SDK's error, boxed: one variant holding it in place keeps
        /// every `Result` of the crate small.
        source: Box<wasi_webgpu::Error>,
    },

    /// An error of the SDK inside an operation: preparing it (its uniform
    /// and scratch buffers, pipelines and bind groups, which check the
    /// arguments' buffers: destroyed, mapped, of another device), recording
    /// it or running it. `op` is the [`Ops`](crate::Ops) method, or `run`
    /// for [`Ops::run`](crate::Ops::run) of several operations.
    #[error("Ops::{op}: {source}")]
    Gpu {
        /// The operation.
        op: &'static str,
        /// The SDK's error.
        source: wasi_webgpu::Error,
    },
}

impl From<wasi_webgpu::Error> for Error {
    /// An SDK error inside an operation, before the operation names it
    /// (`Error::in_op`); every public call returns it named.
    fn from(source: wasi_webgpu::Error) -> Self {
        Self::Gpu { op: "", source }
    }
}

impl Error {
    /// Names `op` in an SDK error that does not name an operation yet.
    pub(crate) fn in_op(self, op: &'static str) -> Self {
        match self {
            Self::Gpu { op: "", source } => Self::Gpu { op, source },
            other => other,
        }
    }
}

/// What [`Error::Aliased`] suggests.
fn hint(in_place: &Option<&'static str>) -> String {
    match in_place {
        Some(in_place) => format!("use Ops::{in_place}"),
        None => "pass distinct buffers".to_owned(),
    }
}
