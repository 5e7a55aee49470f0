use bytemuck::{Pod, Zeroable};

use super::derive_support::{Field, Member, check_field, check_struct};
use super::*;
use crate::GpuType;

/// The example of the documentation: a vec3 after a scalar, and a scalar
/// packed into the vec3's last 4 bytes.
#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Particle {
    mass: f32,
    _pad: [u32; 3],
    velocity: [f32; 3],
    charge: f32,
}

/// Uniform rules: a nested struct at a multiple of 16 with 16 bytes of
/// room, an array of vec4 (stride 16), and `@align`/`@size`.
#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
#[gpu(uniform)]
struct Camera {
    view: [[f32; 4]; 4],
    position: [f32; 3],
    fov: f32,
    #[gpu(size = 16)]
    light: Light,
    #[gpu(padding)]
    tail: [u32; 3],
    #[gpu(align = 16)]
    exposure: f32,
    _pad1: [u32; 3],
    palette: [[f32; 4]; 2],
}

#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Light {
    intensity: f32,
}

/// Storage rules only: scalar arrays, `#[gpu(array)]`, a struct array
/// whose element is padded to its WGSL size, and trailing padding.
#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Mesh {
    weights: [f32; 5],
    #[gpu(array)]
    bones: [u32; 4],
    _pad: [u32; 3],
    points: [Point; 2],
    count: u32,
    _pad_end: [u32; 3],
}

#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Point {
    position: [f32; 3],
    id: u32,
}

#[test]
fn scalars_vectors_and_arrays() {
    assert_eq!((f32::WGSL_SIZE, f32::WGSL_ALIGN, f32::WGSL.to_string()), (4, 4, "f32".to_string()));
    assert_eq!((<[u32; 2]>::WGSL_SIZE, <[u32; 2]>::WGSL_ALIGN), (8, 8));
    assert_eq!((<[f32; 3]>::WGSL_SIZE, <[f32; 3]>::WGSL_ALIGN), (12, 16));
    assert_eq!((<[i32; 4]>::WGSL_SIZE, <[i32; 4]>::WGSL_ALIGN), (16, 16));
    assert_eq!(<[f32; 3]>::WGSL.to_string(), "vec3<f32>");
    // Not a vector: one element, five elements, or vector elements.
    assert_eq!(<[f32; 1]>::WGSL.to_string(), "array<f32, 1>");
    assert_eq!((<[f32; 5]>::WGSL_SIZE, <[f32; 5]>::WGSL_ALIGN), (20, 4));
    assert_eq!(<[[f32; 4]; 4]>::WGSL.to_string(), "array<vec4<f32>, 4>");
    assert_eq!((<[[f32; 4]; 4]>::WGSL_SIZE, <[[f32; 4]; 4]>::WGSL_ALIGN), (64, 16));
    // vec3 elements are 16 bytes apart in WGSL, 12 in Rust.
    assert_eq!(<[[f32; 3]; 2]>::WGSL_SIZE, 32);
    assert_eq!(size_of::<[[f32; 3]; 2]>(), 24);
    // Uniform: vectors are fine, arrays need a 16-byte stride.
    const { assert!(<[f32; 3]>::UNIFORM_COMPATIBLE) };
    const { assert!(<[[f32; 4]; 3]>::UNIFORM_COMPATIBLE) };
    const { assert!(!<[u32; 8]>::UNIFORM_COMPATIBLE) };
    const { assert!(!<[[f32; 2]; 2]>::UNIFORM_COMPATIBLE) };
    assert_eq!((<[[f32; 2]; 2]>::UNIFORM_ALIGN, <[f32; 2]>::UNIFORM_ALIGN), (16, 8));
}

#[test]
fn derived_layouts() {
    assert_eq!((Particle::WGSL_SIZE, Particle::WGSL_ALIGN, size_of::<Particle>()), (32, 16, 32));
    const { assert!(Particle::UNIFORM_COMPATIBLE) };
    assert_eq!(Light::WGSL_SIZE, 4);
    // A struct after which the next member has less than 16 bytes.
    const { assert!(Light::UNIFORM_COMPATIBLE) };
    assert_eq!((Camera::WGSL_SIZE, Camera::WGSL_ALIGN, Camera::UNIFORM_ALIGN), (144, 16, 16));
    const { assert!(Camera::UNIFORM_COMPATIBLE) };
    assert_eq!((Mesh::WGSL_SIZE, Mesh::WGSL_ALIGN), (96, 16));
    // `weights` is an array<f32, 5>: a stride of 4.
    const { assert!(!Mesh::UNIFORM_COMPATIBLE) };

    let WgslType::Struct { name, members } = Mesh::WGSL else { panic!("a struct") };
    assert_eq!(name, "Mesh");
    let members: Vec<_> = members.iter().map(|m| (m.name, m.ty.to_string(), m.offset)).collect();
    assert_eq!(
        members,
        [
            ("weights", "array<f32, 5>".to_string(), 0),
            ("bones", "array<u32, 4>".to_string(), 20),
            ("points", "array<Point, 2>".to_string(), 48),
            ("count", "u32".to_string(), 80),
        ]
    );
}

