//! `#[wasi_webgpu::kernel]` and `#[wasi_webgpu::gpu]`: thin entries into the translator crate
//! `wasi-webgpu-kernel`, where the subset, the WGSL and CPU back ends and their tests live.

use proc_macro2::TokenStream;

pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    wasi_webgpu_kernel::kernel(attr, item)
}

pub fn gpu(attr: TokenStream, item: TokenStream) -> TokenStream {
    wasi_webgpu_kernel::gpu(attr, item)
}

pub fn kernel_continue(input: TokenStream) -> TokenStream {
    wasi_webgpu_kernel::continue_kernel(input)
}
