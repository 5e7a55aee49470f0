//! The Rust names of the generated items, chosen once for the whole module so that no two items
//! share a name.
//!
//! The scheme: names the WGSL gives keep it (structs, members, globals and overrides are the
//! user's words, and WGSL already keeps module-scope names unique); a name the macro derives
//! (`Overrides`, `Bindings`, the entry point types `Foo`, `FooBindings`, `FooBound`, the constants
//! `FOO_WORKGROUP_SIZE`, `VS_LAYOUT`, ...) is claimed after them, in a fixed order, and one that is
//! taken gets `_` appended until it is free. The padding fields of generated structs are `__padN`,
//! which no WGSL member can be named: WGSL reserves identifiers that start with `__`.

use std::collections::{HashMap, HashSet};

use proc_macro2::Ident;

use super::{ident, type_ident};
use crate::{EntryPoint, Shader, Stage};

/// Every name the module's generated items use.
pub(crate) struct Names {
    /// The struct of override values.
    pub overrides: Ident,
    /// The module-level alias of the only compute entry point's bindings.
    pub bindings: Ident,
    /// The module-level `pipeline` function of the only compute entry point.
    pub pipeline: Ident,
    /// The WGSL source constant.
    pub source: Ident,
    /// The private table of override specs.
    pub override_specs: Ident,
    entries: HashMap<String, EntryNames>,
    vertices: HashMap<String, VertexNames>,
}

/// The items of one compute entry point.
pub(crate) struct EntryNames {
    /// The pipeline type, `Foo` for `fn foo`.
    pub kernel: Ident,
    /// Its bindings struct, `FooBindings`.
    pub bindings: Ident,
    /// Its bind groups, `FooBound`.
    pub bound: Ident,
    /// `FOO_WORKGROUP_SIZE`.
    pub workgroup_size: Ident,
}

/// The constants of one vertex entry point.
pub(crate) struct VertexNames {
    /// `VS_ATTRIBUTES`.
    pub attributes: Ident,
    /// `VS_STRIDE`.
    pub stride: Ident,
    /// `VS_LAYOUT`.
    pub layout: Ident,
}

/// The names taken so far, per Rust namespace (struct and type names; constants and functions).
#[derive(Default)]
struct Taken {
    types: HashSet<String>,
    values: HashSet<String>,
}

impl Taken {
    /// The first of `stem`, `stem_`, `stem__`, ... for which every name of `family` is free in
    /// `space`, all claimed. A family moves together, so `Foo_` goes with `FooBindings_`.
    fn claim<const N: usize>(&mut self, space: Space, family: [String; N]) -> [String; N] {
        let (types, values) = match space {
            Space::Types => (true, false),
            Space::Values => (false, true),
            Space::Both => (true, true),
        };
        let mut suffix = String::new();
        loop {
            let names = family.clone().map(|name| name + &suffix);
            let free = |set: &HashSet<String>| names.iter().all(|name| !set.contains(name));
            if (!types || free(&self.types)) && (!values || free(&self.values)) {
                if types {
                    self.types.extend(names.iter().cloned());
                }
                if values {
                    self.values.extend(names.iter().cloned());
                }
                return names;
            }
            suffix.push('_');
        }
    }
}

#[derive(Clone, Copy)]
enum Space {
    Types,
    Values,
    /// Tuple structs: their constructor is a value, so `fn SOURCE` must not make a type `SOURCE`
    /// beside the constant `SOURCE`.
    Both,
}

impl Names {
    /// Chooses the names for `shader`'s items. `structs` are the WGSL structs that get a Rust item;
    /// `computes` the compute entry points that get a pipeline type.
    pub fn new(shader: &Shader, structs: &[&str], computes: &[&EntryPoint]) -> Self {
        let mut taken = Taken::default();
        taken.types.extend(structs.iter().map(|s| s.to_string()));
        let [overrides] = taken.claim(Space::Types, ["Overrides".into()]);
        let [bindings] = taken.claim(Space::Types, ["Bindings".into()]);
        let [pipeline] = taken.claim(Space::Values, ["pipeline".into()]);
        let [source] = taken.claim(Space::Values, ["SOURCE".into()]);
        let [override_specs] = taken.claim(Space::Values, ["OVERRIDES".into()]);

        let mut entries = HashMap::new();
        for entry in computes {
            let stem = type_ident(&entry.name).to_string();
            let [kernel, bindings, bound] =
                taken.claim(Space::Both, [stem.clone(), format!("{stem}Bindings"), format!("{stem}Bound")]);
            let [workgroup_size] =
                taken.claim(Space::Values, [format!("{}_WORKGROUP_SIZE", entry.name.to_ascii_uppercase())]);
            let names = EntryNames {
                kernel: ident(&kernel),
                bindings: ident(&bindings),
                bound: ident(&bound),
                workgroup_size: ident(&workgroup_size),
            };
            entries.insert(entry.name.clone(), names);
        }
        let mut vertices = HashMap::new();
        for entry in shader.entry_points.iter().filter(|e| e.stage == Stage::Vertex) {
            let upper = entry.name.to_ascii_uppercase();
            let [attributes, stride, layout] = taken.claim(
                Space::Values,
                [format!("{upper}_ATTRIBUTES"), format!("{upper}_STRIDE"), format!("{upper}_LAYOUT")],
            );
            let names = VertexNames { attributes: ident(&attributes), stride: ident(&stride), layout: ident(&layout) };
            vertices.insert(entry.name.clone(), names);
        }
        Names {
            overrides: ident(&overrides),
            bindings: ident(&bindings),
            pipeline: ident(&pipeline),
            source: ident(&source),
            override_specs: ident(&override_specs),
            entries,
            vertices,
        }
    }

    /// The names of compute entry point `name`'s items; it was one of `computes`.
    pub fn entry(&self, name: &str) -> &EntryNames {
        &self.entries[name]
    }

    /// The names of vertex entry point `name`'s constants.
    pub fn vertex(&self, name: &str) -> &VertexNames {
        &self.vertices[name]
    }
}

/// The name of the `index`th padding field of a generated struct.
pub(crate) fn padding(index: u32) -> Ident {
    ident(&format!("__pad{index}"))
}
