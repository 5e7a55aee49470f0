//! The f16 matrix products, `matmul` and `linear` over `Buffer<F16>`, with each sum
//! (`Accumulate::F32`, `Accumulate::F16`) and each forced tiling, against
//! f64 references of the same f16-rounded inputs: shapes off the 128 tiles
//! and their slices (129 x 260 x 132), exact multiples (the unchecked
//! kernels), batches with gaps and a shared operand, every transpose, the
//! shapes `Tiling::Auto` sends to the 128 tiles, and the errors. Each needs
//! `shader-f16`: where the adapter lacks it (the CPU adapter always does)
//! the checks are the typed refusal.
//!
//! Bounds, for a sum of k terms of magnitude `mag = Σ|aᵢ bᵢ|` with output
//! `y`: f32 sums `ulp(y) + 1e-6 + 1.2 (k + 1) 2⁻²⁴ mag` (one f16 rounding
//! over f32's classical bound, as `half` checks linear_f16); f16 sums
//! `ulp(y) + 1.2 ((k + 1) 2⁻¹¹ mag + k 2⁻²⁴)`, the classical bound at f16's
//! unit roundoff plus f16's subnormal spacing per partial sum, through an
//! activation of slope at most 1.2. The worst errors measured are printed
//! per sum and k.

use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, Device, DeviceDescriptor, F16, Features, Limits, Queue};
use wasi_webgpu_ops::{Accumulate, Activation, Error, LinearDesc, MatmulDesc, Ops, Tiling};

use crate::{Context, Gpu, OpsContext, Outcome, Rng, checks, ensure, expect_err, within};

checks![matmul_f16_each_tiling_and_sum, linear_f16_each_tiling_and_sum, f16_products_refuse];

/// Workgroup memory `Tiling::Tile128Deep` needs.
const DEEP_BYTES: u32 = 32 * 1024;

/// A device with `shader-f16` (and 32 KiB of workgroup memory when `deep`)
/// on an adapter of its own, if the adapter offers them.
async fn f16_device(like: &Gpu, deep: bool) -> Result<Option<(Device, Queue)>, String> {
    if like.device.is_cpu() {
        return Ok(None);
    }
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await.at("request_adapter")?;
    let bytes = if deep { DEEP_BYTES } else { Limits::default().max_compute_workgroup_storage_size };
    if !adapter.features().contains(Features::SHADER_F16) || adapter.limits().max_compute_workgroup_storage_size < bytes
    {
        return Ok(None);
    }
    let required_limits = Limits { max_compute_workgroup_storage_size: bytes, ..Default::default() };
    let descriptor =
        DeviceDescriptor { required_features: Features::SHADER_F16, required_limits, ..Default::default() };
    Ok(Some(adapter.request_device(&descriptor).await.at("request_device with shader-f16")?))
}

/// Each forced tiling, and `Auto`, with the device to run it on.
async fn runs(gpu: &Gpu) -> Result<Vec<(Tiling, Device, Queue)>, String> {
    let Some((device, queue)) = f16_device(gpu, false).await? else {
        println!("note: no shader-f16; the f16 products checked as refusals only");
        return Ok(Vec::new());
    };
    let mut runs = vec![
        (Tiling::Auto, device.clone(), queue.clone()),
        (Tiling::Tile64, device.clone(), queue.clone()),
        (Tiling::Tile128, device, queue),
    ];
    match f16_device(gpu, true).await? {
        Some((device, queue)) => runs.push((Tiling::Tile128Deep, device, queue)),
        None => println!("note: under 32 KiB of workgroup memory; Tile128Deep of f16 not run"),
    }
    Ok(runs)
}

/// `v` rounded to f16.
fn halves(v: &[f32]) -> Vec<F16> {
    v.iter().map(|&x| F16::from_f32(x)).collect()
}

fn widen(v: &[F16]) -> Vec<f32> {
    v.iter().map(|h| h.to_f32()).collect()
}

fn upload(device: &Device, v: &[F16]) -> Result<Buffer<F16>, String> {
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    device.create_buffer_init(&BufferInitDescriptor { label: None, contents: v, usage }).at("f16 buffer")
}

