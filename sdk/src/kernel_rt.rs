//! What the code `#[wasi_webgpu::kernel]` generates runs on: the checks of
//! a launch's arguments, and the GPU launch (a pipeline compiled once per
//! device, a uniform block, one pass, one submit) and dispatch (the same,
//! recorded into the caller's pass). Which of a kernel's two translations
//! runs is the backend's choice (`backend::launch`, `backend::dispatch`);
//! the CPU one runs on the executor in `backend::cpu::kernel`. Not public
//! API; the semantics users see are documented in the crate documentation.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::kernel::{Kernel, KernelSpec};
use crate::{
    BindGroup, BindGroupEntry, BindingResource, Buffer, BufferDescriptor, BufferInitDescriptor, BufferUsages,
    ComputePass, Device, Result, Threads,
};

/// A kernel compiled for one device, with the buffer its uniforms go in.
struct Compiled {
    spec: &'static KernelSpec,
    kernel: Kernel,
    uniforms: Cell<Option<Buffer<u8>>>,
}

/// The kernels a device has compiled, keyed by their spec's address.
///
/// It belongs to the [`Device`] handles, not to the device's shared state
/// that pipelines point back to, so dropping the last `Device` frees the
/// pipelines instead of leaking a reference cycle.
#[derive(Default)]
pub(crate) struct KernelCache {
    compiled: RefCell<Vec<Rc<Compiled>>>,
}

impl KernelCache {
    async fn get(&self, device: &Device, spec: &'static KernelSpec) -> Result<Rc<Compiled>> {
        let found = self.compiled.borrow().iter().find(|c| std::ptr::eq(c.spec, spec)).cloned();
        if let Some(compiled) = found {
            return Ok(compiled);
        }
        let kernel = Kernel::new(device, spec, &[]).await?;
        let compiled = Rc::new(Compiled { spec, kernel, uniforms: Cell::new(None) });
        self.compiled.borrow_mut().push(compiled.clone());
        Ok(compiled)
    }
}

/// Launches a kernel on a GPU device: its pipeline (compiled on first use
/// and cached in the device), `buffers` at bindings `0..n` of group 0 and,
/// when `uniforms` is not empty, a uniform block holding them at binding
/// `n`; one compute pass covering `threads`, submitted at once. The
/// generated `launch` has passed `buffers` through [`check_launch`].
pub async fn launch_gpu(
    device: &Device,
    spec: &'static KernelSpec,
    call: &'static str,
    uniforms: &[u8],
    buffers: &[BindingResource<'_>],
    threads: Threads,
) -> Result<()> {
    let compiled = device.kernels.get(device, spec).await?;
    let uniform_buffer = if uniforms.is_empty() { None } else { Some(uniform_buffer(device, &compiled, uniforms)?) };
    let groups = bind(device, &compiled, call, buffers, uniform_buffer.as_ref())?;
    compiled.kernel.run(device, &groups, threads).await?;
    if let Some(buffer) = uniform_buffer {
        compiled.uniforms.replace(Some(buffer));
    }
    Ok(())
}

/// Records a kernel's dispatch into `pass` on a GPU device, bound like
/// [`launch_gpu`] binds it, with a uniform block of its own: the pass runs
/// at a later submit, after other dispatches of the same kernel may have
/// recorded other values, so the launch's cached uniform buffer cannot
/// serve. `async` only to compile the kernel on its first use.
pub async fn dispatch_gpu(
    pass: &mut ComputePass<'_>,
    spec: &'static KernelSpec,
    call: &'static str,
    uniforms: &[u8],
    buffers: &[BindingResource<'_>],
    threads: Threads,
) -> Result<()> {
    let device = pass.device();
    let compiled = device.kernels.get(&device, spec).await?;
    let uniform_buffer = if uniforms.is_empty() {
        None
    } else {
        let mut contents = uniforms.to_vec();
        contents.resize(uniforms.len().next_multiple_of(16), 0);
        let usage = BufferUsages::UNIFORM | BufferUsages::COPY_DST;
        Some(device.create_buffer_init(&BufferInitDescriptor {
            label: Some(spec.label),
            contents: &contents,
            usage,
        })?)
    };
    let groups = bind(&device, &compiled, call, buffers, uniform_buffer.as_ref())?;
    compiled.kernel.dispatch(pass, &groups, threads)
}

/// The bind group of a kernel: `buffers` at bindings `0..n`, the uniform
/// block, if any, at `n`.
fn bind(
    device: &Device,
    compiled: &Compiled,
    call: &'static str,
    buffers: &[BindingResource<'_>],
    uniforms: Option<&Buffer<u8>>,
) -> Result<Vec<BindGroup>> {
    let mut entries: Vec<BindGroupEntry<'_>> = buffers
        .iter()
        .enumerate()
        .map(|(binding, &resource)| BindGroupEntry { binding: binding as u32, resource })
        .collect();
    if let Some(buffer) = uniforms {
        entries.push(BindGroupEntry { binding: buffers.len() as u32, resource: buffer.as_entire_binding() });
    }
    compiled.kernel.bind(device, call, false, &[&entries])
}

/// Checks a launch's buffer arguments (`buffers`, one per buffer parameter
/// of the kernel, in order) before it runs on either device, so that both
/// give the same error for the same mistake, naming the public `call`
/// (`saxpy::launch`) and the parameter: a buffer of another device, a
/// destroyed or mapped one (which the host would report only when the
/// encoder finishes, as a bare validation error), one without `STORAGE`,
/// an empty one, and one bound twice where either parameter is writable,
/// which launches forbid so that a kernel's `&mut` slice never aliases
/// another of its arguments.
pub fn check_launch(
    device: &Device,
    spec: &'static KernelSpec,
    call: &'static str,
    buffers: &[BindingResource<'_>],
) -> Result<()> {
    let (layout, names) = (spec.groups.first().copied().unwrap_or_default(), spec.names.first().copied());
    let names = names.unwrap_or_default();
    let mut arguments = Vec::with_capacity(buffers.len());
    for ((&resource, entry), &name) in buffers.iter().zip(layout).zip(names) {
        if let BindingResource::Buffer(binding) = resource {
            binding.buffer.check_gpu_usable(call).map_err(|e| e.named(name))?;
        }
        arguments.push((name, resource, entry.ty));
    }
    crate::kernel::check_arguments(device, call, &arguments, Some(crate::kernel::Aliasing::Launch))
}

/// A uniform buffer holding `uniforms` once the next submit runs.
///
/// The kernel's cached buffer is taken out of the cache for the launch and
/// put back after its submit: queue writes run at the next submit, so a
/// second launch of the same kernel writing the same buffer while the first
/// awaits `finish` would change the first one's values. A concurrent launch
/// finds the cache empty and makes a buffer of its own.
fn uniform_buffer(device: &Device, compiled: &Compiled, uniforms: &[u8]) -> Result<Buffer<u8>> {
    // WGSL rounds a struct's size up to its alignment, at most 16.
    let len = uniforms.len().next_multiple_of(16);
    let buffer = match compiled.uniforms.take() {
        Some(buffer) if buffer.len() == len as u64 => buffer,
        _ => device.create_buffer::<u8>(&BufferDescriptor {
            label: Some(compiled.spec.label),
            len: len as u64,
            usage: BufferUsages::UNIFORM | BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })?,
    };
    let mut padded = uniforms.to_vec();
    padded.resize(len, 0);
    crate::queue::write_bytes(&buffer.shared, 0, &padded)?;
    Ok(buffer)
}
