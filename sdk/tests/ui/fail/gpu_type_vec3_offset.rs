// Struct mismatch: WGSL aligns `vec3<f32>` to 16 bytes, so `position` is at byte 16 in WGSL but at
// byte 4 in this Rust struct.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct Light {
    intensity: f32,
    position: [f32; 3],
}

fn main() {}
