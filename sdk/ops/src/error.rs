//! The ops' error type.

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// What can go wrong preparing or recording an operation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A shape the operation cannot take: a bad axis, a size past the
    /// kernels' `u32` indexing or the dispatch limits.
    #[error("{op}: {reason}")]
    Shape {
        /// The operation.
        op: &'static str,
        /// What is wrong, in words.
        reason: String,
    },

    /// A buffer is shorter than the shape needs.
    #[error("{op}: `{buffer}` holds {len} elements, but the shape needs {needed}")]
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
    #[error("{op}: `{buffer}` holds {len} elements, but `{other}` holds {expected}")]
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

    /// An error of the SDK: creating a uniform or scratch buffer, compiling a
    /// pipeline, binding a buffer without `STORAGE` usage, recording or
    /// submitting.
    #[error(transparent)]
    Gpu(#[from] wasi_webgpu::Error),
}
