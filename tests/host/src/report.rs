//! How many GPU objects the runner's wgpu-core instance holds, for tests that
//! look for leaks: a guest's objects are released only when it drops their
//! handles, so counts that grow across a run are objects a guest forgot.

use std::collections::BTreeMap;

use crate::Runner;
use crate::wgpu_core::registry::RegistryReport;

impl Runner {
    /// The number of live objects of each kind (`"buffers"`, `"devices"`,
    /// ...) in the GPU instance guests share: ids wgpu-core still holds for
    /// a handle nobody released, from
    /// [`Global::generate_report`](crate::wgpu_core::global::Global::generate_report).
    /// Every kind is present, zero or not.
    pub fn gpu_resource_counts(&self) -> BTreeMap<&'static str, usize> {
        let report = self.global().generate_report();
        let hub = report.hub_report();
        let kinds: [(&'static str, &RegistryReport); 20] = [
            ("surfaces", report.surfaces()),
            ("adapters", &hub.adapters),
            ("devices", &hub.devices),
            ("queues", &hub.queues),
            ("pipeline_layouts", &hub.pipeline_layouts),
            ("shader_modules", &hub.shader_modules),
            ("bind_group_layouts", &hub.bind_group_layouts),
            ("bind_groups", &hub.bind_groups),
            ("command_encoders", &hub.command_encoders),
            ("command_buffers", &hub.command_buffers),
            ("render_bundles", &hub.render_bundles),
            ("render_pipelines", &hub.render_pipelines),
            ("compute_pipelines", &hub.compute_pipelines),
            ("pipeline_caches", &hub.pipeline_caches),
            ("query_sets", &hub.query_sets),
            ("buffers", &hub.buffers),
            ("textures", &hub.textures),
            ("texture_views", &hub.texture_views),
            ("external_textures", &hub.external_textures),
            ("samplers", &hub.samplers),
        ];
        kinds.into_iter().map(|(kind, registry)| (kind, registry.num_kept_from_user)).collect()
    }
}
