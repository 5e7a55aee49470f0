//! [`Device`]: WebGPU's `GPUDevice`, the factory for every GPU object.

use std::cell::Cell;
use std::rc::Rc;

use crate::backend::DeviceBackend;
use crate::bindings::webgpu as raw;
use crate::{
    BindGroup, BindGroupDescriptor, BindGroupLayout, BindGroupLayoutDescriptor, Buffer, BufferDescriptor,
    BufferInitDescriptor, CommandEncoder, CommandEncoderDescriptor, ComputePipeline, ComputePipelineDescriptor, Error,
    Features, Limits, PipelineLayout, PipelineLayoutDescriptor, Result, ShaderModule, ShaderModuleDescriptor,
};

/// State every object of a device shares: its backend, and what the guest
/// needs to validate calls without asking the host.
pub(crate) struct DeviceShared {
    pub(crate) backend: DeviceBackend,
    pub(crate) features: Features,
    pub(crate) limits: Limits,
    /// Error scopes the user pushed and has not popped yet.
    user_scopes: Cell<u32>,
    /// Whether queue writes (or contents of buffers mapped at creation) may
    /// wait in the host's pending writes, which it runs only at the next
    /// submit.
    unflushed_writes: Cell<bool>,
    /// The staging buffer reads of non-mappable buffers reuse; empty while
    /// a read has it, so concurrent reads each make their own. It holds the
    /// host handle rather than a `BufferShared`, which would point back here.
    pub(crate) read_staging: Cell<Option<crate::buffer::ReadStaging>>,
}

impl Drop for DeviceShared {
    fn drop(&mut self) {
        // Frees the staging memory now, while the device handle is still open.
        if let Some(staging) = self.read_staging.take() {
            staging.destroy();
        }
    }
}

impl DeviceShared {
    pub(crate) fn new(backend: DeviceBackend, features: Features, limits: Limits) -> Self {
        Self {
            backend,
            features,
            limits,
            user_scopes: Cell::new(0),
            unflushed_writes: Cell::new(false),
            read_staging: Cell::new(None),
        }
    }

    /// The host's device, for `operation`; the CPU device has none, so a
    /// GPU-only operation on it is an [`Error::CpuDevice`].
    pub(crate) fn raw(&self, operation: &'static str) -> Result<&raw::GpuDevice> {
        self.backend.device(operation)
    }

    /// The host's queue, for `operation`; see [`raw`](Self::raw).
    pub(crate) fn queue(&self, operation: &'static str) -> Result<&raw::GpuQueue> {
        self.backend.queue(operation)
    }

    pub(crate) fn note_unflushed_writes(&self) {
        self.unflushed_writes.set(true);
    }

    pub(crate) fn note_submitted(&self) {
        self.unflushed_writes.set(false);
    }

    /// WebGPU orders a map after earlier queue writes, but the host runs
    /// those writes only at a submit, and mapping does not submit: an empty
    /// submit runs them first, so a mapping sees what was written.
    pub(crate) fn flush_writes(&self) {
        if self.unflushed_writes.replace(false) {
            self.backend.flush_writes();
        }
    }

    /// Runs `f` inside fresh error scopes for every error kind and returns the
    /// first error the host reported during it.
    ///
    /// The host reports most failures only through error scopes, and some of
    /// its later calls panic on an object that failed this way (a command
    /// buffer that failed validation panics `submit`). Capturing here turns
    /// those failures into an `Err` at the call that caused them. The host
    /// resolves `pop-error-scope` at once, so no other task can push a scope
    /// between this push and pop.
    ///
    /// On the CPU device, which reports no errors asynchronously, it just runs `f`.
    pub(crate) async fn capture<T>(&self, f: impl FnOnce() -> T) -> Result<T> {
        self.backend.capture(f).await
    }
}

pub(crate) fn error_from_raw(error: &raw::GpuError) -> Error {
    let message = error.message();
    match error.kind() {
        raw::GpuErrorKind::ValidationError => Error::Validation(message),
        raw::GpuErrorKind::OutOfMemoryError => Error::OutOfMemory(message),
        raw::GpuErrorKind::InternalError => Error::Internal(message),
    }
}

