//! Validation against the WebGPU profile: naga's validator with WebGPU's capabilities only, then the
//! WebGPU default limits that naga leaves to the pipeline (wgpu-core checks those when a pipeline is
//! created; checking them here moves the error to compile time).

use std::ops::Range;

use naga::valid::{Capabilities, EntryPointError, ModuleInfo, ValidationError, ValidationFlags, Validator};
use naga::{AddressSpace, Handle, ImageClass, Module, ShaderStage, TypeInner};

use crate::Diagnostic;
use crate::front::{self, Parsed};

/// What every WebGPU implementation supports beyond naga's empty capability set: these are core
/// WGSL (`@builtin(sample_index)`, `@interpolate(_, sample)`, `texture_cube_array`, `quantizeToF16`,
/// `pack2x16float`, `unpack2x16float`). wgpu-core derives exactly these from
/// `DownlevelFlags::compliant()` with no optional features.
const WEBGPU_CORE: Capabilities = Capabilities::MULTISAMPLED_SHADING
    .union(Capabilities::CUBE_ARRAY_TEXTURES)
    .union(Capabilities::SHADER_FLOAT16_IN_FLOAT32);

/// The WebGPU optional features that have a WGSL `enable` directive naga 29 implements:
/// `shader-f16`, `clip-distances`, `dual-source-blending`, `primitive-index`. Whether the device has
/// them is a run-time question; the shader records its `enable`s for that.
///
/// `subgroups` is missing on purpose: naga 29 rejects `enable subgroups;` as not yet implemented
/// (gfx-rs/wgpu#5555), so the host rejects it too.
const WEBGPU_OPTIONAL: Capabilities = Capabilities::SHADER_FLOAT16
    .union(Capabilities::CLIP_DISTANCE)
    .union(Capabilities::DUAL_SOURCE_BLENDING)
    .union(Capabilities::PRIMITIVE_INDEX);

/// The capabilities whose `enable` directive the parser may accept.
pub(crate) fn parser_capabilities() -> Capabilities {
    WEBGPU_CORE | WEBGPU_OPTIONAL
}

/// Runs naga's validator with WebGPU's core capabilities plus those the module's `enable`s ask for.
pub(crate) fn validate(parsed: &Parsed, source: &str, path: &str) -> Result<ModuleInfo, Diagnostic> {
    let mut caps = WEBGPU_CORE | (front::enabled_capabilities(&parsed.enables) & WEBGPU_OPTIONAL);
    if parsed.enables.iter().any(|e| e == "subgroups") {
        // Unreachable with naga 29 (see WEBGPU_OPTIONAL); kept so that a naga which implements the
        // directive gets WebGPU's subgroup set, which `Validator::new` derives from SUBGROUP alone.
        caps |= Capabilities::SUBGROUP;
    }
    Validator::new(ValidationFlags::all(), caps).validate(&parsed.module).map_err(|error| {
        if let ValidationError::EntryPoint { name, stage, source: EntryPointError::BindingCollision(second) } =
            error.as_inner()
            && let Some(diagnostic) = binding_clash(&parsed.module, caps, (name, *stage), *second, source, path)
        {
            return diagnostic;
        }
        validation_diagnostic(&error, &parsed.module, source, path)
    })
}

fn validation_diagnostic(
    error: &naga::WithSpan<ValidationError>,
    module: &Module,
    source: &str,
    path: &str,
) -> Diagnostic {
    // naga's own rendering names IR handles ("naga::ir::Expression [1]") and Rust types; the
    // message and labels are reworded in WGSL's terms and rendered like this crate's other errors.
    let (message, labels) = crate::explain::explain(error, module, source);
    Diagnostic::at(message, &labels, source, path)
}

