// Uniform layout rule: in a `#[gpu(uniform)]` struct, an array's elements must be 16 bytes apart;
// `array<f32, 8>` has stride 4.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[gpu(uniform)]
#[repr(C)]
struct Weights {
    count: u32,
    _pad: [u32; 3],
    #[gpu(array)]
    weights: [f32; 8],
}

fn main() {}
