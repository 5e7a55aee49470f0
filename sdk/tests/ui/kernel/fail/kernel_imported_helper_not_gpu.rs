//! Plain functions imported into a kernel's module, from a module in another file or an inline
//! one: the error names the function and where to mark it, instead of rustc's "cannot find macro".
//! The imported `#[gpu]` helper is fine.

use std::sync::atomic::{AtomicU32, Ordering};

#[path = "helpers/bytes.rs"]
mod bytes;

mod inline {
    pub fn half(x: u32) -> u32 {
        x / 2
    }
}

use bytes::{low_byte, top_byte};
use self::inline::half;

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn histogram(input: &[u32], bins: &[AtomicU32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < input.len() {
        bins[top_byte(input[i]) as usize].fetch_add(low_byte(input[i]), Ordering::Relaxed);
    }
}

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn halve(data: &mut [u32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < data.len() {
        data[i] = half(data[i]);
    }
}

fn main() {}
