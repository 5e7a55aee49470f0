// Helpers for kernel_imported_helper_not_gpu.rs: one marked, one not.

pub fn top_byte(x: u32) -> u32 {
    x >> 24
}

#[wasi_webgpu::gpu]
pub fn low_byte(x: u32) -> u32 {
    x & 0xff
}
