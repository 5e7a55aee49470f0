//! [`Adapter`] and [`AdapterInfo`]: WebGPU's `GPUAdapter` and `GPUAdapterInfo`.

use std::rc::Rc;

use crate::backend::AdapterBackend;
use crate::bindings::webgpu as raw;
use crate::device::DeviceShared;
use crate::{Device, DeviceDescriptor, Error, Features, Limits, Queue, Result};

/// A physical GPU (or a software one) that can create devices. Corresponds to
/// WebGPU's [`GPUAdapter`](https://www.w3.org/TR/webgpu/#gpuadapter).
///
/// Its [`features`](Self::features) and [`limits`](Self::limits) are read once,
/// when the adapter is obtained, and are what a device may ask for.
///
/// # The CPU adapter
/// [`Instance::cpu_adapter`](crate::Instance::cpu_adapter) (or
/// [`Instance::request_adapter_or_cpu`](crate::Instance::request_adapter_or_cpu)
/// on a host without a GPU) gives the in-guest CPU adapter instead. Its
/// devices keep buffers in guest memory and run
/// [`#[wasi_webgpu::kernel]`](macro@crate::kernel) kernels as Rust on the
/// CPU, through the same `launch` call; see the
/// [crate documentation](crate#rust-kernels-and-the-cpu-device) for the
/// semantics, float tolerance and speed. WGSL shader modules, pipelines and
/// passes need a GPU, and return [`Error::CpuDevice`] there. It has
/// WebGPU's default limits and no optional features.
pub struct Adapter {
    backend: AdapterBackend,
    features: Features,
    limits: Limits,
}

impl Adapter {
    pub(crate) fn from_raw(raw: raw::GpuAdapter) -> Self {
        let features = Features::from_raw(&raw.features());
        let limits = Limits::from_raw(&raw.limits());
        Self { backend: AdapterBackend::Host(raw), features, limits }
    }

    pub(crate) fn cpu() -> Self {
        Self { backend: AdapterBackend::Cpu, features: Features::empty(), limits: Limits::default() }
    }

    /// Whether this is the in-guest CPU adapter.
    pub fn is_cpu(&self) -> bool {
        self.backend.is_cpu()
    }

    /// The features this adapter supports.
    pub fn features(&self) -> Features {
        self.features
    }

    /// The best limits this adapter supports.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// What the host says about the adapter. Hosts may leave the strings
    /// empty; the reference host mostly does.
    pub fn get_info(&self) -> AdapterInfo {
        self.backend.info()
    }

    /// Opens a device on this adapter, with its queue.
    ///
    /// The required features and limits are checked against the adapter's
    /// first, so asking for too much is an [`Error::UnsupportedFeature`] or
    /// [`Error::LimitExceeded`] that names what was missing; an alignment
    /// limit that is not a power of two is an [`Error::InvalidLimit`].
    pub async fn request_device(&self, descriptor: &DeviceDescriptor<'_>) -> Result<(Device, Queue)> {
        let missing = descriptor.required_features - self.features;
        if let Some((_, flag)) = missing.iter().next() {
            return Err(Error::UnsupportedFeature(flag.name().unwrap_or("unknown")));
        }
        descriptor.required_limits.check_alignments()?;
        descriptor.required_limits.check_within(&self.limits)?;
        let backend = self.backend.request_device(descriptor).await?;
        let shared = Rc::new(DeviceShared::new(backend, descriptor.required_features, descriptor.required_limits));
        Ok((Device::from_shared(shared.clone()), Queue::from_shared(shared)))
    }
}

/// Facts about an adapter. Corresponds to WebGPU's
/// [`GPUAdapterInfo`](https://www.w3.org/TR/webgpu/#gpuadapterinfo).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AdapterInfo {
    /// The vendor's name or id; may be empty.
    pub vendor: String,
    /// The GPU family; may be empty.
    pub architecture: String,
    /// The device's name or id; may be empty.
    pub device: String,
    /// A human-readable description; may be empty.
    pub description: String,
    /// Smallest subgroup size.
    pub subgroup_min_size: u32,
    /// Largest subgroup size.
    pub subgroup_max_size: u32,
    /// Whether this is a fallback (software) adapter.
    pub is_fallback_adapter: bool,
}

impl AdapterInfo {
    pub(crate) fn from_raw(raw: &raw::GpuAdapterInfo) -> Self {
        Self {
            vendor: raw.vendor(),
            architecture: raw.architecture(),
            device: raw.device(),
            description: raw.description(),
            subgroup_min_size: raw.subgroup_min_size(),
            subgroup_max_size: raw.subgroup_max_size(),
            is_fallback_adapter: raw.is_fallback_adapter(),
        }
    }
}
