use std::sync::atomic::{AtomicU32, Ordering};

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn histogram(bins: &[AtomicU32]) {
    bins[0].fetch_add(1, Ordering::SeqCst);
}

fn main() {}
