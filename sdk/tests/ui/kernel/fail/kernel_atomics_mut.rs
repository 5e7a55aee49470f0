//! Atomics are written through `&[AtomicU32]`, as in Rust; the error says why `launch` takes the
//! buffer as `&mut Buffer<u32>` all the same.

use std::sync::atomic::{AtomicI32, Ordering};

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn tally(counts: &mut [AtomicI32]) {
    counts[0].fetch_add(1, Ordering::Relaxed);
}

fn main() {}
