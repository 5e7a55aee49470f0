//! [`Limits`]: WebGPU's `GPUSupportedLimits`, as a plain struct.

use crate::bindings::webgpu as raw;
use crate::{Error, Result};

/// Declares `Limits` with one field per limit: the field, its WebGPU name, its
/// type, its WebGPU default, and whether a *smaller* value is the better one
/// (the alignment limits).
macro_rules! limits {
    ($( $(#[$doc:meta])* $field:ident: $ty:ty = $default:expr, $name:literal, $smaller_is_better:expr; )*) => {
        /// Resource limits of an adapter or device. Corresponds to WebGPU's
        /// [`GPUSupportedLimits`](https://www.w3.org/TR/webgpu/#gpusupportedlimits).
        ///
        /// [`Limits::default()`] holds the WebGPU default limits, which every
        /// adapter supports and which a device gets unless
        /// [`DeviceDescriptor::required_limits`](crate::DeviceDescriptor::required_limits)
        /// asks for more. To use everything an adapter offers, request
        /// [`Adapter::limits()`](crate::Adapter::limits).
        ///
        /// The limits WebGPU defines per vertex or fragment stage for storage
        /// buffers and textures are left out: this SDK is compute first, and the
        /// reference host cannot report them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct Limits {
            $( $(#[$doc])* pub $field: $ty, )*
        }

        impl Default for Limits {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl Limits {
            pub(crate) fn from_raw(raw: &raw::GpuSupportedLimits) -> Self {
                Self { $( $field: raw.$field(), )* }
            }

            /// Every limit as `u64`, in the order of [`Self::NAMES`]. The checks
            /// below loop over this table instead of repeating their code for
            /// each of the ~30 limits, which keeps them small in a guest.
            fn values(&self) -> [u64; Self::NAMES.len()] {
                [$( self.$field as u64, )*]
            }

            /// WebGPU name of each limit, and whether a smaller value is the better one.
            const NAMES: [(&'static str, bool); [$($name),*].len()] = [$( ($name, $smaller_is_better), )*];

            /// Checks that every limit in `self` is no better than in
            /// `supported`, so that a device with `self` can be created from
            /// an adapter with `supported`.
            pub fn check_within(&self, supported: &Limits) -> Result<()> {
                let limits = Self::NAMES.iter().zip(self.values()).zip(supported.values());
                for (((name, smaller_is_better), requested), available) in limits {
                    let exceeded = if *smaller_is_better { requested < available } else { requested > available };
                    if exceeded {
                        return Err(Error::LimitExceeded { name, requested, supported: available });
                    }
                }
                Ok(())
            }

            /// Checks that the alignment limits (those where smaller is
            /// better) are powers of two, as WebGPU requires of a device's
            /// limits: an alignment of 48 would let bindings sit at offsets no
            /// power-of-two rule the GPU follows allows.
            pub(crate) fn check_alignments(&self) -> Result<()> {
                for ((name, smaller_is_better), value) in Self::NAMES.iter().zip(self.values()) {
                    if *smaller_is_better && !value.is_power_of_two() {
                        return Err(Error::InvalidLimit { name, value, reason: "an alignment must be a power of two" });
                    }
                }
                Ok(())
            }

            /// The limits that differ from the defaults, by WebGPU name, as
            /// `request-device` takes them.
            pub(crate) fn to_raw(self) -> Option<raw::RecordOptionGpuSize64> {
                let mut record = None;
                let limits = Self::NAMES.iter().zip(self.values()).zip(Limits::default().values());
                for (((name, _), value), default) in limits {
                    if value != default {
                        record.get_or_insert_with(raw::RecordOptionGpuSize64::new).add(name, Some(value));
                    }
                }
                record
            }
        }
    };
}

limits! {
    /// Largest width of a 1D texture.
    max_texture_dimension1_d: u32 = 8192, "maxTextureDimension1D", false;
    /// Largest width or height of a 2D texture.
    max_texture_dimension2_d: u32 = 8192, "maxTextureDimension2D", false;
    /// Largest dimension of a 3D texture.
    max_texture_dimension3_d: u32 = 2048, "maxTextureDimension3D", false;
    /// Most layers of an array texture.
    max_texture_array_layers: u32 = 256, "maxTextureArrayLayers", false;
    /// Most bind groups of a pipeline layout.
    max_bind_groups: u32 = 4, "maxBindGroups", false;
    /// Most bind groups plus vertex buffers of a render pipeline.
    max_bind_groups_plus_vertex_buffers: u32 = 24, "maxBindGroupsPlusVertexBuffers", false;
    /// Most bytes of immediate data.
    max_immediate_size: u32 = 0, "maxImmediateSize", false;
    /// Largest binding number in a bind group layout, plus one.
    max_bindings_per_bind_group: u32 = 1000, "maxBindingsPerBindGroup", false;
    /// Most uniform buffers with dynamic offsets in a pipeline layout.
    max_dynamic_uniform_buffers_per_pipeline_layout: u32 = 8, "maxDynamicUniformBuffersPerPipelineLayout", false;
    /// Most storage buffers with dynamic offsets in a pipeline layout.
    max_dynamic_storage_buffers_per_pipeline_layout: u32 = 4, "maxDynamicStorageBuffersPerPipelineLayout", false;
    /// Most sampled textures per shader stage.
    max_sampled_textures_per_shader_stage: u32 = 16, "maxSampledTexturesPerShaderStage", false;
    /// Most samplers per shader stage.
    max_samplers_per_shader_stage: u32 = 16, "maxSamplersPerShaderStage", false;
    /// Most storage buffers per shader stage.
    max_storage_buffers_per_shader_stage: u32 = 8, "maxStorageBuffersPerShaderStage", false;
    /// Most storage textures per shader stage.
    max_storage_textures_per_shader_stage: u32 = 4, "maxStorageTexturesPerShaderStage", false;
    /// Most uniform buffers per shader stage.
    max_uniform_buffers_per_shader_stage: u32 = 12, "maxUniformBuffersPerShaderStage", false;
    /// Largest uniform buffer binding, in bytes.
    max_uniform_buffer_binding_size: u64 = 65536, "maxUniformBufferBindingSize", false;
    /// Largest storage buffer binding, in bytes.
    max_storage_buffer_binding_size: u64 = 134_217_728, "maxStorageBufferBindingSize", false;
    /// Alignment of uniform buffer binding offsets, in bytes.
    min_uniform_buffer_offset_alignment: u32 = 256, "minUniformBufferOffsetAlignment", true;
    /// Alignment of storage buffer binding offsets, in bytes.
    min_storage_buffer_offset_alignment: u32 = 256, "minStorageBufferOffsetAlignment", true;
    /// Most vertex buffers of a render pipeline.
    max_vertex_buffers: u32 = 8, "maxVertexBuffers", false;
    /// Largest buffer, in bytes.
    max_buffer_size: u64 = 268_435_456, "maxBufferSize", false;
    /// Most vertex attributes of a render pipeline.
    max_vertex_attributes: u32 = 16, "maxVertexAttributes", false;
    /// Largest vertex buffer stride, in bytes.
    max_vertex_buffer_array_stride: u32 = 2048, "maxVertexBufferArrayStride", false;
    /// Most variables passed between shader stages.
    max_inter_stage_shader_variables: u32 = 16, "maxInterStageShaderVariables", false;
    /// Most color attachments of a render pass.
    max_color_attachments: u32 = 8, "maxColorAttachments", false;
    /// Most bytes per sample across color attachments.
    max_color_attachment_bytes_per_sample: u32 = 32, "maxColorAttachmentBytesPerSample", false;
    /// Most bytes of workgroup memory in a compute shader.
    max_compute_workgroup_storage_size: u32 = 16384, "maxComputeWorkgroupStorageSize", false;
    /// Most invocations in one workgroup.
    max_compute_invocations_per_workgroup: u32 = 256, "maxComputeInvocationsPerWorkgroup", false;
    /// Largest workgroup size in x.
    max_compute_workgroup_size_x: u32 = 256, "maxComputeWorkgroupSizeX", false;
    /// Largest workgroup size in y.
    max_compute_workgroup_size_y: u32 = 256, "maxComputeWorkgroupSizeY", false;
    /// Largest workgroup size in z.
    max_compute_workgroup_size_z: u32 = 64, "maxComputeWorkgroupSizeZ", false;
    /// Most workgroups per dimension of one dispatch.
    max_compute_workgroups_per_dimension: u32 = 65535, "maxComputeWorkgroupsPerDimension", false;
}

/// [`Error::OverLimit`] when `value`, the count or size of `what`, is over
/// the device limit named `limit`, whose value is `max`.
pub(crate) fn check_limit(what: &'static str, value: u64, limit: &'static str, max: u64) -> Result<()> {
    if value > max {
        return Err(Error::OverLimit { what, value, limit, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_within_compares_in_the_right_direction() {
        let adapter = Limits::default();
        assert_eq!(Limits::default().check_within(&adapter), Ok(()));

        let more = Limits { max_buffer_size: adapter.max_buffer_size + 1, ..adapter };
        assert!(matches!(more.check_within(&adapter), Err(Error::LimitExceeded { name: "maxBufferSize", .. })));

        // For alignments, asking for a smaller one is asking for more.
        let finer = Limits { min_storage_buffer_offset_alignment: 32, ..adapter };
        assert!(matches!(
            finer.check_within(&adapter),
            Err(Error::LimitExceeded { name: "minStorageBufferOffsetAlignment", .. })
        ));
        let coarser = Limits { min_storage_buffer_offset_alignment: 512, ..adapter };
        assert_eq!(coarser.check_within(&adapter), Ok(()));
    }

    #[test]
    fn alignments_must_be_powers_of_two() {
        assert_eq!(Limits::default().check_alignments(), Ok(()));
        for (uniform, storage, name, value) in [
            (384, 256, "minUniformBufferOffsetAlignment", 384),
            (256, 0, "minStorageBufferOffsetAlignment", 0),
            (256, 257, "minStorageBufferOffsetAlignment", 257),
        ] {
            let limits = Limits {
                min_uniform_buffer_offset_alignment: uniform,
                min_storage_buffer_offset_alignment: storage,
                ..Limits::default()
            };
            assert!(
                matches!(limits.check_alignments(), Err(Error::InvalidLimit { name: n, value: v, .. }) if n == name && v == value),
                "{limits:?}"
            );
        }
        let coarse = Limits { min_uniform_buffer_offset_alignment: 1 << 16, ..Limits::default() };
        assert_eq!(coarse.check_alignments(), Ok(()));
    }
}
