// WGSL puts `array<vec3<f32>, 4>` elements 16 bytes apart; `[[f32; 3]; 4]`
// puts them 12 apart.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct Triangle {
    corners: [[f32; 3]; 4],
}

fn main() {}
