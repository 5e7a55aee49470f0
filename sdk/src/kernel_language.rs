//! The kernel language's own items: the invocation builtins and barriers
//! a `#[wasi_webgpu::kernel]` body calls, and its workgroup memory. The
//! kernel macro rewrites them in a kernel body (to WGSL builtins on the
//! GPU, to the CPU executor's values on the CPU device); called from other
//! code, they read the CPU executor's running invocation.

use std::marker::PhantomData;

use crate::backend::cpu::kernel::current;
use crate::vector::UVec3;

/// `global_invocation_id` of the running invocation. In a kernel body the
/// macro reads it from the invocation directly; called from other code that
/// a CPU launch runs (a `#[gpu]` helper, say) it gives the current
/// invocation's, and outside a launch zeros.
pub fn global_id() -> UVec3 {
    current().global_id
}

/// `local_invocation_id` of the running invocation; see [`global_id`].
pub fn local_id() -> UVec3 {
    current().local_id
}

/// `workgroup_id` of the running invocation; see [`global_id`].
pub fn workgroup_id() -> UVec3 {
    current().workgroup_id
}

/// `num_workgroups` of the running launch; see [`global_id`].
pub fn num_workgroups() -> UVec3 {
    current().num_workgroups
}

/// `local_invocation_index` of the running invocation; see [`global_id`].
pub fn local_index() -> u32 {
    current().local_index
}

/// WGSL's `workgroupBarrier()`. In a kernel body the macro turns it into a
/// barrier of the whole workgroup (a lock-step point on the CPU); as a
/// plain function call, which only ever runs one invocation at a time, it
/// has nothing to wait for.
pub fn workgroup_barrier() {}

/// WGSL's `storageBarrier()`; see [`workgroup_barrier`].
pub fn storage_barrier() {}

/// Workgroup shared memory in a [`kernel`](macro@crate::kernel), WGSL's
/// `var<workgroup>`: one `T` per workgroup, which every invocation of the
/// workgroup sees, zeroed when the workgroup starts.
///
/// ```ignore
/// static TILE: wasi_webgpu::Workgroup<[f32; 256]> = wasi_webgpu::Workgroup::new();
/// ```
///
/// declared inside a kernel body, which the kernel macro rewrites: on the
/// GPU to a `var<workgroup>`, on the CPU device to per-workgroup storage
/// that the lock-step executor shares between the workgroup's invocations.
/// Outside a kernel a `Workgroup` holds nothing.
pub struct Workgroup<T>(PhantomData<fn() -> T>);

impl<T> Workgroup<T> {
    /// Declares the shared memory; see the type's documentation.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Workgroup<T> {
    fn default() -> Self {
        Self::new()
    }
}