/// Fine for storage; in a uniform buffer `b` would need to start 16
/// bytes after `a`.
#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Pair {
    a: Light,
    b: Light,
}

/// Fine for storage; in a uniform buffer `light` would need an offset
/// that is a multiple of 16.
#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Lit {
    x: f32,
    light: Light,
}

#[test]
fn declarations_list_nested_structs_first_and_once() {
    assert_eq!(
        Pair::WGSL.declarations(),
        "struct Light {\n    intensity: f32,\n}\nstruct Pair {\n    a: Light,\n    b: Light,\n}\n"
    );
    assert!(Camera::WGSL.declarations().contains("    @size(16) light: Light,\n    @align(16) exposure: f32,\n"));
    assert_eq!(<[f32; 4]>::WGSL.declarations(), "");
}

/// naga, the compiler the reference host uses, lays out the generated
/// WGSL declarations exactly as the derive checked the Rust structs, and
/// accepts in a uniform buffer exactly the UNIFORM_COMPATIBLE ones.
#[test]
fn naga_agrees() {
    use core::mem::offset_of;
    check::<Particle>(&[offset_of!(Particle, mass), offset_of!(Particle, velocity), offset_of!(Particle, charge)]);
    check::<Camera>(&[
        offset_of!(Camera, view),
        offset_of!(Camera, position),
        offset_of!(Camera, fov),
        offset_of!(Camera, light),
        offset_of!(Camera, exposure),
        offset_of!(Camera, palette),
    ]);
    check::<Mesh>(&[
        offset_of!(Mesh, weights),
        offset_of!(Mesh, bones),
        offset_of!(Mesh, points),
        offset_of!(Mesh, count),
    ]);
    check::<Point>(&[offset_of!(Point, position), offset_of!(Point, id)]);
    check::<Light>(&[offset_of!(Light, intensity)]);
    check::<Pair>(&[offset_of!(Pair, a), offset_of!(Pair, b)]);
    check::<Lit>(&[offset_of!(Lit, x), offset_of!(Lit, light)]);
    const { assert!(!Pair::UNIFORM_COMPATIBLE && !Lit::UNIFORM_COMPATIBLE) };
}

/// The structs `#[shader]` generates are `GpuType`s whose WGSL, declared again from
/// `GpuType::WGSL` (with the `@align` and `@size` the offsets imply), naga lays out as the shader
/// did, and which are `UNIFORM_COMPATIBLE` exactly where naga accepts them in a uniform buffer:
/// matrices, atomics, nested structs, `@align`, `@size` and scalar arrays.
#[test]
fn shader_structs_are_gpu_types() {
    #[crate::shader(wgsl = r#"
        struct Inner { a: f32, b: array<vec4<f32>, 2> }
        struct Body {
            pos: vec3<f32>,
            mass: f32,
            spin: vec2<f32>,
            @align(32) tag: u32,
            m: mat3x3<f32>,
            inner: Inner,
            @size(12) last: f32,
            weights: array<f32, 3>,
            count: atomic<u32>,
        }
        struct Uniforms { view: mat4x4<f32>, inner: Inner, @align(16) exposure: f32 }
        @group(0) @binding(0) var<storage, read_write> bodies: array<Body>;
        @group(0) @binding(1) var<uniform> uniforms: Uniforms;
        @compute @workgroup_size(1) fn main() { atomicAdd(&bodies[0].count, u32(uniforms.exposure)); }
    "#)]
    mod shader {}
    use core::mem::offset_of;
    use shader::{Body, Inner, Uniforms};
    check::<Inner>(&[offset_of!(Inner, a), offset_of!(Inner, b)]);
    check::<Body>(&[
        offset_of!(Body, pos),
        offset_of!(Body, mass),
        offset_of!(Body, spin),
        offset_of!(Body, tag),
        offset_of!(Body, m),
        offset_of!(Body, inner),
        offset_of!(Body, last),
        offset_of!(Body, weights),
        offset_of!(Body, count),
    ]);
    check::<Uniforms>(&[offset_of!(Uniforms, view), offset_of!(Uniforms, inner), offset_of!(Uniforms, exposure)]);
    const { assert!(Uniforms::UNIFORM_COMPATIBLE && Inner::UNIFORM_COMPATIBLE && !Body::UNIFORM_COMPATIBLE) };
}