/// Checks that two objects come from the same device.
pub(crate) fn same_device(a: &Rc<DeviceShared>, b: &Rc<DeviceShared>, operation: &'static str) -> Result<()> {
    if Rc::ptr_eq(a, b) { Ok(()) } else { Err(Error::DeviceMismatch(operation)) }
}

/// An open connection to an adapter, which creates every other GPU object.
/// Corresponds to WebGPU's [`GPUDevice`](https://www.w3.org/TR/webgpu/#gpudevice).
///
/// Obtained with its [`Queue`](crate::Queue) from
/// [`Adapter::request_device`](crate::Adapter::request_device). `Device` is a
/// cheap handle: clones share the device, and it stays open while any clone or
/// any object created from it is alive.
///
/// Creation methods check their descriptor in the guest against the device's
/// limits and features and return a typed [`Error`] instead of creating an
/// invalid object. Shader modules and pipelines are created `async`, because
/// only the host can compile a shader and it reports the outcome through an
/// error scope.
#[derive(Clone)]
pub struct Device {
    pub(crate) shared: Rc<DeviceShared>,
    /// Pipelines of `#[wasi_webgpu::kernel]` kernels, compiled on first launch.
    pub(crate) kernels: Rc<crate::kernel_rt::KernelCache>,
}

impl Device {
    pub(crate) fn from_shared(shared: Rc<DeviceShared>) -> Self {
        Self { shared, kernels: Default::default() }
    }

    /// Whether this is a device of the in-guest CPU adapter
    /// ([`Instance::cpu_adapter`](crate::Instance::cpu_adapter)), which runs
    /// `#[wasi_webgpu::kernel]` kernels as Rust and returns
    /// [`Error::CpuDevice`] for WGSL shaders, pipelines and passes.
    pub fn is_cpu(&self) -> bool {
        self.shared.backend.is_cpu()
    }

    /// The features this device was created with.
    pub fn features(&self) -> Features {
        self.shared.features
    }

    /// The limits this device was created with.
    pub fn limits(&self) -> Limits {
        self.shared.limits
    }

    /// Creates a buffer of `descriptor.len` elements of `T`.
    ///
    /// A buffer the host cannot allocate (or rejects) is an
    /// [`Error::OutOfMemory`] (or [`Error::Validation`]) here, never a
    /// buffer that fails later; see [`Buffer::created`].
    pub fn create_buffer<T: bytemuck::Pod>(&self, descriptor: &BufferDescriptor<'_>) -> Result<Buffer<T>> {
        Buffer::new(&self.shared, descriptor)
    }

    /// Creates a buffer holding `descriptor.contents`, mapped at creation and
    /// filled before it is unmapped, so no queue write or copy is needed.
    pub fn create_buffer_init<T: bytemuck::Pod>(&self, descriptor: &BufferInitDescriptor<'_, T>) -> Result<Buffer<T>> {
        Buffer::new_init(&self.shared, descriptor)
    }

    /// Creates a shader module from WGSL source.
    ///
    /// Returns [`Error::Validation`] with the compiler's message when the WGSL
    /// does not compile, and [`Error::ShaderRefused`] before the host sees it
    /// when the [shader guard](crate::shader_guard) finds it nested too deeply,
    /// too large, or over this device's workgroup limits.
    pub async fn create_shader_module(&self, descriptor: ShaderModuleDescriptor<'_>) -> Result<ShaderModule> {
        ShaderModule::new(&self.shared, descriptor).await
    }

    /// Creates a bind group layout.
    pub fn create_bind_group_layout(&self, descriptor: &BindGroupLayoutDescriptor<'_>) -> Result<BindGroupLayout> {
        BindGroupLayout::new(&self.shared, descriptor)
    }

    /// Creates a pipeline layout from bind group layouts.
    pub fn create_pipeline_layout(&self, descriptor: &PipelineLayoutDescriptor<'_>) -> Result<PipelineLayout> {
        PipelineLayout::new(&self.shared, descriptor)
    }