/// Explains naga's `BindingCollision`, which names only the second of the two variables.
fn binding_clash(
    module: &Module,
    caps: Capabilities,
    (entry, stage): (&str, ShaderStage),
    second: Handle<naga::GlobalVariable>,
    source: &str,
    path: &str,
) -> Option<Diagnostic> {
    let bind = module.global_variables[second].binding?;
    // The first is the earliest variable with that binding that the entry point uses. Usage comes
    // from a second validation without the binding checks; this runs only on the error path.
    let info = Validator::new(ValidationFlags::all() - ValidationFlags::BINDINGS, caps).validate(module).ok();
    let ep_info = module
        .entry_points
        .iter()
        .position(|ep| ep.name == entry && ep.stage == stage)
        .and_then(|i| Some(info.as_ref()?.get_entry_point(i)));
    let (first, _) = module.global_variables.iter().find(|(h, var)| {
        *h != second && var.binding == Some(bind) && ep_info.is_none_or(|ep_info| !ep_info[*h].is_empty())
    })?;
    let message = format!(
        "binding clash: `{}` and `{}` both use @group({}) @binding({}) in entry point `{entry}`",
        global_name(module, first),
        global_name(module, second),
        bind.group,
        bind.binding,
    );
    Some(Diagnostic::at(
        message,
        &[
            (span_of_global(module, second), "this binding is already in use".to_string()),
            (span_of_global(module, first), "first used here".to_string()),
        ],
        source,
        path,
    ))
}

/// WebGPU's default limits (<https://www.w3.org/TR/webgpu/#limits>). A device may offer more, but a
/// shader within these runs on every WebGPU device without asking for higher limits.
pub(crate) mod limits {
    pub const MAX_BIND_GROUPS: u32 = 4;
    pub const MAX_BINDINGS_PER_BIND_GROUP: u32 = 1000;
    pub const MAX_COMPUTE_INVOCATIONS_PER_WORKGROUP: u32 = 256;
    pub const MAX_COMPUTE_WORKGROUP_SIZE: [u32; 3] = [256, 256, 64];
    pub const MAX_COMPUTE_WORKGROUP_STORAGE_SIZE: u32 = 16384;
    pub const MAX_STORAGE_BUFFERS_PER_SHADER_STAGE: u32 = 8;
    pub const MAX_UNIFORM_BUFFERS_PER_SHADER_STAGE: u32 = 12;
    pub const MAX_SAMPLED_TEXTURES_PER_SHADER_STAGE: u32 = 16;
    pub const MAX_SAMPLERS_PER_SHADER_STAGE: u32 = 16;
    pub const MAX_STORAGE_TEXTURES_PER_SHADER_STAGE: u32 = 4;
    pub const MAX_UNIFORM_BUFFER_BINDING_SIZE: u64 = 65536;
    pub const MAX_STORAGE_BUFFER_BINDING_SIZE: u64 = 134_217_728;
}

