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
        let gpu = device.raw(OP)?;
        same_device(&descriptor.module.device, device, OP)?;
        if let Some(layout) = descriptor.layout {
            same_device(&layout.device, device, OP)?;
        }
        let stage = crate::shader_guard::Stage {
            stage: "compute",
            entry_point: descriptor.entry_point,
            constants: descriptor.compilation_options.constants,
        };
        descriptor.module.check_stage(&stage, OP)?;
        let record = constants_record(descriptor.compilation_options.constants);
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
        let raw = device.capture(|| gpu.create_compute_pipeline(raw_descriptor)).await?;
        let id = next_pipeline_id();
        #[cfg(feature = "trace")]
        crate::trace::with(device, |r| {
            r.pipeline(
                id,
                Rc::as_ptr(&descriptor.module.raw) as usize,
                descriptor.entry_point,
                descriptor.compilation_options.constants,
                descriptor.layout.map(|l| Rc::as_ptr(&l.raw) as usize),
            )
        });
        Ok(Self {
            shared: Rc::new(ComputePipelineShared {
                raw,
                device: device.clone(),
                id,
                layout: descriptor.layout.cloned(),
            }),
        })
    }

    /// The layout of `@group(index)`: for an explicit pipeline layout, the
    /// layout it was created with; for an `auto` one, the layout the host
    /// derived from the shader, which fits only this pipeline.
    pub fn get_bind_group_layout(&self, index: u32) -> Result<BindGroupLayout> {
        let shared = &self.shared;
        layout_of_group(&shared.device, shared.layout.as_ref(), shared.id, index, || {
            shared.raw.get_bind_group_layout(index)
        })
    }
}

/// A fresh pipeline identity, shared by compute and render pipelines.
pub(crate) fn next_pipeline_id() -> u64 {
    NEXT_PIPELINE_ID.fetch_add(1, Ordering::Relaxed)
}

/// The host's record of override constants; `None` when there are none.
pub(crate) fn constants_record(constants: &[(&str, f64)]) -> Option<raw::RecordGpuPipelineConstantValue> {
    (!constants.is_empty()).then(|| {
        let record = raw::RecordGpuPipelineConstantValue::new();
        for (name, value) in constants {
            record.add(name, *value);
        }
        record
    })
}

/// `get_bind_group_layout` of a compute or render pipeline `pipeline`:
/// the explicit layout's group, or the one the host derives (`derive`) for
/// an `auto` layout.
pub(crate) fn layout_of_group(
    device: &Rc<DeviceShared>,
    layout: Option<&PipelineLayout>,
    pipeline: u64,
    index: u32,
    derive: impl FnOnce() -> raw::GpuBindGroupLayout,
) -> Result<BindGroupLayout> {
    let max = device.limits.max_bind_groups;
    if index >= max {
        return Err(Error::OverLimit {
            what: "bind group index",
            value: index.into(),
            limit: "maxBindGroups",
            max: max.into(),
        });
    }
    match layout {
        Some(layout) => layout
            .groups
            .get(index as usize)
            .map(|group| BindGroupLayout { shared: group.clone() })
            .ok_or_else(|| Error::BindGroup(format!("the pipeline layout has no group {index}"))),
        None => {
            let layout = BindGroupLayout::from_parts(derive(), device, LayoutOrigin::Derived { pipeline });
            #[cfg(feature = "trace")]
            crate::trace::with(device, |r| r.derived_layout(&layout.shared, pipeline, index));
            Ok(layout)
        }
    }
}
