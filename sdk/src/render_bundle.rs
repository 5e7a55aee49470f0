//! [`RenderBundleEncoder`] and [`RenderBundle`]: WebGPU's
//! `GPURenderBundleEncoder` and `GPURenderBundle`.

use std::rc::Rc;

use crate::bindings::webgpu as raw;
use crate::command_buffer::UsedResources;
use crate::device::DeviceShared;
use crate::render_pass::{DrawRecorder, draw_methods};
use crate::render_pipeline::AttachmentLayout;
use crate::{Error, Result, TextureFormat};

/// The depth-stencil attachment a bundle renders with. Corresponds to the
/// depth-stencil members of WebGPU's
/// [`GPURenderBundleEncoderDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderbundleencoderdescriptor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenderBundleDepthStencil {
    /// The attachment's format.
    pub format: TextureFormat,
    /// Whether the bundle leaves depth unwritten, so that it can run in a
    /// pass whose depth is read-only.
    pub depth_read_only: bool,
    /// Whether the bundle leaves stencil unwritten.
    pub stencil_read_only: bool,
}

/// Describes a [`RenderBundleEncoder`]: the attachments of the passes its
/// bundle will run in. Corresponds to WebGPU's
/// [`GPURenderBundleEncoderDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderbundleencoderdescriptor).
#[derive(Debug, Clone, Copy)]
pub struct RenderBundleEncoderDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The color attachment formats, as in the passes' descriptors.
    pub color_formats: &'a [Option<TextureFormat>],
    /// The depth-stencil attachment, if any.
    pub depth_stencil: Option<RenderBundleDepthStencil>,
    /// Samples per pixel of the attachments: 1 or 4.
    pub sample_count: u32,
}

impl Default for RenderBundleEncoderDescriptor<'_> {
    fn default() -> Self {
        Self { label: None, color_formats: &[], depth_stencil: None, sample_count: 1 }
    }
}

/// Describes a [`RenderBundle`]. Corresponds to WebGPU's
/// [`GPURenderBundleDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderbundledescriptor).
#[derive(Debug, Clone, Default)]
pub struct RenderBundleDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
}

/// Records draws once for replaying in many render passes. Corresponds to
/// WebGPU's [`GPURenderBundleEncoder`](https://www.w3.org/TR/webgpu/#gpurenderbundleencoder).
///
/// Created by [`Device::create_render_bundle_encoder`](crate::Device::create_render_bundle_encoder)
/// for passes with given attachment formats and sample count. It records
/// what a [`RenderPass`](crate::RenderPass) records, with the same checks at
/// each call; [`finish`](Self::finish) turns it into a [`RenderBundle`] that
/// [`RenderPass::execute_bundles`](crate::RenderPass::execute_bundles) runs.
/// A bundle starts with no state set: it inherits nothing from the pass.
pub struct RenderBundleEncoder {
    recorder: DrawRecorder<raw::GpuRenderBundleEncoder>,
}

