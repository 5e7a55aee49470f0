//! The CPU executor of `#[wasi_webgpu::kernel]` kernels: the arguments a
//! kernel's Rust translation borrows, the invocation builtins, and the
//! loops that run its invocations. Not public API; the generated code
//! reaches it through `__private::kernel_rt`.
//!
//! A kernel runs as its Rust body, invocation by invocation, in WGSL's
//! order of `local_invocation_index` (x fastest) within each workgroup and
//! workgroup after workgroup. A kernel without barriers runs as a plain loop
//! ([`for_each_invocation`]). A kernel with workgroup barriers runs each
//! workgroup in lock-step ([`for_each_workgroup`] + [`lockstep`]): every
//! invocation is a future whose barriers suspend it once ([`barrier`]); the
//! executor polls the workgroup's futures round-robin, so every invocation
//! reaches a barrier before any passes it, as on a GPU.

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use bytemuck::Pod;

use super::{CpuBlock, CpuCommand};
use crate::buffer::BufferShared;
use crate::vector::{UVec3, vec3};
use crate::{BindingResource, Buffer, BufferUsages, ComputePass, Device, Error, Result, Threads};

/// Checks that `buffer` can be a kernel's storage binding on the CPU
/// `device`, with the rules the GPU path's bind group applies.
fn cpu_memory<'b, T: Pod>(device: &Device, buffer: &'b Buffer<T>) -> Result<&'b RefCell<Vec<CpuBlock>>> {
    const OP: &str = "launch";
    let shared: &BufferShared = &buffer.shared;
    crate::device::same_device(&shared.device, &device.shared, OP)?;
    shared.check_gpu_usable(OP)?;
    shared.check_usage(OP, BufferUsages::STORAGE)?;
    if buffer.is_empty() {
        return Err(empty_binding());
    }
    if align_of::<T>() > align_of::<CpuBlock>() {
        return Err(Error::UsageConflict {
            operation: OP,
            reason: format!(
                "elements aligned to {} bytes; kernels bind at most 16-byte aligned types",
                align_of::<T>()
            ),
        });
    }
    Ok(shared.memory.cpu().ok_or(Error::DeviceMismatch(OP))?.blocks())
}

/// WebGPU cannot bind an empty buffer; the CPU device refuses it the same
/// way, so a launch fails or succeeds alike on both.
fn empty_binding() -> Error {
    Error::BindGroup("a kernel cannot bind an empty buffer: WebGPU buffer bindings are at least 4 bytes".into())
}

fn in_use() -> Error {
    Error::UsageConflict {
        operation: "launch",
        reason: "a kernel launch binds one buffer twice, at least once writable: launches forbid aliasing a \
                 writable buffer, on the GPU and the CPU device alike"
            .into(),
    }
}

/// The elements of a CPU buffer, borrowed for a launch.
pub struct CpuSlice<'b, T> {
    memory: Ref<'b, Vec<CpuBlock>>,
    len: usize,
    _element: PhantomData<&'b [T]>,
}

impl<T: Pod> Deref for CpuSlice<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        let bytes: &[u8] = bytemuck::cast_slice(&self.memory);
        // The memory is 16-byte aligned (checked against `T` in
        // `cpu_memory`) and holds at least `len` elements.
        bytemuck::cast_slice(&bytes[..self.len * size_of::<T>()])
    }
}

/// The elements of a CPU buffer, borrowed writable for a launch.
pub struct CpuSliceMut<'b, T> {
    memory: RefMut<'b, Vec<CpuBlock>>,
    len: usize,
    _element: PhantomData<&'b mut [T]>,
}

impl<T: Pod> Deref for CpuSliceMut<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        let bytes: &[u8] = bytemuck::cast_slice(&self.memory);
        bytemuck::cast_slice(&bytes[..self.len * size_of::<T>()])
    }
}

impl<T: Pod> DerefMut for CpuSliceMut<'_, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut self.memory);
        bytemuck::cast_slice_mut(&mut bytes[..self.len * size_of::<T>()])
    }
}

/// Borrows a CPU buffer read-only for a launch on `device`.
///
/// Fails like the GPU path's binding would: a buffer of another device, a
/// destroyed or mapped one, one without `STORAGE`, or one that another
/// argument of the launch borrows writable.
pub fn cpu_slice<'b, T: Pod>(device: &Device, buffer: &'b Buffer<T>) -> Result<CpuSlice<'b, T>> {
    let memory = cpu_memory(device, buffer)?.try_borrow().map_err(|_| in_use())?;
    Ok(CpuSlice { memory, len: buffer.len() as usize, _element: PhantomData })
}

