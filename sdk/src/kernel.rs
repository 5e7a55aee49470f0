//! What the code `#[wasi_webgpu::shader]` generates runs on: a compute entry
//! point compiled with explicit layouts, its workgroup size resolved with the
//! override values, and dispatch by thread count. Not public API: the
//! generated types wrap it with typed bindings.

use std::borrow::Cow;
use std::rc::Rc;

use crate::{
    BindGroup, BindGroupDescriptor, BindGroupEntry, BindGroupLayout, BindGroupLayoutDescriptor, BindGroupLayoutEntry,
    BindingResource, BindingType, BufferBindingType, BufferUsages, ComputePass, ComputePipeline,
    ComputePipelineDescriptor, Device, Error, PipelineCompilationOptions, PipelineLayoutDescriptor, Result,
    ShaderModuleDescriptor, ShaderSource, Threads,
};

/// One dimension of `@workgroup_size`.
#[derive(Debug, Clone, Copy)]
pub enum WorkgroupDim {
    /// A constant.
    Fixed(u32),
    /// WGSL text of an expression over overrides, e.g. `block / 2u`, and
    /// its evaluator, which the macro names ([`eval_dim`]) rather than
    /// [`Kernel::new`] calling it, so that the expression parser is linked
    /// only into guests that have such a size.
    Expression(&'static str, DimEvaluator),
}

/// Evaluates a `@workgroup_size` expression given the override values by WGSL name.
pub type DimEvaluator = fn(&str, &[(&str, f64)]) -> Result<u32>;

/// An override, as the pipeline's constants name it.
#[derive(Debug, Clone, Copy)]
pub struct OverrideSpec {
    /// The WGSL name.
    pub name: &'static str,
    /// The key of `constants`: the `@id` in decimal when there is one, else the name.
    pub key: &'static str,
    /// The shader's default, when it is a literal.
    pub default: Option<f64>,
    /// Whether the shader gives a default at all.
    pub has_default: bool,
}

/// A compute entry point, described by the macro.
#[derive(Debug)]
pub struct KernelSpec {
    /// The module's name, as a label.
    pub label: &'static str,
    /// The WGSL source.
    pub source: &'static str,
    /// The entry point.
    pub entry_point: &'static str,
    /// Layout entries of `@group(0)`, `@group(1)`, … that the entry point uses.
    pub groups: &'static [&'static [BindGroupLayoutEntry]],
    /// What the user calls each entry of `groups`, in the same order: the
    /// WGSL variable of a `#[shader]` global, the parameter of a `#[kernel]`
    /// (whose uniform block, which the user never sees, has no name), so
    /// that errors name the argument rather than a binding number.
    pub names: &'static [&'static [&'static str]],
    /// `@workgroup_size`.
    pub workgroup_size: [WorkgroupDim; 3],
    /// The module's overrides.
    pub overrides: &'static [OverrideSpec],
}

/// A compiled entry point.
#[derive(Clone)]
pub struct Kernel {
    pipeline: ComputePipeline,
    layouts: Vec<BindGroupLayout>,
    workgroup_size: [u32; 3],
    /// The spec's layout entries when the layouts are derived, so binding
    /// still checks texture views and samplers in the guest.
    derived_groups: Option<&'static [&'static [BindGroupLayoutEntry]]>,
    groups: &'static [&'static [BindGroupLayoutEntry]],
    names: &'static [&'static [&'static str]],
}

