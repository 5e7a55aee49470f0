//! `f16` kernels (cargo feature `f16`): their buffers and parameters are the
//! SDK's stable [`F16`]. They run on the CPU device, and on a GPU device
//! created with `shader-f16`; a GPU device without it gets a typed error.

use guest_harness::expect_err;
use wasi_webgpu::Threads;
use wasi_webgpu::{DeviceDescriptor, Error, F16, Features, Instance, Vec2, dot, global_id, kernel, vec2};

use crate::{Both, Context, On, Outcome, Rng, close, ensure, same};

#[kernel(workgroup_size = 64)]
fn axpy_f16(y: &mut [f16], x: &[f16], a: f16) {
    let i = global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[kernel(workgroup_size = 64)]
fn f16_ops(out: &mut [f16], index: &mut [u32], x: &[f16], y: &[f16]) {
    let i = global_id().x as usize;
    if i < out.len() {
        let m = x[i].max(y[i]);
        let r = (m * m + 0.5).sqrt() - 1.25 / (x[i].abs() + 1.0) + (global_id().x % 50) as f16;
        out[i] = r;
        let mut bonus = 0u32;
        if x[i] < y[i] {
            bonus = 1000;
        }
        index[i] = (r * 8.0) as u32 + bonus;
    }
}

#[kernel(workgroup_size = 64)]
fn f16_vectors(out: &mut [f16], x: &[f16], s: Vec2<f16>) {
    let i = global_id().x as usize;
    if i < out.len() {
        let v = vec2(x[i], -x[i]) * s;
        out[i] = dot(v, v) + v.x.max(s.y);
    }
}

/// Rounds to f16, as each WGSL f16 operation does.
fn r(x: f32) -> f32 {
    F16::from_f32(x).to_f32()
}

/// `f16_ops` in plain `f32` arithmetic, rounded to f16 after every operation.
fn f16_ops_reference(i: u32, x: F16, y: F16) -> (F16, u32) {
    let (x, y) = (x.to_f32(), y.to_f32());
    let m = x.max(y);
    let root = r(r(r(m * m) + 0.5).sqrt());
    let q = r(1.25 / r(x.abs() + 1.0));
    let v = r(r(root - q) + r((i % 50) as f32));
    // Negative values saturate to 0; `v * 8` is exact (a power of two, far from overflow).
    let index = r(v * 8.0) as u32 + if x < y { 1000 } else { 0 };
    (F16::from_f32(v), index)
}

/// The `f16` kernels (arithmetic, `max`, `sqrt`, `abs`, comparisons, casts
/// to and from integers, `Vec2<f16>` with a uniform vector and `dot`) on the
/// CPU device and, when the adapter has
/// `shader-f16`, on the GPU, each against a reference computed here in `f32`
/// rounded to f16 after every operation (WGSL's f16 semantics). The CPU
/// device must match it bit for bit; the GPU within a few f16 rounding steps
/// (it may fuse `a * x + y` and round `/` and `sqrt` less tightly). Also the
/// typed refusals: a GPU device without `shader-f16`, and (on an adapter
/// without it) the device request.
pub async fn f16_kernels(both: &Both<'_>) -> Outcome {
    let gpu = both.gpu;
    let mut rng = Rng::new(16);
    let x: Vec<F16> = (0..1000).map(|_| F16::from_f32(rng.f32_in(-4.0, 4.0))).collect();
    let y: Vec<F16> = (0..1000).map(|_| F16::from_f32(rng.f32_in(-4.0, 4.0))).collect();
    let a = F16::from_f32(1.375);
    let axpy: Vec<F16> =
        x.iter().zip(&y).map(|(x, y)| F16::from_f32(r(a.to_f32() * x.to_f32()) + y.to_f32())).collect();
    let (ops, indices): (Vec<F16>, Vec<u32>) =
        x.iter().zip(&y).enumerate().map(|(i, (&x, &y))| f16_ops_reference(i as u32, x, y)).unzip();
    let s = Vec2 { x: F16::from_f32(0.75), y: F16::from_f32(-1.5) };
    let vectors: Vec<F16> = x
        .iter()
        .map(|x| {
            let (vx, vy) = (r(x.to_f32() * s.x.to_f32()), r(-x.to_f32() * s.y.to_f32()));
            F16::from_f32(r(r(vx * vx) + r(vy * vy)) + vx.max(s.y.to_f32()))
        })
        .collect();
    ensure!(indices.contains(&0) && indices.iter().any(|&k| k > 1000), "the inputs miss a saturating or a bonus case");

    // The harness's device was created without `shader-f16`.
    let plain = On { name: "gpu", device: gpu.device.clone(), queue: gpu.queue.clone() };
    let (mut yb, xb) = (plain.storage(&y)?, plain.storage(&x)?);
    expect_err!(
        axpy_f16::launch(&plain.device, &mut yb, &xb, a, Threads::x(y.len() as u32)).await,
        Error::MissingFeature { feature: "shader-f16", .. }
    );

    // The CPU device: WGSL's f16 rounding, so exactly the reference.
    let cpu = Instance::new().cpu_adapter();
    let (device, queue) = cpu.request_device(&Default::default()).await.at("cpu request_device")?;
    ensure!(device.is_cpu(), "the CPU adapter gave a GPU device");
    let cpu = On { name: "cpu", device, queue };
    let (mut yb, xb) = (cpu.storage(&y)?, cpu.storage(&x)?);
    cpu.at(axpy_f16::launch(&cpu.device, &mut yb, &xb, a, Threads::x(y.len() as u32)).await)?;
    same("cpu: a * x + y in f16", &cpu.read(&yb).await?, &axpy)?;
    let (mut out, mut index, xb, yb) =
        (cpu.zeroed::<F16>(x.len())?, cpu.zeroed::<u32>(x.len())?, cpu.storage(&x)?, cpu.storage(&y)?);
    cpu.at(f16_ops::launch(&cpu.device, &mut out, &mut index, &xb, &yb, Threads::x(x.len() as u32)).await)?;
    same("cpu: f16_ops values", &cpu.read(&out).await?, &ops)?;
    same("cpu: f16_ops indices", &cpu.read(&index).await?, &indices)?;
    let (mut out, xb) = (cpu.zeroed::<F16>(x.len())?, cpu.storage(&x)?);
    cpu.at(f16_vectors::launch(&cpu.device, &mut out, &xb, s, Threads::x(x.len() as u32)).await)?;
    same("cpu: f16_vectors", &cpu.read(&out).await?, &vectors)?;

    let with_f16 = DeviceDescriptor { required_features: Features::SHADER_F16, ..Default::default() };
    if !gpu.adapter.features().contains(Features::SHADER_F16) {
        expect_err!(gpu.adapter.request_device(&with_f16).await, Error::UnsupportedFeature("shader-f16"));
        println!("note: the adapter has no shader-f16; checked the CPU device and the GPU's typed refusal only");
        return Ok(());
    }
    let (device, queue) = gpu.adapter.request_device(&with_f16).await.at("request_device with shader-f16")?;
    ensure!(device.features().contains(Features::SHADER_F16), "the device lacks shader-f16");
    let on = On { name: "gpu", device, queue };
    let (mut yb, xb) = (on.storage(&y)?, on.storage(&x)?);
    on.at(axpy_f16::launch(&on.device, &mut yb, &xb, a, Threads::x(y.len() as u32)).await)?;
    let got: Vec<f32> = on.read(&yb).await?.into_iter().map(F16::to_f32).collect();
    let to_f32 = |v: &[F16]| v.iter().map(|h| h.to_f32()).collect::<Vec<f32>>();
    // A fused multiply-add rounds once instead of twice: allow 2 ulps (2^-9 relative) plus the smallest normal.
    close("gpu: a * x + y in f16", &got, &to_f32(&axpy), 2f32.powi(-14), 2f32.powi(-9))?;

    let (mut out, mut index, xb, yb) =
        (on.zeroed::<F16>(x.len())?, on.zeroed::<u32>(x.len())?, on.storage(&x)?, on.storage(&y)?);
    on.at(f16_ops::launch(&on.device, &mut out, &mut index, &xb, &yb, Threads::x(x.len() as u32)).await)?;
    let got = on.read(&out).await?;
    // Vulkan allows f16 `/` and `sqrt` a few ulps, and `root - q` (both up to ~3, ulp 2^-9) feeds the sum:
    // 2^-6 absolute (4 ulps of 3) plus 2 ulps of the result.
    close("gpu: f16_ops values", &to_f32(&got), &to_f32(&ops), 2f32.powi(-6), 2f32.powi(-9))?;
    // The index is the GPU's own value times 8, cast to u32 (saturating at 0), plus the comparison's bonus.
    let expected: Vec<u32> = got
        .iter()
        .zip(x.iter().zip(&y))
        .map(|(v, (x, y))| r(v.to_f32() * 8.0) as u32 + if x.to_f32() < y.to_f32() { 1000 } else { 0 })
        .collect();
    same("gpu: f16_ops indices", &on.read(&index).await?, &expected)?;
    let (mut out, xb) = (on.zeroed::<F16>(x.len())?, on.storage(&x)?);
    on.at(f16_vectors::launch(&on.device, &mut out, &xb, s, Threads::x(x.len() as u32)).await)?;
    // `dot` (up to ~45, ulp 2^-5) may round its sum once: 2 ulps of the result plus 2^-4.
    close("gpu: f16_vectors", &to_f32(&on.read(&out).await?), &to_f32(&vectors), 2f32.powi(-4), 2f32.powi(-9))?;
    Ok(())
}