/// Borrows a CPU buffer writable for a launch on `device`; see [`cpu_slice`].
pub fn cpu_slice_mut<'b, T: Pod>(device: &Device, buffer: &'b mut Buffer<T>) -> Result<CpuSliceMut<'b, T>> {
    let memory = cpu_memory(device, buffer)?.try_borrow_mut().map_err(|_| in_use())?;
    Ok(CpuSliceMut { memory, len: buffer.len() as usize, _element: PhantomData })
}

/// The built-in values of one invocation, as WGSL names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// `global_invocation_id`.
    pub global_id: UVec3,
    /// `local_invocation_id`.
    pub local_id: UVec3,
    /// `workgroup_id`.
    pub workgroup_id: UVec3,
    /// `num_workgroups`.
    pub num_workgroups: UVec3,
    /// `local_invocation_index`.
    pub local_index: u32,
}

thread_local! {
    /// The workgroup the CPU executor is running, and the `local_index` of
    /// the invocation in it, for the builtin functions. Only the index
    /// changes per invocation, which keeps the executor's per-invocation
    /// cost at one store.
    static WORKGROUP: Cell<Option<WorkgroupRun>> = const { Cell::new(None) };
    static LOCAL_INDEX: Cell<u32> = const { Cell::new(0) };
}

/// The invocation running on the CPU; all zeros outside a CPU launch.
pub(crate) fn current() -> Invocation {
    match WORKGROUP.with(Cell::get) {
        Some(group) => group.invocation(LOCAL_INDEX.with(Cell::get)),
        None => Invocation::default(),
    }
}

/// One workgroup of a CPU launch (`rt::Workgroup` to the generated code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkgroupRun {
    id: UVec3,
    size: [u32; 3],
    count: UVec3,
}

impl WorkgroupRun {
    /// `workgroup_id`.
    pub fn id(&self) -> UVec3 {
        self.id
    }

    /// The workgroup size.
    pub fn size(&self) -> [u32; 3] {
        self.size
    }

    /// Number of invocations.
    pub fn len(&self) -> usize {
        self.size.iter().map(|&s| s as usize).product()
    }

    /// Whether the workgroup has no invocations (never, for a valid size).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The invocation of `local_index`.
    pub fn invocation(&self, local_index: u32) -> Invocation {
        let [sx, sy, _] = self.size;
        let local = vec3(local_index % sx, local_index / sx % sy, local_index / (sx * sy));
        let size = vec3(self.size[0], self.size[1], self.size[2]);
        Invocation {
            global_id: self.id * size + local,
            local_id: local,
            workgroup_id: self.id,
            num_workgroups: self.count,
            local_index,
        }
    }

    /// The invocations, in `local_invocation_index` order (x fastest).
    pub fn invocations(&self) -> impl Iterator<Item = Invocation> + '_ {
        let [sx, sy, sz] = self.size;
        let (id, count) = (self.id, self.count);
        let base = id * vec3(sx, sy, sz);
        (0..sz).flat_map(move |z| {
            (0..sy).flat_map(move |y| {
                (0..sx).map(move |x| {
                    let local = vec3(x, y, z);
                    Invocation {
                        global_id: base + local,
                        local_id: local,
                        workgroup_id: id,
                        num_workgroups: count,
                        local_index: x + sx * (y + sy * z),
                    }
                })
            })
        })
    }
}

/// Checks the workgroup size and count against `device`'s limits, as the
/// GPU path does, and returns the workgroup count.
fn workgroups(device: &Device, workgroup_size: [u32; 3], threads: Threads) -> Result<[u32; 3]> {
    crate::kernel::check_workgroup_size(device, workgroup_size)?;
    let count = threads.workgroups(workgroup_size);
    let max = device.limits().max_compute_workgroups_per_dimension;
    if let Some(&n) = count.iter().find(|&&n| n > max) {
        return Err(Error::OverLimit {
            what: "workgroup count",
            value: n.into(),
            limit: "maxComputeWorkgroupsPerDimension",
            max: max.into(),
        });
    }
    Ok(count)
}

/// Runs `f` once per workgroup of a launch of `threads` invocations, in
/// `workgroup_id` order (x fastest).
pub fn for_each_workgroup(
    device: &Device,
    workgroup_size: [u32; 3],
    threads: Threads,
    mut f: impl FnMut(&WorkgroupRun),
) -> Result<()> {
    let [nx, ny, nz] = workgroups(device, workgroup_size, threads)?;
    let count = vec3(nx, ny, nz);
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                let group = WorkgroupRun { id: vec3(x, y, z), size: workgroup_size, count };
                WORKGROUP.with(|w| w.set(Some(group)));
                f(&group);
            }
        }
    }
    WORKGROUP.with(|w| w.set(None));
    Ok(())
}

