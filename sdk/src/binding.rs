//! Typed buffer bindings for the code `#[wasi_webgpu::shader]` generates.
//!
//! A generated bindings struct has one field per shader global, typed by how
//! the shader uses it: `var<uniform>` takes a [`Uniform`], `var<storage,
//! read>` a [`Storage`] and `var<storage, read_write>` a [`StorageMut`], each
//! of the element type the shader declares. Binding a buffer of the wrong
//! element type, or with the wrong access, does not compile.

use std::marker::PhantomData;

use bytemuck::Pod;

use crate::{BindingResource, Buffer, BufferSlice};

macro_rules! typed_binding {
    ($(#[$doc:meta])* $name:ident, $make:ident, $wgsl:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'a, T> {
            resource: BindingResource<'a>,
            _element: PhantomData<&'a [T]>,
        }

        impl<'a, T> $name<'a, T> {
            /// The bound range as a bind group resource.
            pub fn resource(&self) -> BindingResource<'a> {
                self.resource
            }

            /// A binding of `resource` said to hold `T`s, for buffers whose
            /// contents are not a `[T]` (a [`HeaderBuffer`](crate::HeaderBuffer)).
            #[allow(dead_code, reason = "only the storage bindings have header buffers")]
            pub(crate) fn from_resource(resource: BindingResource<'a>) -> Self {
                $name { resource, _element: PhantomData }
            }
        }

        impl<T: Pod> Buffer<T> {
            #[doc = concat!("The whole buffer as a `", $wgsl, "` binding.")]
            pub fn $make(&self) -> $name<'_, T> {
                $name { resource: self.as_entire_binding(), _element: PhantomData }
            }
        }

        impl<'a, T: Pod> BufferSlice<'a, T> {
            #[doc = concat!("The slice as a `", $wgsl, "` binding.")]
            pub fn $make(&self) -> $name<'a, T> {
                $name { resource: self.as_binding(), _element: PhantomData }
            }
        }
    };
}

typed_binding!(
    /// A buffer bound as `var<uniform>` holding `T`s. Made by
    /// [`Buffer::as_uniform`]; the buffer needs `UNIFORM`.
    Uniform, as_uniform, "var<uniform>"
);
typed_binding!(
    /// A buffer bound as read-only `var<storage, read>` holding `T`s. Made by
    /// [`Buffer::as_storage`]; the buffer needs `STORAGE`.
    Storage, as_storage, "var<storage, read>"
);
typed_binding!(
    /// A buffer bound as `var<storage, read_write>` holding `T`s, which the
    /// shader may write. Made by [`Buffer::as_storage_mut`]; the buffer needs
    /// `STORAGE`.
    StorageMut, as_storage_mut, "var<storage, read_write>"
);

/// How many threads (invocations) a `#[shader]`'s `dispatch` or a
/// `#[kernel]`'s `launch` runs, per dimension: a thread count, never a
/// workgroup count. The generated code divides it by the workgroup size,
/// rounding up, so every thread gets an invocation; shaders check their
/// bounds.
///
/// wgpu's `dispatch_workgroups(x, y, z)` counts workgroups; passing those
/// numbers here would run `workgroup_size` times too few threads, so there
/// is no conversion from plain integers: the unit is named where the
/// dispatch is written.
///
/// ```
/// use wasi_webgpu::Threads;
/// // One thread per element of a buffer of 1000.
/// assert_eq!(Threads::x(1000).workgroups([64, 1, 1]), [16, 1, 1]);
/// // One per pixel of a 640×480 image, with 8×8 workgroups.
/// assert_eq!(Threads::xy(640, 480).workgroups([8, 8, 1]), [80, 60, 1]);
/// // One per cell of a 32³ grid, with 4×4×4 workgroups.
/// assert_eq!(Threads::xyz(32, 32, 32).workgroups([4, 4, 4]), [8, 8, 8]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Threads(pub [u32; 3]);

impl Threads {
    /// `x` threads along one dimension: one per element of a buffer.
    pub const fn x(x: u32) -> Self {
        Self([x, 1, 1])
    }

    /// `width × height` threads: one per pixel of an image, per element of
    /// a matrix (`x` is the column, `y` the row).
    pub const fn xy(width: u32, height: u32) -> Self {
        Self([width, height, 1])
    }

    /// `width × height × depth` threads: one per cell of a volume, or per
    /// element of a batch of matrices.
    pub const fn xyz(width: u32, height: u32, depth: u32) -> Self {
        Self([width, height, depth])
    }

    /// Workgroups needed to cover the threads with `workgroup_size`.
    pub fn workgroups(self, workgroup_size: [u32; 3]) -> [u32; 3] {
        let Threads(threads) = self;
        [0, 1, 2].map(|i| threads[i].div_ceil(workgroup_size[i].max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workgroups_round_up() {
        assert_eq!(Threads::x(1000).workgroups([64, 1, 1]), [16, 1, 1]);
        assert_eq!(Threads::xy(64, 65).workgroups([8, 8, 1]), [8, 9, 1]);
        assert_eq!(Threads::x(0).workgroups([64, 1, 1]), [0, 1, 1]);
    }
}
