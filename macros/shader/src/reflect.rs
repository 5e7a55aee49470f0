//! Reflection: a validated naga module to the crate's plain data model.

use std::collections::HashMap;

use naga::common::wgsl::TypeContext;
use naga::proc::Layouter;
use naga::valid::ModuleInfo;
use naga::{AddressSpace, ArraySize, Expression, Handle, Literal, Module, ScalarKind, ShaderStage, TypeInner};

use crate::front::{self, Parsed};
use crate::valid::{self, span_of_global};
use crate::{
    BindingKind, Diagnostic, EntryPoint, Global, Member, Override, Scalar, Shader, Stage, StorageAccess, StructDef,
    TextureSample, Type, VertexInput, ViewDimension, WorkgroupDim,
};

pub(crate) fn reflect(parsed: &Parsed, info: &ModuleInfo, source: &str, path: &str) -> Result<Shader, Diagnostic> {
    let module = &parsed.module;
    let mut layouter = Layouter::default();
    layouter
        .update(module.to_ctx())
        .map_err(|e| Diagnostic::at(format!("type layout failed: {e}"), &[], source, path))?;
    let mut cx = Reflector { module, layouter, structs: Vec::new(), struct_index: HashMap::new() };

    let mut globals = Vec::new();
    let mut global_index = HashMap::new();
    for (handle, var) in module.global_variables.iter() {
        let Some(bind) = var.binding else { continue };
        let inner = &module.types[var.ty].inner;
        let kind = match var.space {
            AddressSpace::Uniform => BindingKind::Uniform,
            AddressSpace::Storage { access } => {
                BindingKind::Storage { read_only: !access.contains(naga::StorageAccess::STORE) }
            }
            _ => texture_kind(module, info, handle, var.ty),
        };
        let min_binding_size = match kind {
            // naga sizes a runtime-sized array as one element, which is WebGPU's rule for the
            // minimum binding size (the array counts as `array<E, 1>`).
            BindingKind::Uniform | BindingKind::Storage { .. } => {
                u64::from(inner.try_size(module.to_ctx()).ok_or_else(|| {
                    Diagnostic::at(
                        "buffer type is too large".into(),
                        &[(span_of_global(module, handle), String::new())],
                        source,
                        path,
                    )
                })?)
            }
            BindingKind::Texture { .. }
            | BindingKind::StorageTexture { .. }
            | BindingKind::Sampler { .. }
            | BindingKind::Other(_) => 0,
        };
        global_index.insert(handle, globals.len());
        globals.push(Global {
            name: var.name.clone().unwrap_or_default(),
            group: bind.group,
            binding: bind.binding,
            ty: cx.ty(var.ty),
            kind,
            min_binding_size,
        });
    }

    let mut entry_points = Vec::new();
    for (index, ep) in module.entry_points.iter().enumerate() {
        let ep_info = info.get_entry_point(index);
        let stage = match ep.stage {
            ShaderStage::Compute => Stage::Compute,
            ShaderStage::Vertex => Stage::Vertex,
            ShaderStage::Fragment => Stage::Fragment,
            // WebGPU has no other stages, and parsing them needs an `enable` WebGPU lacks.
            other => {
                return Err(Diagnostic::at(
                    format!("entry point `{}` has stage {other:?}, which WebGPU does not have", ep.name),
                    &[(front::find_fn(source, &ep.name).map(|d| d.name), String::new())],
                    source,
                    path,
                ));
            }
        };
        let used = || module.global_variables.iter().filter(|(h, _)| !ep_info[*h].is_empty());
        let workgroup_storage_bytes = valid::workgroup_storage_bytes(&valid::workgroup_vars(module, ep_info));
        entry_points.push(EntryPoint {
            name: ep.name.clone(),
            stage,
            workgroup_size: std::array::from_fn(|i| workgroup_dim(module, ep, i, source)),
            globals: used().filter_map(|(h, _)| global_index.get(&h).copied()).collect(),
            // At most 16384 after the limit checks.
            workgroup_storage_bytes: u32::try_from(workgroup_storage_bytes).unwrap_or(u32::MAX),
            vertex_inputs: if stage == Stage::Vertex { vertex_inputs(&mut cx, ep) } else { Vec::new() },
        });
    }

    let overrides = module
        .overrides
        .iter()
        // naga makes an unnamed override for each override expression that sizes an array
        // (`array<u32, BLOCK * 2u>`); the pipeline computes it from the named ones, and it has no
        // pipeline constant key, so it is not part of the interface.
        .filter_map(|(_, o)| Some((o.name.clone()?, o)))
        .map(|(name, o)| Override {
            name,
            id: o.id,
            ty: match module.types[o.ty].inner {
                TypeInner::Scalar(s) => scalar(s),
                // naga's validator allows only scalar overrides.
                _ => Scalar::U32,
            },
            default: o.init.and_then(|init| const_value(module, init)),
            initializer: o.init.map(|init| wgsl_text(module, init, source)),
        })
        .collect();

    Ok(Shader { entry_points, globals, structs: cx.structs, overrides, enables: parsed.enables.clone() })
}