/// Runs `f` once per invocation of a launch of `threads` invocations (the
/// workgroups times the workgroup size, as on the GPU: the body checks its
/// bounds), workgroup after workgroup.
pub fn for_each_invocation(
    device: &Device,
    workgroup_size: [u32; 3],
    threads: Threads,
    mut f: impl FnMut(&Invocation),
) -> Result<()> {
    let [sx, sy, sz] = workgroup_size;
    for_each_workgroup(device, workgroup_size, threads, |group| {
        let mut invocation = Invocation {
            global_id: UVec3::default(),
            local_id: UVec3::default(),
            workgroup_id: group.id,
            num_workgroups: group.count,
            local_index: 0,
        };
        let base = group.id * vec3(sx, sy, sz);
        for z in 0..sz {
            for y in 0..sy {
                for x in 0..sx {
                    invocation.local_id = vec3(x, y, z);
                    invocation.global_id = base + invocation.local_id;
                    LOCAL_INDEX.with(|i| i.set(invocation.local_index));
                    f(&invocation);
                    invocation.local_index += 1;
                }
            }
        }
    })
}

/// Runs the invocation futures of one workgroup to completion in lock-step:
/// each round polls every unfinished one once, in order, so all of them
/// reach a [`barrier`] before any goes past it.
///
/// WGSL requires every invocation of a workgroup to reach the same
/// barriers; an invocation that returns early simply stops taking part, so
/// the others never wait forever.
pub fn lockstep<F: Future<Output = ()>>(invocations: impl IntoIterator<Item = F>) {
    let mut futures: Vec<Option<F>> = invocations.into_iter().map(Some).collect();
    let mut cx = Context::from_waker(Waker::noop());
    let mut running = futures.len();
    while running > 0 {
        for (index, slot) in futures.iter_mut().enumerate() {
            let Some(future) = slot else { continue };
            LOCAL_INDEX.with(|i| i.set(index as u32));
            // SAFETY: the future stays in this slot, which the vector never
            // moves (it is not resized), until it is dropped in place below
            // or with the vector.
            let future = unsafe { Pin::new_unchecked(future) };
            if future.poll(&mut cx).is_ready() {
                *slot = None;
                running -= 1;
            }
        }
    }
}

/// A workgroup barrier in a CPU kernel: suspends the invocation once, so
/// [`lockstep`] runs the rest of the workgroup up to the same barrier.
pub fn barrier() -> Barrier {
    Barrier { passed: false }
}

/// The future [`barrier`] returns.
#[derive(Debug)]
#[must_use = "a barrier does nothing unless awaited"]
pub struct Barrier {
    passed: bool,
}

impl Future for Barrier {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.passed, true) { Poll::Ready(()) } else { Poll::Pending }
    }
}

