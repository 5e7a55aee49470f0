//! [`ComputePipeline`]: WebGPU's `GPUComputePipeline`.

use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::bind_group_layout::LayoutOrigin;
use crate::bindings::webgpu as raw;
use crate::device::{DeviceShared, same_device};
use crate::{BindGroupLayout, Error, PipelineLayout, Result, ShaderModule};

/// Options for compiling a pipeline's shader stage. Corresponds to the
/// `constants` member of WebGPU's
/// [`GPUProgrammableStage`](https://www.w3.org/TR/webgpu/#dictdef-gpuprogrammablestage).
#[derive(Debug, Clone, Copy, Default)]
pub struct PipelineCompilationOptions<'a> {
    /// Values for the shader's `override` declarations, by name (or by
    /// numeric `@id`, as a decimal string). Booleans are `0.0` or `1.0`.
    pub constants: &'a [(&'a str, f64)],
}

/// Describes a [`ComputePipeline`]. Corresponds to WebGPU's
/// [`GPUComputePipelineDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpucomputepipelinedescriptor).
///
/// It has no `Default`, because a pipeline cannot exist without its shader;
/// [`ComputePipelineDescriptor::new`] fills in the rest.
#[derive(Clone, Copy)]
pub struct ComputePipelineDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The pipeline's layout; `None` derives it from the shader (WebGPU's
    /// `"auto"` layout).
    pub layout: Option<&'a PipelineLayout>,
    /// The shader.
    pub module: &'a ShaderModule,
    /// The `@compute` function; `None` when the module has exactly one.
    pub entry_point: Option<&'a str>,
    /// Override constants.
    pub compilation_options: PipelineCompilationOptions<'a>,
}

impl<'a> ComputePipelineDescriptor<'a> {
    /// A descriptor with an `auto` layout, the module's only entry point and
    /// no override constants.
    pub fn new(module: &'a ShaderModule) -> Self {
        Self { label: None, layout: None, module, entry_point: None, compilation_options: Default::default() }
    }
}

/// Gives each pipeline an identity, so a layout derived from it can tell
/// which pipeline it fits.
static NEXT_PIPELINE_ID: AtomicU64 = AtomicU64::new(1);

pub(crate) struct ComputePipelineShared {
    pub(crate) raw: raw::GpuComputePipeline,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) id: u64,
    /// `None` for an `auto` layout.
    pub(crate) layout: Option<PipelineLayout>,
}

/// A compute shader entry point compiled with its layout and constants,
/// ready to dispatch. Corresponds to WebGPU's
/// [`GPUComputePipeline`](https://www.w3.org/TR/webgpu/#gpucomputepipeline).
///
/// Created `async` because the host compiles the shader then; a shader that
/// does not fit its layout or constants is an
/// [`Error::Validation`](crate::Error::Validation) at creation. A cheap
/// handle: clones share the pipeline.
#[derive(Clone)]
pub struct ComputePipeline {
    pub(crate) shared: Rc<ComputePipelineShared>,
}

impl ComputePipeline {
    pub(crate) async fn new(device: &Rc<DeviceShared>, descriptor: &ComputePipelineDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_compute_pipeline";
        same_device(&descriptor.module.device, device, OP)?;
        if let Some(layout) = descriptor.layout {
            same_device(&layout.device, device, OP)?;
        }
        let constants = descriptor.compilation_options.constants;
        let record = (!constants.is_empty()).then(|| {
            let record = raw::RecordGpuPipelineConstantValue::new();
            for (name, value) in constants {
                record.add(name, *value);
            }
            record
        });
        let raw_descriptor = raw::GpuComputePipelineDescriptor {
            compute: raw::GpuProgrammableStage {
                module: &descriptor.module.raw,
                entry_point: descriptor.entry_point.map(str::to_owned),
                constants: record,
            },
            layout: match descriptor.layout {
                Some(layout) => raw::GpuLayoutMode::Specific(&layout.raw),
                None => raw::GpuLayoutMode::Auto,
            },
            label: descriptor.label.map(str::to_owned),
        };
        let raw = device.capture(|| device.raw.create_compute_pipeline(raw_descriptor)).await?;
        Ok(Self {
            shared: Rc::new(ComputePipelineShared {
                raw,
                device: device.clone(),
                id: NEXT_PIPELINE_ID.fetch_add(1, Ordering::Relaxed),
                layout: descriptor.layout.cloned(),
            }),
        })
    }

    /// The layout of `@group(index)`: for an explicit pipeline layout, the
    /// layout it was created with; for an `auto` one, the layout the host
    /// derived from the shader, which fits only this pipeline.
    pub fn get_bind_group_layout(&self, index: u32) -> Result<BindGroupLayout> {
        let shared = &self.shared;
        let max = shared.device.limits.max_bind_groups;
        if index >= max {
            return Err(Error::OverLimit {
                what: "bind group index",
                value: index.into(),
                limit: "maxBindGroups",
                max: max.into(),
            });
        }
        match &shared.layout {
            Some(layout) => layout
                .groups
                .get(index as usize)
                .map(|group| BindGroupLayout { shared: group.clone() })
                .ok_or_else(|| Error::BindGroup(format!("the pipeline layout has no group {index}"))),
            None => Ok(BindGroupLayout::from_parts(
                shared.raw.get_bind_group_layout(index),
                &shared.device,
                LayoutOrigin::Derived { pipeline: shared.id },
            )),
        }
    }
}
