// Struct mismatch: the WGSL struct is 16 bytes (its size rounds up to the vec3's 16-byte
// alignment), the Rust one 12.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct Point {
    position: [f32; 3],
}

fn main() {}
