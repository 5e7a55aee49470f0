// A GpuType struct must be `#[repr(C)]`: Rust's default layout may reorder fields.
use bytemuck::Zeroable;

#[derive(Clone, Copy, Zeroable, wasi_webgpu::GpuType)]
struct Params {
    scale: f32,
    count: u32,
}

fn main() {}