/// Checks the WebGPU default limits. Runs after naga's validation, so the module is well formed and
/// `info` describes it.
pub(crate) fn check_limits(module: &Module, info: &ModuleInfo, source: &str, path: &str) -> Result<(), Diagnostic> {
    use limits::*;
    let gctx = module.to_ctx();

    for (handle, var) in module.global_variables.iter() {
        let Some(bind) = var.binding else { continue };
        let here = |message: String, label: &str| {
            Diagnostic::at(message, &[(span_of_global(module, handle), label.to_string())], source, path)
        };
        let name = global_name(module, handle);
        if bind.group >= MAX_BIND_GROUPS {
            return Err(here(
                format!(
                    "`{name}` uses @group({}), but the WebGPU limit maxBindGroups = {MAX_BIND_GROUPS} allows groups 0 to {}",
                    bind.group,
                    MAX_BIND_GROUPS - 1
                ),
                "group index out of range",
            ));
        }
        if bind.binding >= MAX_BINDINGS_PER_BIND_GROUP {
            return Err(here(
                format!(
                    "`{name}` uses @binding({}), but the WebGPU limit maxBindingsPerBindGroup = {MAX_BINDINGS_PER_BIND_GROUP} allows bindings 0 to {}",
                    bind.binding,
                    MAX_BINDINGS_PER_BIND_GROUP - 1
                ),
                "binding index out of range",
            ));
        }
        let size = u64::from(module.types[var.ty].inner.try_size(gctx).unwrap_or(u32::MAX));
        let limit = match var.space {
            AddressSpace::Uniform => Some(("maxUniformBufferBindingSize", MAX_UNIFORM_BUFFER_BINDING_SIZE)),
            AddressSpace::Storage { .. } => Some(("maxStorageBufferBindingSize", MAX_STORAGE_BUFFER_BINDING_SIZE)),
            _ => None,
        };
        if let Some((limit_name, limit)) = limit
            && size > limit
        {
            return Err(here(
                format!("`{name}` is {size} bytes, which exceeds the WebGPU limit {limit_name} = {limit}"),
                "buffer too large",
            ));
        }
    }

    for (index, ep) in module.entry_points.iter().enumerate() {
        let ep_info = info.get_entry_point(index);
        // Scanning the source for the declaration is only worth it once there is an error to place.
        let name_span = || front::find_fn(source, &ep.name).map(|d| d.name);

        if ep.stage == ShaderStage::Compute {
            check_workgroup_size(ep, source, path)?;
        }

        let used = || module.global_variables.iter().filter(|(h, _)| !ep_info[*h].is_empty());

        if ep.stage == ShaderStage::Vertex
            && let Some((handle, _)) = used().find(|(_, v)| is_writable_storage(module, v))
        {
            return Err(Diagnostic::at(
                format!(
                    "vertex entry point `{}` uses `{}`, which is writable; WebGPU allows only read-only storage buffers and textures in the vertex stage",
                    ep.name,
                    global_name(module, handle)
                ),
                &[
                    (span_of_global(module, handle), "declared writable here".to_string()),
                    (name_span(), "vertex entry point declared here".to_string()),
                ],
                source,
                path,
            ));
        }

        let workgroup_vars = workgroup_vars(module, ep_info);
        let workgroup_bytes = workgroup_storage_bytes(&workgroup_vars);
        if workgroup_bytes > u64::from(MAX_COMPUTE_WORKGROUP_STORAGE_SIZE) {
            let mut labels = vec![(name_span(), "entry point declared here".to_string())];
            labels.extend(
                workgroup_vars.iter().map(|&(h, size)| (span_of_global(module, h), format!("{size} bytes used here"))),
            );
            return Err(Diagnostic::at(
                format!(
                    "entry point `{}` uses {workgroup_bytes} bytes of workgroup storage, which exceeds the WebGPU limit maxComputeWorkgroupStorageSize = {MAX_COMPUTE_WORKGROUP_STORAGE_SIZE}",
                    ep.name
                ),
                &labels,
                source,
                path,
            ));
        }

        for class in ResourceClass::ALL {
            let of_class: Vec<_> = used().filter(|(_, v)| class.matches(module, v)).map(|(h, _)| h).collect();
            let (what, limit_name, limit) = class.limit();
            if of_class.len() > limit as usize {
                let mut labels = vec![(name_span(), "entry point declared here".to_string())];
                labels.extend(
                    of_class[limit as usize..]
                        .iter()
                        .map(|&h| (span_of_global(module, h), "over the limit".to_string())),
                );
                return Err(Diagnostic::at(
                    format!(
                        "entry point `{}` uses {} {what}, which exceeds the WebGPU limit {limit_name} = {limit}",
                        ep.name,
                        of_class.len()
                    ),
                    &labels,
                    source,
                    path,
                ));
            }
        }
    }
    Ok(())
}

/// The workgroup variables an entry point uses, with their sizes.
pub(crate) fn workgroup_vars(
    module: &Module,
    ep_info: &naga::valid::FunctionInfo,
) -> Vec<(Handle<naga::GlobalVariable>, u32)> {
    module
        .global_variables
        .iter()
        .filter(|(h, v)| v.space == AddressSpace::WorkGroup && !ep_info[*h].is_empty())
        .map(|(h, v)| (h, module.types[v.ty].inner.try_size(module.to_ctx()).unwrap_or(u32::MAX)))
        .collect()
}

/// Workgroup storage as WebGPU counts it: roundUp(16, SizeOf(T)) per statically used variable.
/// naga sizes an override-sized array as empty, so such arrays count as 0: their size is unknown
/// until the pipeline's constants are.
pub(crate) fn workgroup_storage_bytes(vars: &[(Handle<naga::GlobalVariable>, u32)]) -> u64 {
    vars.iter().map(|&(_, size)| u64::from(size).div_ceil(16) * 16).sum()
}

/// A binding WebGPU types as writable (`storage` buffer or `write`/`read_write` storage texture),
/// from its declaration, whatever the shader actually does with it.
fn is_writable_storage(module: &Module, var: &naga::GlobalVariable) -> bool {
    let access = match (var.space, &module.types[var.ty].inner) {
        (AddressSpace::Storage { access }, _) => access,
        (AddressSpace::Handle, TypeInner::Image { class: ImageClass::Storage { access, .. }, .. }) => *access,
        _ => return false,
    };
    access.contains(naga::StorageAccess::STORE)
}

/// The binding kinds WebGPU limits per shader stage.
#[derive(Clone, Copy)]
enum ResourceClass {
    StorageBuffer,
    UniformBuffer,
    SampledTexture,
    Sampler,
    StorageTexture,
}