impl Kernel {
    /// Compiles `spec` with override `values` (by WGSL name; `None` keeps the
    /// shader's default).
    pub async fn new(device: &Device, spec: &KernelSpec, values: &[Option<f64>]) -> Result<Self> {
        let mut constants = Vec::new();
        let mut known = Vec::new();
        for (over, value) in spec.overrides.iter().zip(values) {
            match (value, over.has_default) {
                (Some(value), _) => {
                    constants.push((over.key, *value));
                    known.push((over.name, *value));
                }
                (None, true) => known.extend(over.default.map(|d| (over.name, d))),
                (None, false) => {
                    return Err(Error::Validation(format!(
                        "override `{}` of shader `{}` has no default, so `Overrides::{}` must be set",
                        over.name, spec.label, over.name
                    )));
                }
            }
        }
        let mut workgroup_size = [1; 3];
        for (size, dim) in workgroup_size.iter_mut().zip(spec.workgroup_size) {
            *size = match dim {
                WorkgroupDim::Fixed(n) => n,
                WorkgroupDim::Expression(wgsl, eval) => eval(wgsl, &known)?,
            };
        }
        check_workgroup_size(device, workgroup_size)?;

        let module = device
            .create_shader_module(ShaderModuleDescriptor {
                label: Some(spec.label),
                source: ShaderSource::Wgsl(Cow::Borrowed(spec.source)),
            })
            .await?;
        // The reference host cannot create explicit layouts with storage
        // textures, so an entry point with one takes the layout the host
        // derives from the shader, which is the same.
        let derived =
            spec.groups.iter().flat_map(|g| g.iter()).any(|e| matches!(e.ty, BindingType::StorageTexture { .. }));
        let layouts = if derived {
            Vec::new()
        } else {
            spec.groups
                .iter()
                .map(|entries| {
                    device.create_bind_group_layout(&BindGroupLayoutDescriptor { label: Some(spec.label), entries })
                })
                .collect::<Result<Vec<_>>>()?
        };
        let layout_refs: Vec<&BindGroupLayout> = layouts.iter().collect();
        let pipeline_layout = if derived {
            None
        } else {
            Some(device.create_pipeline_layout(&PipelineLayoutDescriptor {
                label: Some(spec.label),
                bind_group_layouts: &layout_refs,
            })?)
        };
        let pipeline = device
            .create_compute_pipeline(&ComputePipelineDescriptor {
                label: Some(spec.label),
                layout: pipeline_layout.as_ref(),
                module: &module,
                entry_point: Some(spec.entry_point),
                compilation_options: PipelineCompilationOptions { constants: &constants },
            })
            .await?;
        let layouts = if derived {
            (0..spec.groups.len() as u32).map(|i| pipeline.get_bind_group_layout(i)).collect::<Result<Vec<_>>>()?
        } else {
            layouts
        };
        Ok(Self {
            pipeline,
            layouts,
            workgroup_size,
            derived_groups: derived.then_some(spec.groups),
            groups: spec.groups,
            names: spec.names,
        })
    }

    /// The resolved workgroup size.
    pub fn workgroup_size(&self) -> [u32; 3] {
        self.workgroup_size
    }

    /// The pipeline.
    pub fn compute_pipeline(&self) -> &ComputePipeline {
        &self.pipeline
    }

    /// The bind group layouts, by group index.
    pub fn bind_group_layouts(&self) -> &[BindGroupLayout] {
        &self.layouts
    }

