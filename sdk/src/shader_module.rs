//! [`ShaderModule`]: WebGPU's `GPUShaderModule`.

use std::borrow::Cow;
use std::rc::Rc;

use crate::Result;
use crate::bindings::webgpu as raw;
use crate::device::DeviceShared;

/// Shader source code. WebGPU takes WGSL only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShaderSource<'a> {
    /// [WGSL](https://www.w3.org/TR/WGSL/) source text.
    Wgsl(Cow<'a, str>),
}

impl Default for ShaderSource<'_> {
    fn default() -> Self {
        Self::Wgsl(Cow::Borrowed(""))
    }
}

/// Describes a [`ShaderModule`]. Corresponds to WebGPU's
/// [`GPUShaderModuleDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpushadermoduledescriptor).
/// [`include_wgsl!`](crate::include_wgsl) makes one from a file.
#[derive(Debug, Clone, Default)]
pub struct ShaderModuleDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The source.
    pub source: ShaderSource<'a>,
}

/// A compiled shader. Corresponds to WebGPU's
/// [`GPUShaderModule`](https://www.w3.org/TR/webgpu/#gpushadermodule).
///
/// Creating one is `async` and fails with
/// [`Error::Validation`](crate::Error::Validation), carrying the compiler's
/// message, when the WGSL is invalid: wasi:webgpu hosts may not implement
/// `getCompilationInfo`, so the SDK captures the compile error itself. A
/// cheap handle: clones share the module.
#[derive(Clone)]
pub struct ShaderModule {
    pub(crate) raw: Rc<raw::GpuShaderModule>,
    pub(crate) device: Rc<DeviceShared>,
}

impl ShaderModule {
    pub(crate) async fn new(device: &Rc<DeviceShared>, descriptor: ShaderModuleDescriptor<'_>) -> Result<Self> {
        let ShaderSource::Wgsl(code) = descriptor.source;
        let raw_descriptor = raw::GpuShaderModuleDescriptor {
            code: code.into_owned(),
            compilation_hints: None,
            label: descriptor.label.map(str::to_owned),
        };
        let raw = device.capture(|| device.raw.create_shader_module(&raw_descriptor)).await?;
        Ok(Self { raw: Rc::new(raw), device: device.clone() })
    }
}

/// A [`ShaderModuleDescriptor`] for a WGSL file, read at compile time with
/// `include_str!` (so the path is relative to the calling file) and labelled
/// with its path.
///
/// ```ignore
/// let module = device.create_shader_module(wasi_webgpu::include_wgsl!("collatz.wgsl")).await?;
/// ```
#[macro_export]
macro_rules! include_wgsl {
    ($path:literal) => {
        $crate::ShaderModuleDescriptor {
            label: ::core::option::Option::Some($path),
            source: $crate::ShaderSource::Wgsl(::std::borrow::Cow::Borrowed(::core::include_str!($path))),
        }
    };
}
