//! `#[gpu]` helpers: imported from another module, defined after the kernel, calling each other;
//! the kernel's generated WGSL holds all of them, callees first, and the CPU translation compiles.

mod util {
    #[wasi_webgpu::gpu]
    pub fn sq(x: f32) -> f32 {
        x * x
    }

    #[wasi_webgpu::gpu]
    pub fn norm2(a: f32, b: f32) -> f32 {
        sq(a) + sq(b)
    }
}

use util::norm2;
use wasi_webgpu::global_id;

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn lengths(xs: &[f32], ys: &[f32], out: &mut [f32]) {
    let i = global_id().x as usize;
    if i < out.len() {
        out[i] = norm2(xs[i], ys[i]).sqrt() + later(1);
    }
}

#[wasi_webgpu::gpu]
fn later(mut n: i32) -> f32 {
    n += 1;
    (n - 2) as f32
}

fn main() {
    let wgsl = lengths::WGSL;
    let (sq, norm2, later) = (wgsl.find("fn sq(").unwrap(), wgsl.find("fn norm2(").unwrap(), wgsl.find("fn later("));
    assert!(sq < norm2 && later.is_some(), "{wgsl}");
    // Helpers stay ordinary Rust functions.
    assert_eq!(util::norm2(3.0, 4.0), 25.0);
}
