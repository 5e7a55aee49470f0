// Every non-padding field must have a WGSL type: `f64` has none in WebGPU.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct Sample {
    time: f64,
    value: f32,
    _pad: u32,
}

fn main() {}