impl RenderBundleEncoder {
    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &RenderBundleEncoderDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_render_bundle_encoder";
        let gpu = device.raw(OP)?;
        // The reference host fails (traps) on more than 8 formats or a
        // sample count that is not a power of two, so the guest checks.
        let max = device.limits.max_color_attachments.min(8);
        if descriptor.color_formats.len() > max as usize {
            return Err(Error::OverLimit {
                what: "color formats",
                value: descriptor.color_formats.len() as u64,
                limit: "maxColorAttachments",
                max: max.into(),
            });
        }
        let count = descriptor.sample_count;
        if count != 1 && count != 4 {
            return Err(Error::RenderPass(format!("{OP}: sample count {count}: WebGPU allows only 1 or 4")));
        }
        for (i, format) in descriptor.color_formats.iter().enumerate() {
            if let Some(format) = format
                && (format.is_depth_stencil_format() || !format.is_renderable(device.features))
            {
                return Err(Error::RenderPass(format!(
                    "{OP}: color format {i}: {} is not a color-renderable format",
                    format.name()
                )));
            }
        }
        if let Some(ds) = &descriptor.depth_stencil
            && !ds.format.is_depth_stencil_format()
        {
            return Err(Error::RenderPass(format!(
                "{OP}: the depth-stencil format {} is not a depth or stencil format",
                ds.format.name()
            )));
        }
        if descriptor.color_formats.iter().all(Option::is_none) && descriptor.depth_stencil.is_none() {
            return Err(Error::RenderPass(format!("{OP}: a bundle needs at least one attachment format")));
        }
        let raw = gpu.create_render_bundle_encoder(&raw::GpuRenderBundleEncoderDescriptor {
            depth_read_only: descriptor.depth_stencil.map(|ds| ds.depth_read_only),
            stencil_read_only: descriptor.depth_stencil.map(|ds| ds.stencil_read_only),
            color_formats: descriptor.color_formats.iter().map(|f| f.map(TextureFormat::to_raw)).collect(),
            depth_stencil_format: descriptor.depth_stencil.map(|ds| ds.format.to_raw()),
            sample_count: Some(count),
            label: descriptor.label.map(str::to_owned),
        });
        let ds = descriptor.depth_stencil.as_ref();
        let layout = AttachmentLayout::new(descriptor.color_formats.iter().copied(), ds.map(|ds| ds.format), count);
        Ok(Self {
            recorder: DrawRecorder::new(
                raw,
                device,
                layout,
                ds.is_none_or(|ds| ds.depth_read_only),
                ds.is_none_or(|ds| ds.stencil_read_only),
            ),
        })
    }

    draw_methods!("bundle");

    /// Ends recording. Corresponds to WebGPU's
    /// [`finish`](https://www.w3.org/TR/webgpu/#dom-gpurenderbundleencoder-finish).
    ///
    /// `async` because it asks the host whether the recording is valid;
    /// what the guest could not check is an
    /// [`Error::Validation`](crate::Error::Validation) here.
    pub async fn finish(self, descriptor: &RenderBundleDescriptor<'_>) -> Result<RenderBundle> {
        let DrawRecorder { raw, device, layout, depth_read_only, stencil_read_only, used, .. } = self.recorder;
        let raw_descriptor = raw::GpuRenderBundleDescriptor { label: descriptor.label.map(str::to_owned) };
        let raw = device.capture(|| raw.finish(Some(&raw_descriptor))).await?;
        Ok(RenderBundle {
            shared: Rc::new(RenderBundleShared { raw, device, layout, depth_read_only, stencil_read_only, used }),
        })
    }
}

impl crate::Device {
    /// Creates an encoder for a render bundle that runs in passes with the
    /// descriptor's attachment formats and sample count. Corresponds to
    /// WebGPU's
    /// [`createRenderBundleEncoder`](https://www.w3.org/TR/webgpu/#dom-gpudevice-createrenderbundleencoder).
    pub fn create_render_bundle_encoder(
        &self,
        descriptor: &RenderBundleEncoderDescriptor<'_>,
    ) -> Result<RenderBundleEncoder> {
        RenderBundleEncoder::new(&self.shared, descriptor)
    }
}

pub(crate) struct RenderBundleShared {
    pub(crate) raw: raw::GpuRenderBundle,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) layout: AttachmentLayout,
    pub(crate) depth_read_only: bool,
    pub(crate) stencil_read_only: bool,
    /// What the bundle's draws use, each once: kept alive with the bundle and
    /// added to every pass that executes it.
    pub(crate) used: UsedResources,
}

/// Recorded draws that render passes replay. Corresponds to WebGPU's
/// [`GPURenderBundle`](https://www.w3.org/TR/webgpu/#gpurenderbundle).
///
/// Made by [`RenderBundleEncoder::finish`]; runs in passes whose attachment
/// formats and sample count are those it was encoded for. It keeps the
/// buffers and bind groups it uses alive. A cheap handle: clones share the
/// bundle.
#[derive(Clone)]
pub struct RenderBundle {
    pub(crate) shared: Rc<RenderBundleShared>,
}
