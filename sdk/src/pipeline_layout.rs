//! [`PipelineLayout`]: WebGPU's `GPUPipelineLayout`.

use std::rc::Rc;

use crate::bind_group_layout::BindGroupLayoutShared;
use crate::bindings::webgpu as raw;
use crate::device::{DeviceShared, same_device};
use crate::{BindGroupLayout, Error, Result};

/// Describes a [`PipelineLayout`]. Corresponds to WebGPU's
/// [`GPUPipelineLayoutDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpupipelinelayoutdescriptor).
#[derive(Clone, Default)]
pub struct PipelineLayoutDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The layout of `@group(0)`, `@group(1)`, … in order.
    pub bind_group_layouts: &'a [&'a BindGroupLayout],
}

/// The bind group layouts a pipeline uses, one per `@group`. Corresponds to
/// WebGPU's [`GPUPipelineLayout`](https://www.w3.org/TR/webgpu/#gpupipelinelayout).
/// A cheap handle: clones share the layout.
#[derive(Clone)]
pub struct PipelineLayout {
    pub(crate) raw: Rc<raw::GpuPipelineLayout>,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) groups: Rc<[Rc<BindGroupLayoutShared>]>,
}

impl PipelineLayout {
    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &PipelineLayoutDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_pipeline_layout";
        let gpu = device.raw(OP)?;
        let layouts = descriptor.bind_group_layouts;
        let max = device.limits.max_bind_groups;
        if layouts.len() > max as usize {
            return Err(Error::OverLimit {
                what: "bind group layouts",
                value: layouts.len() as u64,
                limit: "maxBindGroups",
                max: max.into(),
            });
        }
        for layout in layouts {
            same_device(&layout.shared.device, device, OP)?;
        }
        let raw = gpu.create_pipeline_layout(&raw::GpuPipelineLayoutDescriptor {
            bind_group_layouts: layouts.iter().map(|l| Some(&l.shared.raw)).collect(),
            immediate_size: None,
            label: descriptor.label.map(str::to_owned),
        });
        let layout = Self {
            raw: Rc::new(raw),
            device: device.clone(),
            groups: layouts.iter().map(|l| l.shared.clone()).collect(),
        };
        #[cfg(feature = "trace")]
        crate::trace::with(device, |r| r.pipeline_layout(Rc::as_ptr(&layout.raw) as usize, &layout.groups));
        Ok(layout)
    }

    /// Number of bind groups in the layout.
    pub fn bind_group_count(&self) -> usize {
        self.groups.len()
    }
}
