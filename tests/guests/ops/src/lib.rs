//! Every `wasi-webgpu-ops` operation run on the GPU, and again on the
//! in-guest CPU device (`<check> on cpu`), checked against a reference
//! computed here in `f64`, over sizes of 1, 7, 1000 and shapes
//! that are not multiples of any tile or block (7 x 13, 33 x 65, 1 x 1000,
//! ...), plus the errors bad shapes must give. Each check states its
//! tolerance. Arguments select checks by substring; the integration test
//! `ops` runs them all.

mod api;
mod elementwise;
mod half;
mod half_matmul;
mod linalg;
mod pieces;
mod reduce;
mod rows;
mod tiling;
mod transformer;

use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages};
use wasi_webgpu_ops::Op;

pub use guest_harness::{Context, Gpu, Outcome, Rng, checks, ensure, expect_err};

/// Turns an ops error into a check failure that names the call.
pub(crate) trait OpsContext<T> {
    fn at(self, what: &str) -> Result<T, String>;
}

impl<T> OpsContext<T> for wasi_webgpu_ops::Result<T> {
    fn at(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// A storage buffer holding `data`, readable and writable from the guest.
pub(crate) fn buffer(gpu: &Gpu, data: &[f32]) -> Result<Buffer<f32>, String> {
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    gpu.device.create_buffer_init(&BufferInitDescriptor { label: None, contents: data, usage }).at("buffer")
}

/// A storage buffer of `len` NaNs: an element the GPU fails to write stays
/// NaN and fails every comparison.
pub(crate) fn poisoned(gpu: &Gpu, len: usize) -> Result<Buffer<f32>, String> {
    buffer(gpu, &vec![f32::NAN; len])
}

/// Submits `op` and reads `output` back.
pub(crate) async fn run(gpu: &Gpu, op: &Op, output: &Buffer<f32>) -> Result<Vec<f32>, String> {
    op.submit(&gpu.queue).await.at(op.name())?;
    output.read().await.at("read")
}

/// Fails at the first element where `|gpu - cpu| > tolerance(i)`; a NaN
/// on either side fails.
pub(crate) fn within(what: &str, gpu: &[f32], cpu: &[f64], tolerance: impl Fn(usize) -> f64) -> Outcome {
    ensure!(gpu.len() == cpu.len(), "{what}: {} elements, expected {}", gpu.len(), cpu.len());
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        let tol = tolerance(i);
        if (f64::from(g) - c).abs() <= tol {
            continue;
        }
        return Err(format!("{what}[{i}]: got {g}, reference {c}, beyond the tolerance {tol:e}"));
    }
    Ok(())
}

/// `|gpu - cpu| <= abs + rel * |cpu|` everywhere.
pub(crate) fn close(what: &str, gpu: &[f32], cpu: &[f64], abs: f64, rel: f64) -> Outcome {
    within(what, gpu, cpu, |i| abs + rel * cpu[i].abs())
}

/// Bit-for-bit equality with a CPU result computed in `f32` the same way
/// (IEEE addition and multiplication are exactly rounded).
pub(crate) fn exact(what: &str, gpu: &[f32], cpu: &[f32]) -> Outcome {
    ensure!(gpu.len() == cpu.len(), "{what}: {} elements, expected {}", gpu.len(), cpu.len());
    match gpu.iter().zip(cpu).position(|(g, c)| g.to_bits() != c.to_bits() && !(*g == 0.0 && *c == 0.0)) {
        Some(i) => Err(format!("{what}[{i}]: got {}, reference {}", gpu[i], cpu[i])),
        None => Ok(()),
    }
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let checks = [
        linalg::CHECKS,
        tiling::CHECKS,
        elementwise::CHECKS,
        reduce::CHECKS,
        pieces::CHECKS,
        rows::CHECKS,
        transformer::CHECKS,
        half::CHECKS,
        half_matmul::CHECKS,
        api::CHECKS,
    ]
    .concat();
    guest_harness::run_checks_on_gpu_and_cpu("ops", &checks, &filters).await
}
