// Uniform layout rule: in a `#[gpu(uniform)]` struct, the member after a struct member starts at
// least 16-byte-rounded past it; `scale` at byte 8 is too early.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct Range {
    start: u32,
    end: u32,
}

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[gpu(uniform)]
#[repr(C)]
struct Params {
    range: Range,
    scale: f32,
    _pad: u32,
}

fn main() {}