/// naga lays out `T::WGSL.declarations()` as `T`'s constants and Rust offsets say, and accepts it
/// in a uniform buffer exactly when `T::UNIFORM_COMPATIBLE`.
fn check<T: GpuType>(rust_offsets: &[usize]) {
    let WgslType::Struct { name, members } = T::WGSL else { panic!("a struct") };
    let declarations = T::WGSL.declarations();
    let wgsl = |space: &str| {
        format!(
            "{declarations}@group(0) @binding(0) var<{space}> data: {name};\n\
                 @compute @workgroup_size(1) fn main() {{ _ = data; }}\n"
        )
    };
    let shader =
        wasi_webgpu_shader::compile(&wgsl("storage, read_write"), None).unwrap_or_else(|e| panic!("{}", e.rendered));
    let def = shader.structs.iter().find(|s| s.name == name).expect("the struct is reflected");
    assert_eq!((def.size, def.align), (T::WGSL_SIZE, T::WGSL_ALIGN), "{name}");
    assert_eq!(size_of::<T>(), T::WGSL_SIZE as usize, "{name}");
    let naga: Vec<_> = def.members.iter().map(|m| (m.name.as_str(), m.offset as usize)).collect();
    let ours: Vec<_> = members.iter().zip(rust_offsets).map(|(m, &rust)| (m.name, rust)).collect();
    assert_eq!(naga, ours, "{name}");
    let uniform = wasi_webgpu_shader::compile(&wgsl("uniform"), None);
    assert_eq!(uniform.is_ok(), T::UNIFORM_COMPATIBLE, "{name} in a uniform buffer: {uniform:?}");
}

/// The messages the derive panics with, for layouts that would not
/// compile; the trybuild cases in `tests/ui/fail/gpu_type_*` check that
/// they surface at the field.
mod messages {
    use super::*;

    const fn member<T: GpuType>(name: &'static str, rust_offset: usize, ty: &'static WgslType) -> Field {
        Field { name, rust_offset, rust_size: size_of::<T>(), member: Some(Member::of::<T>(ty)) }
    }

    fn field_error(fields: &[Field], i: usize, uniform: bool) -> Option<String> {
        check_field("S", fields, i, uniform).map(|m| m.as_str().to_string())
    }

    #[test]
    fn vec3_after_a_scalar_needs_padding() {
        let fields = [member::<f32>("a", 0, &f32::WGSL), member::<[f32; 3]>("b", 4, &<[f32; 3]>::WGSL)];
        assert_eq!(field_error(&fields, 0, false), None);
        assert_eq!(
            field_error(&fields, 1, false).as_deref(),
            Some(
                "field `b` of `S` is at byte 4, but WGSL puts it at byte 16 (`vec3<f32>` aligns to 16): \
                 add 12 bytes of padding before it, e.g. `_pad: [u32; 3]`"
            )
        );
    }

    #[test]
    fn padding_that_an_align_attribute_explains() {
        let fields = [member::<u32>("a", 0, &u32::WGSL), member::<u32>("b", 16, &u32::WGSL)];
        assert_eq!(
            field_error(&fields, 1, false).as_deref(),
            Some(
                "field `b` of `S` is at byte 16, but WGSL puts it at byte 4: remove 12 bytes of padding \
                 before it, or give it #[gpu(align = 16)] (WGSL @align(16))"
            )
        );
        let aligned = [Field { member: Some(Member::of::<u32>(&u32::WGSL).align(16)), ..fields[1] }];
        let fields = [fields[0], aligned[0]];
        assert_eq!(field_error(&fields, 1, true), None);
        let early = [fields[0], Field { rust_offset: 4, ..fields[1] }];
        assert_eq!(
            field_error(&early, 1, false).as_deref(),
            Some(
                "field `b` of `S` is at byte 4, but WGSL puts it at byte 16 (its #[gpu(align = 16)]): add 12 \
                 bytes of padding before it, e.g. `_pad: [u32; 3]`"
            )
        );
    }

