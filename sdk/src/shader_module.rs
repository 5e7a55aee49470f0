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
/// `getCompilationInfo`, so the SDK captures the compile error itself. With
/// the cargo feature `validate`, naga checks the WGSL in the guest first, and
/// invalid WGSL fails with [`Error::Shader`](crate::Error::Shader), which has
/// the line and column, without reaching the host. Before either, the
/// [shader guard](crate::shader_guard) refuses WGSL that could crash or hang
/// the host's compiler or driver (deep nesting, too much workgroup or
/// private memory, workgroups over the device's limits) with
/// [`Error::ShaderRefused`](crate::Error::ShaderRefused). A cheap handle:
/// clones share the module.
#[derive(Clone)]
pub struct ShaderModule {
    pub(crate) raw: Rc<raw::GpuShaderModule>,
    pub(crate) device: Rc<DeviceShared>,
    /// The source, kept when it declares overrides: pipeline creation
    /// checks again what they decide (workgroup sizes, workgroup arrays).
    pub(crate) overridable: Option<Rc<str>>,
}

impl ShaderModule {
    pub(crate) async fn new(device: &Rc<DeviceShared>, descriptor: ShaderModuleDescriptor<'_>) -> Result<Self> {
        let gpu = device.raw("create_shader_module")?;
        let ShaderSource::Wgsl(code) = descriptor.source;
        // Before naga (guest or host) parses anything: hostile WGSL
        // overflows naga's stack.
        let overridable = crate::shader_guard::check_module(&code, &device.limits)?.then(|| Rc::from(&*code));
        #[cfg(feature = "validate")]
        validate(&code)?;
        let raw_descriptor = raw::GpuShaderModuleDescriptor {
            code: code.into_owned(),
            compilation_hints: None,
            label: descriptor.label.map(str::to_owned),
        };
        let raw = Rc::new(device.capture(|| gpu.create_shader_module(&raw_descriptor)).await?);
        #[cfg(feature = "trace")]
        crate::trace::with(device, |r| r.module(Rc::as_ptr(&raw) as usize, descriptor.label, &raw_descriptor.code));
        Ok(Self { raw, device: device.clone(), overridable })
    }

    /// Checks, at pipeline creation `operation`, what the stage's override
    /// constants decide.
    pub(crate) fn check_stage(&self, stage: &crate::shader_guard::Stage<'_>, operation: &'static str) -> Result<()> {
        match &self.overridable {
            Some(source) => crate::shader_guard::check_stage(source, stage, &self.device.limits, operation),
            None => Ok(()),
        }
    }
}

/// Validates WGSL in the guest, with the naga version and WebGPU profile the
/// reference host compiles with, so that what passes here compiles there.
/// The host's answer would carry only a message, and some hosts trap on
/// WGSL they reject; this gives a position and never reaches the host.
#[cfg(feature = "validate")]
fn validate(code: &str) -> Result<()> {
    wasi_webgpu_shader::validate(code).map_err(|diagnostic| {
        crate::Error::Shader(crate::ShaderError {
            message: diagnostic.message,
            line: diagnostic.line,
            column: diagnostic.column,
        })
    })
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

#[cfg(all(test, feature = "validate"))]
mod tests {
    use super::*;
    use crate::{Error, ShaderError};

    #[test]
    fn valid_wgsl_passes() {
        let wgsl = "@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n\
                    @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {\n\
                    if id.x < arrayLength(&v) { v[id.x] *= 2u; }\n}\n";
        assert_eq!(validate(wgsl), Ok(()));
    }

    #[test]
    fn invalid_wgsl_is_a_shader_error_with_line_and_column() {
        let wgsl = "@compute @workgroup_size(1)\nfn main() {\n    let x = y;\n}\n";
        let Err(Error::Shader(error)) = validate(wgsl) else { panic!("expected Error::Shader") };
        assert_eq!((error.line, error.column), (Some(3), Some(13)), "{error:?}");
        assert!(error.message.contains('y'), "{error:?}");
        assert_eq!(error.to_string(), format!("invalid WGSL at 3:13: {}", error.message));
    }

    #[test]
    fn limits_are_checked_too() {
        // Valid WGSL, but beyond WebGPU's 256 invocations per workgroup.
        let wgsl = "@compute @workgroup_size(512) fn main() {}";
        let Err(Error::Shader(ShaderError { line, .. })) = validate(wgsl) else { panic!("expected Error::Shader") };
        assert_eq!(line, Some(1));
    }
}
