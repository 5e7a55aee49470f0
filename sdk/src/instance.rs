//! [`Instance`]: the entry point, WebGPU's `GPU` object.

use crate::bindings::webgpu as raw;
use crate::{Adapter, Error, Result};

/// The entry point to the GPU. Corresponds to WebGPU's
/// [`GPU`](https://www.w3.org/TR/webgpu/#gpu-interface), which wasi:webgpu
/// hands out through `get-gpu`.
///
/// An instance is cheap; its only job is to find an [`Adapter`].
pub struct Instance {
    raw: raw::Gpu,
}

impl Default for Instance {
    fn default() -> Self {
        Self::new()
    }
}

impl Instance {
    /// Connects to the host's GPU.
    pub fn new() -> Self {
        Self { raw: raw::get_gpu() }
    }

    /// Asks the host for an adapter that fits `options`.
    ///
    /// Returns [`Error::NoAdapter`] when the host has none, for example when no
    /// GPU driver (nor Mesa's lavapipe) is installed on the host.
    pub async fn request_adapter(&self, options: &RequestAdapterOptions) -> Result<Adapter> {
        let raw_options = raw::GpuRequestAdapterOptions {
            feature_level: None,
            power_preference: options.power_preference.to_raw(),
            force_fallback_adapter: Some(options.force_fallback_adapter),
            xr_compatible: None,
        };
        let adapter = self.raw.request_adapter(Some(raw_options)).await;
        adapter.map(Adapter::from_raw).ok_or(Error::NoAdapter)
    }

    /// The in-guest CPU adapter, which every guest has: its devices keep
    /// buffers in guest memory and run `#[wasi_webgpu::kernel]` kernels on
    /// the CPU. See [`Adapter`]'s section on it.
    ///
    /// It is not what [`RequestAdapterOptions::force_fallback_adapter`]
    /// asks for: WebGPU's fallback adapter is a complete software
    /// implementation on the host (such as lavapipe) that runs WGSL too,
    /// while the CPU adapter runs only Rust kernels and buffer operations.
    /// So its [`AdapterInfo::is_fallback_adapter`](crate::AdapterInfo::is_fallback_adapter)
    /// is `false`; [`Adapter::is_cpu`] tells it apart.
    pub fn cpu_adapter(&self) -> Adapter {
        Adapter::cpu()
    }

    /// Asks the host for an adapter, like [`request_adapter`](Self::request_adapter),
    /// and gives the [CPU adapter](Self::cpu_adapter) when the host has
    /// none, so a guest whose GPU work is all Rust kernels runs anywhere.
    /// [`Adapter::is_cpu`] tells which it got.
    pub async fn request_adapter_or_cpu(&self, options: &RequestAdapterOptions) -> Adapter {
        match self.request_adapter(options).await {
            Ok(adapter) => adapter,
            Err(_) => Adapter::cpu(),
        }
    }
}

/// Which adapter to prefer. Corresponds to WebGPU's
/// [`GPUPowerPreference`](https://www.w3.org/TR/webgpu/#enumdef-gpupowerpreference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PowerPreference {
    /// No preference: the host chooses.
    #[default]
    None,
    /// Prefer an integrated or otherwise power-saving adapter.
    LowPower,
    /// Prefer a discrete, fast adapter.
    HighPerformance,
}

impl PowerPreference {
    fn to_raw(self) -> Option<raw::GpuPowerPreference> {
        match self {
            Self::None => None,
            Self::LowPower => Some(raw::GpuPowerPreference::LowPower),
            Self::HighPerformance => Some(raw::GpuPowerPreference::HighPerformance),
        }
    }
}

/// Options for [`Instance::request_adapter`]. Corresponds to WebGPU's
/// [`GPURequestAdapterOptions`](https://www.w3.org/TR/webgpu/#dictdef-gpurequestadapteroptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RequestAdapterOptions {
    /// Which kind of adapter to prefer.
    pub power_preference: PowerPreference,
    /// Ask for a fallback (software) adapter, such as lavapipe.
    pub force_fallback_adapter: bool,
}