/// One f16 ulp of `y`, 2⁻¹⁰ |y| (2⁻²⁴ near 0): an f16 store of `y`,
/// whichever way the device rounds.
fn ulp(y: f64) -> f64 {
    (y.abs() * 2f64.powi(-10)).max(2f64.powi(-24))
}

/// The bound of a k-term sum of magnitude `mag` and value `y`, summed as
/// `accumulate` says (see the module's docs).
fn bound(accumulate: Accumulate, k: usize, mag: f64, y: f64) -> f64 {
    let k = k as f64;
    match accumulate {
        Accumulate::F32 => ulp(y) + 1e-6 + 1.2 * (k + 1.0) * 2f64.powi(-24) * mag,
        Accumulate::F16 => ulp(y) + 1.2 * ((k + 1.0) * 2f64.powi(-11) * mag + k * 2f64.powi(-24)),
    }
}

/// The worst error seen per sum and k, relative to `Σ|aᵢ bᵢ|`.
#[derive(Default)]
struct Worst(Vec<((bool, usize), f64)>);

impl Worst {
    fn see(&mut self, accumulate: Accumulate, k: usize, got: &[f32], expected: &[f64], mag: &[f64]) {
        let k = (accumulate == Accumulate::F16, k);
        let worst = got
            .iter()
            .zip(expected)
            .zip(mag)
            .map(|((&g, &e), &m)| (f64::from(g) - e).abs() / m.max(1e-3))
            .fold(0.0, f64::max);
        match self.0.iter_mut().find(|(seen, _)| *seen == k) {
            Some((_, w)) => *w = w.max(worst),
            None => self.0.push((k, worst)),
        }
    }

    fn print(mut self, what: &str) {
        self.0.sort_by_key(|&(k, _)| k);
        for ((f16, k), worst) in self.0 {
            let sums = if f16 { "f16" } else { "f32" };
            println!("{what}, {sums} sums: worst |error| = {worst:.2e} Σ|ab| at k = {k}");
        }
    }
}

/// Runs `desc` on f16 inputs in [-1, 1) with both sums and checks each
/// within its bound; on the 128 tiles, the f16 sums must differ from the
/// f32 ones somewhere (else the `_h` kernel did not run).
async fn check_matmul(
    device: &Device,
    queue: &Queue,
    desc: MatmulDesc,
    seed: u32,
    worst: &mut Worst,
) -> Result<(), String> {
    let ops = Ops::new(device);
    let (m, n, k, batch) = (desc.m as usize, desc.n as usize, desc.k as usize, desc.batch as usize);
    let extent = |s: Option<u32>, packed: usize| (batch - 1) * s.map_or(packed, |s| s as usize) + packed;
    let mut rng = Rng::new(seed);
    let a = halves(&rng.vec(extent(desc.stride_a, m * k), -1.0, 1.0));
    let b = halves(&rng.vec(extent(desc.stride_b, k * n), -1.0, 1.0));
    let c_len = extent(desc.stride_c, m * n);
    let (expected, magnitude) = crate::linalg::reference(&desc, &widen(&a), &widen(&b), c_len);
    let (a, b) = (upload(device, &a)?, upload(device, &b)?);
    let mut sums = Vec::new();
    for accumulate in [Accumulate::F32, Accumulate::F16] {
        let desc = desc.with_accumulate(accumulate);
        let c = upload(device, &vec![F16::NAN; c_len])?;
        let op = ops.matmul(&desc, &a, &b, &c).await.at("matmul_f16")?;
        op.submit(queue).await.at("matmul_f16")?;
        let got = widen(&c.read().await.at("read")?);
        // Entries between strided batches are not part of C and stay NaN.
        let mut inside = (Vec::new(), Vec::new(), Vec::new());
        for (i, ((&g, &e), &mag)) in got.iter().zip(&expected).zip(&magnitude).enumerate() {
            ensure!(!e.is_nan() || g.is_nan(), "C[{i}] lies between strided batches but was written: {g}");
            if !e.is_nan() {
                inside.0.push(g);
                inside.1.push(e);
                inside.2.push(mag);
            }
        }
        let (got, want, mag) = inside;
        let what = format!(
            "matmul_f16 {m}x{k} * {k}x{n} (batch {batch}, Aᵀ {}, Bᵀ {}, {:?}, {accumulate:?})",
            desc.transpose_a, desc.transpose_b, desc.tiling
        );
        within(&what, &got, &want, |i| bound(accumulate, k, mag[i], want[i]))?;
        worst.see(accumulate, k, &got, &want, &mag);
        sums.push(got);
    }
    if matches!(desc.tiling, Tiling::Tile128 | Tiling::Tile128Deep) {
        ensure!(sums[0] != sums[1], "matmul_f16 {m}x{k} * {k}x{n} {:?}: f16 sums equal f32 sums", desc.tiling);
    }
    Ok(())
}

