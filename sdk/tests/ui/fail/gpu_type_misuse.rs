// What the derive refuses before looking at offsets: generics, options it
// does not know or WGSL would reject, and a struct that is all padding.
use bytemuck::{Pod, Zeroable};

#[derive(Clone, Copy, wasi_webgpu::GpuType)]
#[repr(C)]
struct Generic<T> {
    x: T,
}

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct NotAPowerOfTwo {
    #[gpu(align = 12)]
    x: f32,
}

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct UnknownOption {
    #[gpu(stride = 16)]
    x: f32,
}

#[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
struct OnlyPadding {
    _pad: u32,
}

fn main() {}
