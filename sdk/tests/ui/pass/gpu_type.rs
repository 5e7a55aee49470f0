// `#[derive(GpuType)]` from another crate: storage and uniform layouts, the
// field attributes, and the WGSL declarations it generates.
use bytemuck::{Pod, Zeroable};
use wasi_webgpu::GpuType;

#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Particle {
    mass: f32,
    _pad: [u32; 3],
    velocity: [f32; 3],
    charge: f32,
}

#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Emitter {
    r#type: u32,
    #[gpu(padding)]
    reserved: u32,
    direction: [f32; 2],
}

#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
#[gpu(uniform)]
struct Params {
    transform: [[f32; 4]; 4],
    #[gpu(size = 32)]
    emitter: Emitter,
    #[gpu(padding)]
    reserved: [u32; 4],
    count: u32,
    _pad: [u32; 3],
}

#[derive(Clone, Copy, Pod, Zeroable, GpuType)]
#[repr(C)]
struct Flags {
    #[gpu(array)]
    bits: [u32; 4],
    len: u32,
}

const _: () = assert!(Particle::WGSL_SIZE == 32 && Params::WGSL_SIZE == 112 && Params::UNIFORM_COMPATIBLE);
const _: () = assert!(Flags::WGSL_SIZE == 20 && !Flags::UNIFORM_COMPATIBLE);

fn main() {
    assert_eq!(
        Params::WGSL.declarations(),
        "struct Emitter {\n    type: u32,\n    direction: vec2<f32>,\n}\n\
         struct Params {\n    transform: array<vec4<f32>, 4>,\n    @size(32) emitter: Emitter,\n    count: u32,\n}\n"
    );
    assert_eq!(Flags::WGSL.declarations(), "struct Flags {\n    bits: array<u32, 4>,\n    len: u32,\n}\n");
}