/// Records a kernel's dispatch into `pass` on the CPU device: `run`, the
/// kernel's CPU translation over its own handles to the arguments, runs at
/// `Queue::submit`, in order with the encoder's other commands, as the
/// dispatch would on a GPU. `buffers` are the arguments, which submit
/// checks (alive, unmapped) like a GPU command buffer's.
pub fn record_cpu(
    pass: &mut ComputePass<'_>,
    buffers: &[BindingResource<'_>],
    run: impl Fn(&Device) -> Result<()> + 'static,
) -> Result<()> {
    let shared: Vec<&Rc<BufferShared>> = buffers
        .iter()
        .filter_map(|resource| match resource {
            BindingResource::Buffer(binding) => Some(binding.buffer),
            _ => None,
        })
        .collect();
    let device = pass.device();
    pass.record_cpu(&shared, CpuCommand::Kernel { device, run: Box::new(run) })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::{BufferDescriptor, BufferInitDescriptor};

    /// Runs a future that never waits on the host: the CPU device's.
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
                return value;
            }
        }
    }

    fn cpu_device() -> Device {
        // `Instance::new` asks the host, which a native test has not.
        block_on(crate::Adapter::cpu().request_device(&Default::default())).unwrap().0
    }

    #[test]
    fn lockstep_runs_every_invocation_to_each_barrier_before_any_passes_it() {
        let log = RefCell::new(Vec::new());
        let body = |id: u32| {
            let log = &log;
            async move {
                for phase in 0..3 {
                    log.borrow_mut().push((phase, id));
                    // An invocation that leaves early must not block the others.
                    if id == 2 && phase == 1 {
                        return;
                    }
                    barrier().await;
                }
            }
        };
        lockstep((0..4).map(body));
        let log = log.into_inner();
        let phases: Vec<u32> = log.iter().map(|&(phase, _)| phase).collect();
        assert_eq!(phases, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
        assert!(log[8..].iter().all(|&(_, id)| id != 2));
    }

    #[test]
    fn invocations_cover_the_launch_in_wgsl_order() {
        let device = cpu_device();
        let mut seen = Vec::new();
        for_each_invocation(&device, [4, 2, 1], Threads([6, 3, 1]), |inv| seen.push(*inv)).unwrap();
        // ceil(6 / 4) × ceil(3 / 2) workgroups of 8 invocations.
        assert_eq!(seen.len(), 2 * 2 * 8);
        assert_eq!(seen[1].local_index, 1);
        assert_eq!(seen[5].local_id, vec3(1, 1, 0));
        assert_eq!(seen[9].global_id, vec3(5, 0, 0));
        assert_eq!(seen[9].workgroup_id, vec3(1, 0, 0));
        assert!(seen.iter().all(|inv| inv.num_workgroups == vec3(2, 2, 1)));
        let mut ids: Vec<_> = seen.iter().map(|inv| (inv.global_id.y, inv.global_id.x)).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 32, "every invocation has its own global id");
        let group = WorkgroupRun { id: vec3(1, 1, 0), size: [4, 2, 1], count: vec3(2, 2, 1) };
        let from_index: Vec<_> = (0..8).map(|i| group.invocation(i)).collect();
        assert_eq!(group.invocations().collect::<Vec<_>>(), from_index);
    }

    #[test]
    fn launches_past_the_limits_are_errors() {
        let device = cpu_device();
        let too_many = Threads([65536 * 64, 1, 1]);
        assert!(matches!(for_each_invocation(&device, [64, 1, 1], too_many, |_| {}), Err(Error::OverLimit { .. })));
        assert!(matches!(
            for_each_workgroup(&device, [512, 1, 1], Threads([1, 1, 1]), |_| {}),
            Err(Error::OverLimit { .. })
        ));
        assert!(matches!(
            for_each_workgroup(&device, [0, 1, 1], Threads([1, 1, 1]), |_| {}),
            Err(Error::OverLimit { .. })
        ));
    }

    #[test]
    fn cpu_slices_borrow_like_webgpu_bindings() {
        let device = cpu_device();
        let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
        let init = |contents: &[u32]| device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage });
        let x = init(&[1, 2, 3]).unwrap();
        let mut y = init(&[10, 20, 30]).unwrap();
        {
            let xs = cpu_slice(&device, &x).unwrap();
            let mut ys = cpu_slice_mut(&device, &mut y).unwrap();
            ys.iter_mut().zip(xs.iter()).for_each(|(y, x)| *y += x);
            let mut alias = x.clone();
            assert!(matches!(cpu_slice_mut(&device, &mut alias), Err(Error::UsageConflict { .. })));
        }
        assert_eq!(block_on(y.read()).unwrap(), [11, 22, 33]);
        let other = cpu_device();
        assert!(matches!(cpu_slice(&other, &x), Err(Error::DeviceMismatch(_))));
        assert!(matches!(cpu_slice(&device, &init(&[]).unwrap()), Err(Error::BindGroup(_))));
    }

    #[test]
    fn cpu_buffers_copy_at_submit_and_map() {
        let device = cpu_device();
        let usage = BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
        let a = device
            .create_buffer_init(&BufferInitDescriptor { label: None, contents: &[1u32, 2, 3, 4], usage })
            .unwrap();
        let b = device
            .create_buffer::<u32>(&BufferDescriptor {
                label: None,
                len: 4,
                usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
            .unwrap();
        let mut encoder = device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&a, 4, &b, 0, 12).unwrap();
        let commands = block_on(encoder.finish()).unwrap();
        assert_eq!(block_on(b.read()).unwrap(), [0, 0, 0, 0], "nothing runs before submit");
        crate::queue::submit(&device.shared, vec![commands]).unwrap();
        block_on(b.map_async(crate::MapMode::Read)).unwrap();
        assert_eq!(b.slice(1..3).get_mapped_range().unwrap(), [3, 4]);
        b.unmap().unwrap();
    }
}