    #[test]
    fn too_much_padding() {
        // No @align puts it at 12.
        let fields = [member::<f32>("a", 0, &f32::WGSL), member::<f32>("b", 12, &f32::WGSL)];
        assert_eq!(
            field_error(&fields, 1, false).as_deref(),
            Some("field `b` of `S` is at byte 12, but WGSL puts it at byte 4: remove 8 bytes of padding before it")
        );
    }

    #[test]
    fn only_the_first_mistake_is_reported() {
        let fields = [
            member::<f32>("a", 0, &f32::WGSL),
            member::<[f32; 4]>("b", 4, &<[f32; 4]>::WGSL),
            member::<f32>("c", 20, &f32::WGSL),
        ];
        assert!(field_error(&fields, 1, false).is_some());
        assert_eq!(field_error(&fields, 2, false), None);
        assert_eq!(check_struct("S", &fields, 24, false).map(|m| m.as_str().to_string()), None);
    }

    #[test]
    fn struct_size_names_the_trailing_padding() {
        let fields = [member::<[f32; 3]>("a", 0, &<[f32; 3]>::WGSL)];
        let message = check_struct("S", &fields, 12, false).expect("an error");
        assert_eq!(
            message.as_str(),
            "`S` is 12 bytes in Rust, but 16 in WGSL, where it aligns to 16: \
             add 4 bytes of padding at the end, e.g. `_pad: u32`"
        );
    }

    #[test]
    fn vec3_arrays_are_strided_by_16() {
        let fields = [member::<[[f32; 3]; 2]>("a", 0, &<[[f32; 3]; 2]>::WGSL)];
        assert_eq!(
            field_error(&fields, 0, false).as_deref(),
            Some(
                "field `a` of `S` is 24 bytes in Rust, but its WGSL type `array<vec3<f32>, 2>` is 32 bytes: \
                 WGSL puts vec3 array elements 16 bytes apart; use [[T; 4]; N]"
            )
        );
    }

    #[test]
    fn uniform_rules_apply_only_when_asked() {
        // array<u32, 4>: a stride of 4.
        const ARRAY: WgslType = WgslType::Array { element: &WgslType::U32, length: 4 };
        let fields =
            [Field { name: "a", rust_offset: 0, rust_size: 16, member: Some(Member::array::<u32>(&ARRAY, 4)) }];
        assert_eq!(field_error(&fields, 0, false), None);
        assert_eq!(
            field_error(&fields, 0, true).as_deref(),
            Some(
                "field `a` of `S`: `array<u32, 4>` cannot be in a uniform buffer, where array elements must \
                 be a multiple of 16 bytes apart (and struct elements follow the uniform rules)"
            )
        );

        // A struct of 4 bytes, then a scalar 4 bytes later.
        let fields = [member::<Light>("l", 0, &Light::WGSL), member::<f32>("b", 4, &f32::WGSL)];
        assert_eq!(field_error(&fields, 1, false), None);
        assert_eq!(
            field_error(&fields, 1, true).as_deref(),
            Some(
                "field `b` of `S` is at byte 4, but in a uniform buffer it must start at byte 16 or later, \
                 16-byte rounded past the struct `l`: give `l` #[gpu(size = 16)] (WGSL @size) and pad up to it"
            )
        );

        // A struct at an offset that is not a multiple of 16.
        let fields = [member::<f32>("a", 0, &f32::WGSL), member::<Light>("l", 4, &Light::WGSL)];
        assert_eq!(
            field_error(&fields, 1, true).as_deref(),
            Some(
                "field `l` of `S` is at byte 4, but in a uniform buffer `Light` must start at a multiple of \
                 16: give it #[gpu(align = 16)] (WGSL @align(16)) and pad up to it"
            )
        );
    }

    #[test]
    fn attributes_below_the_natural_layout() {
        let fields = [Field {
            member: Some(Member::of::<[f32; 4]>(&<[f32; 4]>::WGSL).align(8)),
            ..member::<[f32; 4]>("a", 0, &f32::WGSL)
        }];
        assert_eq!(
            field_error(&fields, 0, false).as_deref(),
            Some("field `a` of `S`: #[gpu(align = 8)] is below the alignment 16 of `vec4<f32>`")
        );
        let fields = [Field {
            member: Some(Member::of::<[f32; 4]>(&<[f32; 4]>::WGSL).size(8)),
            ..member::<[f32; 4]>("a", 0, &f32::WGSL)
        }];
        assert_eq!(
            field_error(&fields, 0, false).as_deref(),
            Some("field `a` of `S`: #[gpu(size = 8)] is below the size 16 of `vec4<f32>`")
        );
    }
}