    /// Creates a texture. Corresponds to WebGPU's
    /// [`createTexture`](https://www.w3.org/TR/webgpu/#dom-gpudevice-createtexture).
    ///
    /// The descriptor is checked against WebGPU's rules and the device's
    /// limits and features first; a bad one is an [`Error`] and creates
    /// nothing. A texture the host cannot allocate is an
    /// [`Error::OutOfMemory`].
    pub fn create_texture(&self, descriptor: &crate::TextureDescriptor<'_>) -> Result<crate::Texture> {
        crate::Texture::new(&self.shared, descriptor)
    }

    /// Creates a sampler. Corresponds to WebGPU's
    /// [`createSampler`](https://www.w3.org/TR/webgpu/#dom-gpudevice-createsampler).
    pub fn create_sampler(&self, descriptor: &crate::SamplerDescriptor<'_>) -> Result<crate::Sampler> {
        crate::Sampler::new(&self.shared, descriptor)
    }

    /// Creates a bind group: the buffers a shader's `@group` sees.
    pub fn create_bind_group(&self, descriptor: &BindGroupDescriptor<'_>) -> Result<BindGroup> {
        BindGroup::new(&self.shared, descriptor)
    }

    /// Creates a compute pipeline, compiling its shader for the GPU.
    ///
    /// Returns [`Error::Validation`] when the entry point is missing, an
    /// override constant is unknown, or the shader does not fit the layout;
    /// [`Error::ShaderRefused`] when the override constants make the
    /// workgroup size or workgroup memory exceed this device's limits.
    pub async fn create_compute_pipeline(&self, descriptor: &ComputePipelineDescriptor<'_>) -> Result<ComputePipeline> {
        ComputePipeline::new(&self.shared, descriptor).await
    }

    /// Creates a command encoder, which records GPU work for a
    /// [`Queue`](crate::Queue) to run.
    pub fn create_command_encoder(&self, descriptor: &CommandEncoderDescriptor<'_>) -> CommandEncoder {
        let mut encoder = CommandEncoder::new(&self.shared, descriptor);
        encoder.kernels = self.kernels.clone();
        encoder
    }

    /// Starts capturing errors of `filter`'s kind. Corresponds to WebGPU's
    /// [`pushErrorScope`](https://www.w3.org/TR/webgpu/#dom-gpudevice-pusherrorscope).
    ///
    /// Errors the SDK returns directly never reach a scope; scopes see what
    /// the host reports for work the SDK cannot check in the guest.
    pub fn push_error_scope(&self, filter: ErrorFilter) {
        self.shared.user_scopes.set(self.shared.user_scopes.get() + 1);
        self.shared.backend.push_error_scope(filter.to_raw());
    }

    /// Stops the innermost scope and returns the first error it captured.
    /// Corresponds to WebGPU's
    /// [`popErrorScope`](https://www.w3.org/TR/webgpu/#dom-gpudevice-poperrorscope).
    ///
    /// Returns [`Error::ErrorScopeStackEmpty`] when no scope is pushed.
    pub async fn pop_error_scope(&self) -> Result<Option<Error>> {
        let depth = self.shared.user_scopes.get();
        if depth == 0 {
            return Err(Error::ErrorScopeStackEmpty);
        }
        self.shared.user_scopes.set(depth - 1);
        self.shared.backend.pop_error_scope().await
    }
}

/// Which errors an error scope captures. Corresponds to WebGPU's
/// [`GPUErrorFilter`](https://www.w3.org/TR/webgpu/#enumdef-gpuerrorfilter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorFilter {
    /// Validation errors.
    Validation,
    /// Out-of-memory errors.
    OutOfMemory,
    /// Internal errors.
    Internal,
}

impl ErrorFilter {
    fn to_raw(self) -> raw::GpuErrorFilter {
        match self {
            Self::Validation => raw::GpuErrorFilter::Validation,
            Self::OutOfMemory => raw::GpuErrorFilter::OutOfMemory,
            Self::Internal => raw::GpuErrorFilter::Internal,
        }
    }
}

/// Describes a [`Device`]. Corresponds to WebGPU's
/// [`GPUDeviceDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpudevicedescriptor).
#[derive(Debug, Clone, Default)]
pub struct DeviceDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// Features the device must have; each must be in
    /// [`Adapter::features`](crate::Adapter::features).
    pub required_features: Features,
    /// Limits the device must have; the default is WebGPU's default limits.
    pub required_limits: Limits,
}