impl ResourceClass {
    const ALL: [Self; 5] =
        [Self::StorageBuffer, Self::UniformBuffer, Self::SampledTexture, Self::Sampler, Self::StorageTexture];

    fn matches(self, module: &Module, var: &naga::GlobalVariable) -> bool {
        if var.binding.is_none() {
            return false;
        }
        match (self, var.space, &module.types[var.ty].inner) {
            (Self::StorageBuffer, AddressSpace::Storage { .. }, _) => true,
            (Self::UniformBuffer, AddressSpace::Uniform, _) => true,
            (Self::StorageTexture, _, TypeInner::Image { class: ImageClass::Storage { .. }, .. }) => true,
            (Self::SampledTexture, _, TypeInner::Image { class, .. }) => !matches!(class, ImageClass::Storage { .. }),
            (Self::Sampler, _, TypeInner::Sampler { .. }) => true,
            _ => false,
        }
    }

    /// `(plural noun, WebGPU limit name, default value)`.
    fn limit(self) -> (&'static str, &'static str, u32) {
        use limits::*;
        match self {
            Self::StorageBuffer => {
                ("storage buffers", "maxStorageBuffersPerShaderStage", MAX_STORAGE_BUFFERS_PER_SHADER_STAGE)
            }
            Self::UniformBuffer => {
                ("uniform buffers", "maxUniformBuffersPerShaderStage", MAX_UNIFORM_BUFFERS_PER_SHADER_STAGE)
            }
            Self::SampledTexture => {
                ("sampled textures", "maxSampledTexturesPerShaderStage", MAX_SAMPLED_TEXTURES_PER_SHADER_STAGE)
            }
            Self::Sampler => ("samplers", "maxSamplersPerShaderStage", MAX_SAMPLERS_PER_SHADER_STAGE),
            Self::StorageTexture => {
                ("storage textures", "maxStorageTexturesPerShaderStage", MAX_STORAGE_TEXTURES_PER_SHADER_STAGE)
            }
        }
    }
}

/// Checks the dimensions fixed at compile time. A dimension set by an override is at least 1, so
/// the product of the fixed ones is a lower bound on the invocation count; the rest waits for the
/// pipeline's constants.
fn check_workgroup_size(ep: &naga::EntryPoint, source: &str, path: &str) -> Result<(), Diagnostic> {
    use limits::*;
    let overridden = |i: usize| ep.workgroup_size_overrides.is_some_and(|o| o[i].is_some());
    let fixed: [Option<u32>; 3] = std::array::from_fn(|i| (!overridden(i)).then_some(ep.workgroup_size[i]));
    let shown = fixed.map(|d| d.map_or_else(|| "?".to_string(), |d| d.to_string())).join("x");

    let mut problems = Vec::new();
    let invocations: u64 = fixed.iter().flatten().map(|&d| u64::from(d)).product();
    if invocations > u64::from(MAX_COMPUTE_INVOCATIONS_PER_WORKGROUP) {
        let at_least = if fixed.contains(&None) { "at least " } else { "" };
        problems.push(format!(
            "workgroup size {shown} is {at_least}{invocations} invocations, which exceeds the WebGPU limit maxComputeInvocationsPerWorkgroup = {MAX_COMPUTE_INVOCATIONS_PER_WORKGROUP}"
        ));
    }
    for (i, axis) in ["X", "Y", "Z"].into_iter().enumerate() {
        if let Some(d) = fixed[i]
            && d > MAX_COMPUTE_WORKGROUP_SIZE[i]
        {
            problems.push(format!(
                "workgroup size {axis} = {d} exceeds the WebGPU limit maxComputeWorkgroupSize{axis} = {}",
                MAX_COMPUTE_WORKGROUP_SIZE[i]
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let span = front::find_fn(source, &ep.name).map(|d| d.attribute("workgroup_size").unwrap_or(d.name));
    Err(Diagnostic::at(problems.join("; "), &[(span, format!("in entry point `{}`", ep.name))], source, path))
}

fn global_name(module: &Module, handle: Handle<naga::GlobalVariable>) -> &str {
    module.global_variables[handle].name.as_deref().unwrap_or("<unnamed>")
}

pub(crate) fn span_of_global(module: &Module, handle: Handle<naga::GlobalVariable>) -> Option<Range<usize>> {
    module.global_variables.get_span(handle).to_range()
}