    /// One bind group per group, from its entries, for the public `call`
    /// (`collatz::Main::dispatch`), which errors name with the argument.
    /// With `dispatch` the groups are for one dispatch now, so a buffer bound
    /// both writable and read-only is refused here, by its WGSL names; groups
    /// made ahead (`bind`) may hold that, as WebGPU's bind groups may, and
    /// meet the dispatch's own check.
    pub fn bind(
        &self,
        device: &Device,
        call: &'static str,
        dispatch: bool,
        groups: &[&[BindGroupEntry<'_>]],
    ) -> Result<Vec<BindGroup>> {
        let mut arguments = Vec::new();
        for ((layout, names), entries) in self.groups.iter().zip(self.names).zip(groups) {
            for (entry, name) in entries.iter().zip(names.iter()) {
                let ty = layout.iter().find(|l| l.binding == entry.binding).map(|l| l.ty);
                arguments.extend(ty.map(|ty| (*name, entry.resource, ty)));
            }
        }
        check_arguments(device, call, &arguments, dispatch.then_some(Aliasing::Dispatch))?;
        if let Some(spec) = self.derived_groups {
            for (layout, entries) in spec.iter().zip(groups) {
                crate::texture_binding::check_against(&device.shared, layout, entries)?;
            }
        }
        self.layouts
            .iter()
            .zip(groups)
            .map(|(layout, entries)| device.create_bind_group(&BindGroupDescriptor::new(layout, entries)))
            .collect()
    }

    /// Sets the pipeline and groups, then dispatches enough workgroups to
    /// cover `threads`: the record-into-a-pass call of both macros
    /// (`#[shader]`'s `Foo::dispatch`, `#[kernel]`'s `name::dispatch`).
    pub fn dispatch(&self, pass: &mut ComputePass<'_>, bind_groups: &[BindGroup], threads: Threads) -> Result<()> {
        let [x, y, z] = threads.workgroups(self.workgroup_size);
        pass.set_pipeline(&self.pipeline)?;
        for (index, group) in bind_groups.iter().enumerate() {
            pass.set_bind_group(index as u32, group, &[])?;
        }
        pass.dispatch_workgroups(x, y, z)
    }

    /// [`dispatch`](Self::dispatch) in a compute pass of its own, on a new
    /// encoder, submitted to `device`'s queue before this returns: the
    /// run-by-itself call of both macros (`launch`).
    pub async fn run(&self, device: &Device, bind_groups: &[BindGroup], threads: Threads) -> Result<()> {
        let mut encoder = device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        self.dispatch(&mut pass, bind_groups, threads)?;
        pass.end();
        let commands = encoder.finish().await?;
        crate::queue::submit(&device.shared, vec![commands])
    }
}

/// Which buffers bound twice [`check_arguments`] refuses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aliasing {
    /// One dispatch: none both writable and read-only, as WebGPU's usage
    /// scopes require.
    Dispatch,
    /// A kernel's launch: no writable buffer twice at all, which would alias
    /// a kernel's `&mut` slice on the CPU device.
    Launch,
}

/// The checks of a bind group's buffers that a user of a `#[shader]`'s
/// `dispatch` or a `#[kernel]`'s `launch` is most likely to fail, made before
/// any bind group (GPU) or borrow (CPU device), so that both devices give
/// the same error and it names the public `call` and the argument, not
/// `create_bind_group` and a binding number: each `(name, resource, layout
/// type)` is of `device`, has the usage its binding needs, is not empty and
/// fits the binding size limit, and no two bind one buffer as `aliasing`
/// forbids (`None`: not checked).
pub(crate) fn check_arguments(
    device: &Device,
    call: &'static str,
    arguments: &[(&'static str, BindingResource<'_>, BindingType)],
    aliasing: Option<Aliasing>,
) -> Result<()> {
    let limits = device.limits();
    let buffers = arguments.iter().filter_map(|&(name, resource, ty)| match (resource, ty) {
        (BindingResource::Buffer(binding), BindingType::Buffer { ty, .. }) => Some((name, binding, ty)),
        _ => None,
    });
    let buffers: Vec<_> = buffers.collect();
    for (i, &(name, binding, ty)) in buffers.iter().enumerate() {
        let buffer = binding.buffer;
        let argument = || buffer.argument().named(name);
        if !Rc::ptr_eq(&buffer.device, &device.shared) {
            return Err(Error::ForeignBuffer { operation: call, argument: argument() });
        }
        let (usage, max, limit) = match ty {
            BufferBindingType::Uniform => {
                (BufferUsages::UNIFORM, limits.max_uniform_buffer_binding_size, "maxUniformBufferBindingSize")
            }
            BufferBindingType::Storage { .. } => {
                (BufferUsages::STORAGE, limits.max_storage_buffer_binding_size, "maxStorageBufferBindingSize")
            }
        };
        if !buffer.usage.intersects(usage) {
            return Err(Error::MissingUsage {
                operation: call,
                argument: argument(),
                required: usage,
                actual: buffer.usage,
            });
        }
        let end = match binding.size {
            Some(size) => binding.offset.saturating_add(size),
            None => buffer.size.max(binding.offset),
        };
        if end > buffer.size {
            let (start, size) = (binding.offset, buffer.size);
            return Err(Error::BindingOutOfBounds { operation: call, argument: argument(), start, end, size });
        }
        let size = end - binding.offset;
        let alignment = match ty {
            BufferBindingType::Uniform => limits.min_uniform_buffer_offset_alignment,
            BufferBindingType::Storage { .. } => limits.min_storage_buffer_offset_alignment,
        };
        if !binding.offset.is_multiple_of(alignment.into()) {
            let (offset, alignment) = (binding.offset, alignment.into());
            return Err(Error::BindingMisaligned { operation: call, argument: argument(), offset, alignment });
        }
        if matches!(ty, BufferBindingType::Storage { .. }) && !size.is_multiple_of(4) {
            return Err(Error::BindGroup(format!(
                "{call}: {} binds {size} bytes, and storage bindings hold a multiple of 4",
                argument()
            )));
        }
        if size == 0 {
            return Err(Error::BindGroup(format!(
                "{call}: {} is empty, and WebGPU cannot bind an empty buffer",
                argument()
            )));
        }
        if size > max {
            return Err(Error::BindingTooLarge { operation: call, argument: argument(), size, limit, max });
        }
        let writable = |ty| ty == BufferBindingType::Storage { read_only: false };
        let conflict = |other_ty| match aliasing {
            Some(Aliasing::Launch) => writable(ty) || writable(other_ty),
            Some(Aliasing::Dispatch) => writable(ty) != writable(other_ty),
            None => false,
        };
        let alias = buffers[i + 1..]
            .iter()
            .find(|(_, other, other_ty)| Rc::ptr_eq(other.buffer, buffer) && conflict(*other_ty));
        if let Some(&(other, ..)) = alias {
            return Err(Error::UsageConflict {
                operation: call,
                reason: format!(
                    "arguments `{name}` and `{other}` are the same buffer{}, and {}: a dispatch may not use a \
                     buffer both as writable storage and read-only, and a launch may not alias a writable \
                     buffer at all, on the GPU and the CPU device alike",
                    buffer.label.as_deref().map(|l| format!(" {l:?}")).unwrap_or_default(),
                    if aliasing == Some(Aliasing::Launch) {
                        "one of them is writable"
                    } else {
                        "one of them is read-only"
                    }
                ),
            });
        }
    }
    Ok(())
}

/// The WebGPU limits on workgroup sizes, checked once the overrides are
/// known, so an override too large is an `Err` that names the limit.
pub(crate) fn check_workgroup_size(device: &Device, size: [u32; 3]) -> Result<()> {
    let limits = device.limits();
    let per_dim = [
        ("maxComputeWorkgroupSizeX", limits.max_compute_workgroup_size_x),
        ("maxComputeWorkgroupSizeY", limits.max_compute_workgroup_size_y),
        ("maxComputeWorkgroupSizeZ", limits.max_compute_workgroup_size_z),
    ];
    for (&value, (limit, max)) in size.iter().zip(per_dim) {
        if value == 0 || value > max {
            return Err(Error::OverLimit { what: "workgroup size", value: value.into(), limit, max: max.into() });
        }
    }
    let invocations = size.iter().map(|&s| u64::from(s)).product::<u64>();
    let max = limits.max_compute_invocations_per_workgroup;
    if invocations > u64::from(max) {
        return Err(Error::OverLimit {
            what: "workgroup invocations",
            value: invocations,
            limit: "maxComputeInvocationsPerWorkgroup",
            max: max.into(),
        });
    }
    Ok(())
}

/// Evaluates an override expression of `@workgroup_size`: integer literals
/// (with an optional `u` or `i` suffix), override names, `+ - * / %` and
/// parentheses, which is what such sizes use in practice.
pub fn eval_dim(wgsl: &str, values: &[(&str, f64)]) -> Result<u32> {
    let fail = |why: &str| Error::Validation(format!("@workgroup_size expression `{wgsl}`: {why}"));
    let mut parser = Parser { text: wgsl.as_bytes(), at: 0, values };
    let value = parser.sum().map_err(|why| fail(&why))?;
    parser.skip_space();
    if parser.at != parser.text.len() {
        return Err(fail("unexpected text"));
    }
    u32::try_from(value).map_err(|_| fail(&format!("{value} is not a valid size")))
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    values: &'a [(&'a str, f64)],
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, op: u8) -> bool {
        self.skip_space();
        let hit = self.text.get(self.at) == Some(&op);
        self.at += usize::from(hit);
        hit
    }

    fn sum(&mut self) -> Result<i64, String> {
        let mut value = self.product()?;
        loop {
            if self.eat(b'+') {
                value = value.checked_add(self.product()?).ok_or("overflow")?;
            } else if self.eat(b'-') {
                value = value.checked_sub(self.product()?).ok_or("overflow")?;
            } else {
                return Ok(value);
            }
        }
    }

    fn product(&mut self) -> Result<i64, String> {
        let mut value = self.atom()?;
        loop {
            if self.eat(b'*') {
                value = value.checked_mul(self.atom()?).ok_or("overflow")?;
            } else if self.eat(b'/') {
                value = value.checked_div(self.atom()?).ok_or("division by zero")?;
            } else if self.eat(b'%') {
                value = value.checked_rem(self.atom()?).ok_or("division by zero")?;
            } else {
                return Ok(value);
            }
        }
    }

    fn atom(&mut self) -> Result<i64, String> {
        if self.eat(b'(') {
            let value = self.sum()?;
            return if self.eat(b')') { Ok(value) } else { Err("missing `)`".into()) };
        }
        if self.eat(b'-') {
            return Ok(-self.atom()?);
        }
        self.skip_space();
        let start = self.at;
        while self.text.get(self.at).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            self.at += 1;
        }
        let word = std::str::from_utf8(&self.text[start..self.at]).map_err(|e| e.to_string())?;
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            let digits = word.trim_end_matches(['u', 'i']);
            return digits.parse().map_err(|_| format!("`{word}` is not an integer"));
        }
        match self.values.iter().find(|(name, _)| *name == word) {
            Some(&(_, value)) if value.fract() == 0.0 => Ok(value as i64),
            Some(_) => Err(format!("override `{word}` is not an integer")),
            None if word.is_empty() => Err("expected a value".into()),
            None => Err(format!("override `{word}` has no value; set it in `Overrides`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_workgroup_expressions() {
        let values = [("block", 64.0), ("twice", 8.0)];
        assert_eq!(eval_dim("block", &values), Ok(64));
        assert_eq!(eval_dim("twice / 2u + 1u", &values), Ok(5));
        assert_eq!(eval_dim("(block - 4) * 2 % 100", &values), Ok(20));
        assert!(eval_dim("block / (twice - 8)", &values).is_err());
        assert!(eval_dim("missing", &values).is_err());
        assert!(eval_dim("0 - 1", &values).is_err());
        assert!(eval_dim("block block", &values).is_err());
    }
}