async fn matmul_f16_each_tiling_and_sum(gpu: &Gpu) -> Outcome {
    // Off every tile and slice (k = 132 is 4 past a multiple of 8, 16 and
    // 32); exact multiples of every depth (the unchecked kernels); each
    // transpose, with gaps between batch entries and B shared (stride 0).
    let batched = MatmulDesc::new(132, 136, 44).batched(2).strides(132 * 44 + 4, 0, 132 * 136 + 8);
    let descs = [
        MatmulDesc::new(129, 260, 132),
        MatmulDesc::new(128, 256, 128),
        batched.transpose_a(),
        batched.transpose_b(),
        MatmulDesc::new(68, 132, 100).batched(3).transpose_a().transpose_b(),
        // Long sums, where f16 sums drift most (k is 4 past a multiple of 32).
        MatmulDesc::new(64, 128, 1028),
    ];
    let mut worst = Worst::default();
    for (tiling, device, queue) in runs(gpu).await? {
        for (seed, desc) in descs.into_iter().enumerate() {
            check_matmul(&device, &queue, desc.with_tiling(tiling), 700 + seed as u32, &mut worst).await?;
        }
        // What `Auto` sends to the 128 tiles: 128 of them, exact multiples.
        if tiling == Tiling::Auto {
            check_matmul(&device, &queue, MatmulDesc::new(128, 128, 32).batched(128), 710, &mut worst).await?;
        }
    }
    worst.print("matmul_f16");
    Ok(())
}

async fn linear_f16_each_tiling_and_sum(gpu: &Gpu) -> Outcome {
    let shapes =
        [(130, 132, 260, Activation::GeluErf), (128, 128, 128, Activation::Relu), (3, 0, 8, Activation::GeluTanh)];
    let mut worst = Worst::default();
    for (tiling, device, queue) in runs(gpu).await? {
        let ops = Ops::new(&device);
        let mut cases: Vec<_> =
            shapes.iter().map(|&(r, k, n, act)| LinearDesc::new(r, k, n).with_activation(act)).collect();
        // 16 x 8 tiles of 128: `Auto` picks the 128 kernel.
        if tiling == Tiling::Auto {
            cases.push(LinearDesc::new(2048, 8, 1024).with_activation(Activation::GeluErf));
        }
        for (seed, desc) in cases.into_iter().enumerate() {
            let desc = desc.with_tiling(tiling);
            let (r, k, n) = (desc.rows as usize, desc.in_features as usize, desc.out_features as usize);
            let mut rng = Rng::new(720 + seed as u32);
            let x = halves(&rng.vec(r * k, -2.0, 2.0));
            let w = halves(&rng.vec(n * k, -1.0, 1.0));
            let bias = halves(&rng.vec(n, -1.0, 1.0));
            let (mut expected, mut magnitude) = (Vec::new(), Vec::new());
            for row in 0..r {
                for col in 0..n {
                    let (mut sum, mut mag) = (f64::from(bias[col].to_f32()), 0.0f64);
                    for p in 0..k {
                        let t = f64::from(x[row * k + p].to_f32()) * f64::from(w[col * k + p].to_f32());
                        sum += t;
                        mag += t.abs();
                    }
                    expected.push(crate::transformer::activate(desc.activation, sum));
                    magnitude.push(mag + f64::from(bias[col].to_f32()).abs());
                }
            }
            let (xb, wb, bb) = (upload(&device, &x)?, upload(&device, &w)?, upload(&device, &bias)?);
            for accumulate in [Accumulate::F32, Accumulate::F16] {
                let desc = desc.with_accumulate(accumulate);
                let y = upload(&device, &vec![F16::NAN; r * n])?;
                let op = ops.linear(&desc, &xb, &wb, &bb, &y).await.at("linear_f16")?;
                op.submit(&queue).await.at("linear_f16")?;
                let got = widen(&y.read().await.at("read")?);
                let what = format!("linear_f16 {r}x{k} -> {n} {:?} {tiling:?} {accumulate:?}", desc.activation);
                within(&what, &got, &expected, |i| bound(accumulate, k, magnitude[i], expected[i]))?;
                worst.see(accumulate, k, &got, &expected, &magnitude);
            }
        }
    }
    worst.print("linear_f16");
    Ok(())
}

