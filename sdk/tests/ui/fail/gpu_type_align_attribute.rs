// `#[gpu(align = 16)]` mirrors WGSL's `@align(16)`: `b` then belongs at byte 16, not 4.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct Pair {
    a: u32,
    #[gpu(align = 16)]
    b: u32,
    _pad: [u32; 2],
}

fn main() {}