/// A vertex entry point's `@location` inputs, from its arguments and the
/// members of struct arguments, sorted by location.
fn vertex_inputs(cx: &mut Reflector<'_>, ep: &naga::EntryPoint) -> Vec<VertexInput> {
    let module = cx.module;
    let mut inputs = Vec::new();
    for arg in &ep.function.arguments {
        match (&arg.binding, &module.types[arg.ty].inner) {
            (Some(naga::Binding::Location { location, .. }), _) => inputs.push(VertexInput {
                location: *location,
                name: arg.name.clone().unwrap_or_default(),
                ty: cx.ty(arg.ty),
            }),
            (None, TypeInner::Struct { members, .. }) => {
                for member in members {
                    if let Some(naga::Binding::Location { location, .. }) = member.binding {
                        inputs.push(VertexInput {
                            location,
                            name: member.name.clone().unwrap_or_default(),
                            ty: cx.ty(member.ty),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    inputs.sort_by_key(|input| input.location);
    inputs
}

struct Reflector<'a> {
    module: &'a Module,
    layouter: Layouter,
    structs: Vec<StructDef>,
    struct_index: HashMap<Handle<naga::Type>, usize>,
}

impl Reflector<'_> {
    fn ty(&mut self, handle: Handle<naga::Type>) -> Type {
        let module = self.module;
        match module.types[handle].inner {
            TypeInner::Scalar(s) => Type::Scalar(scalar(s)),
            TypeInner::Vector { size, scalar: s } => Type::Vector { size: size as u8, scalar: scalar(s) },
            TypeInner::Matrix { columns, rows, scalar: s } => {
                Type::Matrix { columns: columns as u8, rows: rows as u8, scalar: scalar(s) }
            }
            TypeInner::Atomic(s) => Type::Atomic(scalar(s)),
            TypeInner::Array { base, size, stride } => {
                let length = match size {
                    ArraySize::Constant(n) => Some(n.get()),
                    ArraySize::Dynamic => None,
                    // Only workgroup variables may be override-sized, and they are not reflected.
                    ArraySize::Pending(_) => return Type::Other(module.to_ctx().type_to_string(handle)),
                };
                Type::Array { element: Box::new(self.ty(base)), length, stride }
            }
            TypeInner::Struct { ref members, span } => {
                if let Some(&index) = self.struct_index.get(&handle) {
                    return Type::Struct(index);
                }
                // Members first, so that `structs` lists a struct after every struct it contains.
                let members = members
                    .iter()
                    .map(|m| Member {
                        name: m.name.clone().unwrap_or_default(),
                        ty: self.ty(m.ty),
                        offset: m.offset,
                        size: self.layouter[m.ty].size,
                    })
                    .collect();
                let index = self.structs.len();
                self.structs.push(StructDef {
                    name: module.types[handle].name.clone().unwrap_or_default(),
                    size: span,
                    align: self.layouter[handle].alignment * 1,
                    members,
                });
                self.struct_index.insert(handle, index);
                Type::Struct(index)
            }
            _ => Type::Other(module.to_ctx().type_to_string(handle)),
        }
    }
}

fn scalar(s: naga::Scalar) -> Scalar {
    match (s.kind, s.width) {
        (ScalarKind::Float, 2) => Scalar::F16,
        (ScalarKind::Float, _) => Scalar::F32,
        (ScalarKind::Sint, _) => Scalar::I32,
        (ScalarKind::Uint, _) => Scalar::U32,
        // Validation with WebGPU's capabilities leaves only these; abstract kinds never reach a
        // global or an override.
        (ScalarKind::Bool | ScalarKind::AbstractInt | ScalarKind::AbstractFloat, _) => Scalar::Bool,
    }
}

fn workgroup_dim(module: &Module, ep: &naga::EntryPoint, i: usize, source: &str) -> WorkgroupDim {
    let Some(expr) = ep.workgroup_size_overrides.and_then(|o| o[i]) else {
        return WorkgroupDim::Fixed(ep.workgroup_size[i]);
    };
    if let Expression::Override(o) = module.global_expressions[expr] {
        return WorkgroupDim::Override { name: module.overrides[o].name.clone().unwrap_or_default() };
    }
    let wgsl = wgsl_text(module, expr, source);
    let mut overrides: Vec<String> = Vec::new();
    for ident in front::identifiers(&wgsl) {
        if module.overrides.iter().any(|(_, o)| o.name.as_deref() == Some(ident))
            && !overrides.iter().any(|n| n == ident)
        {
            overrides.push(ident.to_string());
        }
    }
    WorkgroupDim::Expression { wgsl, overrides }
}

/// The value of a global expression naga has already evaluated to a literal, if it has.
fn const_value(module: &Module, mut expr: Handle<Expression>) -> Option<f64> {
    // Bounded, though constants cannot form cycles in a validated module.
    for _ in 0..module.constants.len() + 1 {
        match module.global_expressions[expr] {
            Expression::Literal(lit) => {
                return Some(match lit {
                    Literal::F64(v) | Literal::AbstractFloat(v) => v,
                    Literal::F32(v) => f64::from(v),
                    Literal::F16(v) => v.to_f64(),
                    Literal::U32(v) => f64::from(v),
                    Literal::I32(v) => f64::from(v),
                    Literal::U64(v) => v as f64,
                    Literal::I64(v) | Literal::AbstractInt(v) => v as f64,
                    Literal::Bool(v) => f64::from(u8::from(v)),
                });
            }
            Expression::ZeroValue(_) => return Some(0.0),
            Expression::Constant(c) => expr = module.constants[c].init,
            _ => return None,
        }
    }
    None
}

fn wgsl_text(module: &Module, expr: Handle<Expression>, source: &str) -> String {
    module
        .global_expressions
        .get_span(expr)
        .to_range()
        .and_then(|r| source.get(r))
        .map_or_else(String::new, |s| s.trim().to_string())
}

/// The binding kind of a texture or sampler global.
fn texture_kind(
    module: &Module,
    info: &ModuleInfo,
    handle: Handle<naga::GlobalVariable>,
    ty: Handle<naga::Type>,
) -> BindingKind {
    use naga::{ImageClass, ImageDimension};
    let dimension = |dim: ImageDimension, arrayed: bool| match (dim, arrayed) {
        (ImageDimension::D1, _) => ViewDimension::D1,
        (ImageDimension::D2, false) => ViewDimension::D2,
        (ImageDimension::D2, true) => ViewDimension::D2Array,
        (ImageDimension::Cube, false) => ViewDimension::Cube,
        (ImageDimension::Cube, true) => ViewDimension::CubeArray,
        (ImageDimension::D3, _) => ViewDimension::D3,
    };
    match module.types[ty].inner {
        TypeInner::Sampler { comparison } => BindingKind::Sampler { comparison },
        TypeInner::Image { dim, arrayed, class: ImageClass::Sampled { kind, multi } } => {
            // A texture some entry point samples must be filterable; one that
            // is only loaded takes any float format.
            let sampled = (0..module.entry_points.len())
                .any(|i| info.get_entry_point(i).sampling_set.iter().any(|key| key.image == handle));
            let sample = match kind {
                ScalarKind::Sint => TextureSample::Sint,
                ScalarKind::Uint => TextureSample::Uint,
                _ if sampled && !multi => TextureSample::FilterableFloat,
                _ => TextureSample::UnfilterableFloat,
            };
            BindingKind::Texture { sample, dimension: dimension(dim, arrayed), multisampled: multi }
        }
        TypeInner::Image { dim, arrayed, class: ImageClass::Depth { multi } } => BindingKind::Texture {
            sample: TextureSample::Depth,
            dimension: dimension(dim, arrayed),
            multisampled: multi,
        },
        TypeInner::Image { dim, arrayed, class: ImageClass::Storage { access, .. } } => {
            // WGSL spells the format as WebGPU names it: `texture_storage_2d<rgba8unorm, write>`.
            let wgsl = module.to_ctx().type_to_string(ty);
            let format = wgsl.split(['<', ',']).nth(1).unwrap_or_default().trim().to_string();
            let access = match (access.contains(naga::StorageAccess::LOAD), access.contains(naga::StorageAccess::STORE))
            {
                (true, true) => StorageAccess::ReadWrite,
                (true, false) => StorageAccess::Read,
                _ => StorageAccess::Write,
            };
            BindingKind::StorageTexture { format, access, dimension: dimension(dim, arrayed) }
        }
        _ => BindingKind::Other(module.to_ctx().type_to_string(ty)),
    }
}