async fn f16_products_refuse(gpu: &Gpu) -> Outcome {
    let usage = BufferUsages::STORAGE;
    let zeros = |device: &Device| {
        device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[F16::ZERO; 64], usage }).at("buffer")
    };
    // The harness's device has no shader-f16 (nor has the CPU device, ever).
    let ops = Ops::new(&gpu.device);
    let x = zeros(&gpu.device)?;
    expect_err!(
        ops.matmul(&MatmulDesc::new(2, 2, 2), &x, &x, &x).await,
        Error::Gpu { op: "matmul", source: wasi_webgpu::Error::MissingFeature { feature: "shader-f16", .. } }
    );
    let desc = MatmulDesc::new(2, 2, 2).with_accumulate(Accumulate::F16);
    expect_err!(
        ops.matmul(&desc, &x, &x, &x).await,
        Error::Gpu { op: "matmul", source: wasi_webgpu::Error::MissingFeature { feature: "shader-f16", .. } }
    );
    let Some((device, _)) = f16_device(gpu, false).await? else {
        return Ok(());
    };
    let ops = Ops::new(&device);
    let [a, b, c, d] = [(); 4].map(|()| zeros(&device));
    let (a, b, c, d) = (a?, b?, c?, d?);
    for accumulate in [Accumulate::F32, Accumulate::F16] {
        // n = 7: C's rows are not whole vec4s.
        let desc = MatmulDesc::new(4, 7, 4).with_tiling(Tiling::Tile128).with_accumulate(accumulate);
        expect_err!(ops.matmul(&desc, &a, &b, &c).await, Error::Shape { op: "matmul", .. });
        // Overlapping batch entries of C.
        let desc = MatmulDesc::new(4, 4, 4).batched(2).strides(16, 16, 8).with_accumulate(accumulate);
        expect_err!(ops.matmul(&desc, &a, &b, &c).await, Error::Shape { op: "matmul", .. });
        // C of 9 x 9 needs 81 elements; the buffers hold 64.
        let desc = MatmulDesc::new(9, 9, 4).with_accumulate(accumulate);
        expect_err!(ops.matmul(&desc, &a, &b, &c).await, Error::TooSmall { op: "matmul", buffer: "c", .. });
        let desc = LinearDesc::new(4, 6, 4).with_tiling(Tiling::Tile128).with_accumulate(accumulate);
        expect_err!(ops.linear(&desc, &a, &b, &c, &d).await, Error::Shape { op: "linear", .. });
        // This device has WebGPU's default 16 KiB of workgroup memory.
        let desc = MatmulDesc::new(4, 4, 4).with_tiling(Tiling::Tile128Deep).with_accumulate(accumulate);
        expect_err!(
            ops.matmul(&desc, &a, &b, &c).await,
            Error::Gpu {
                op: "matmul",
                source: wasi_webgpu::Error::OverLimit { limit: "maxComputeWorkgroupStorageSize", .. }
            }
        );
        let desc = LinearDesc::new(4, 4, 4).with_tiling(Tiling::Tile128Deep).with_accumulate(accumulate);
        expect_err!(
            ops.linear(&desc, &a, &b, &c, &d).await,
            Error::Gpu {
                op: "linear",
                source: wasi_webgpu::Error::OverLimit { limit: "maxComputeWorkgroupStorageSize", .. }
            }
        );
    }
    Ok(())
}
