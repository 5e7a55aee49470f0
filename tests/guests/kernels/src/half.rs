//! `f16` kernels (cargo feature `f16`): their buffers and parameters are the
//! SDK's stable [`F16`]. They run only on a GPU device created with
//! `shader-f16`; anywhere else `launch` returns a typed error.

use guest_harness::expect_err;
use wasi_webgpu::{DeviceDescriptor, Error, F16, Features, Instance, global_id, kernel};

use crate::{Both, Context, On, Outcome, Rng, close, ensure};

#[kernel(workgroup_size = 64)]
fn axpy_f16(y: &mut [f16], x: &[f16], a: f16) {
    let i = global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

/// `y = a * x + y` in f16 on the GPU against the same computed here through
/// [`F16`] conversions, and the typed refusals: the CPU device, a device
/// without `shader-f16`, and (on an adapter without it) the device request.
pub async fn f16_kernels(both: &Both<'_>) -> Outcome {
    let gpu = both.gpu;
    let mut rng = Rng::new(16);
    let x: Vec<F16> = (0..1000).map(|_| F16::from_f32(rng.f32_in(-4.0, 4.0))).collect();
    let y: Vec<F16> = (0..1000).map(|_| F16::from_f32(rng.f32_in(-4.0, 4.0))).collect();
    let a = F16::from_f32(1.375);

    // The harness's device was created without `shader-f16`.
    let plain = On { name: "gpu", device: gpu.device.clone(), queue: gpu.queue.clone() };
    let (mut yb, xb) = (plain.storage(&y)?, plain.storage(&x)?);
    expect_err!(
        axpy_f16::launch(&plain.device, &mut yb, &xb, a, y.len() as u32).await,
        Error::MissingFeature { feature: "shader-f16", .. }
    );

    let cpu = Instance::new().cpu_adapter();
    let (device, queue) = cpu.request_device(&Default::default()).await.at("cpu request_device")?;
    let cpu = On { name: "cpu", device, queue };
    let (mut yb, xb) = (cpu.storage(&y)?, cpu.storage(&x)?);
    expect_err!(axpy_f16::launch(&cpu.device, &mut yb, &xb, a, y.len() as u32).await, Error::CpuDevice { .. });

    let with_f16 = DeviceDescriptor { required_features: Features::SHADER_F16, ..Default::default() };
    if !gpu.adapter.features().contains(Features::SHADER_F16) {
        expect_err!(gpu.adapter.request_device(&with_f16).await, Error::UnsupportedFeature("shader-f16"));
        println!("note: the adapter has no shader-f16; checked its typed refusal only");
        return Ok(());
    }
    let (device, queue) = gpu.adapter.request_device(&with_f16).await.at("request_device with shader-f16")?;
    ensure!(device.features().contains(Features::SHADER_F16), "the device lacks shader-f16");
    let on = On { name: "gpu", device, queue };
    let (mut yb, xb) = (on.storage(&y)?, on.storage(&x)?);
    on.at(axpy_f16::launch(&on.device, &mut yb, &xb, a, y.len() as u32).await)?;
    let got: Vec<f32> = on.read(&yb).await?.into_iter().map(F16::to_f32).collect();
    // Each f16 operation rounded to nearest; the GPU may fuse the multiply-add (one rounding instead of two),
    // so the results may differ by an f16 rounding step: allow 2 ulps (2^-9 relative) plus the smallest normal.
    let expected: Vec<f32> = x
        .iter()
        .zip(&y)
        .map(|(x, y)| {
            let ax = F16::from_f32(a.to_f32() * x.to_f32());
            F16::from_f32(ax.to_f32() + y.to_f32()).to_f32()
        })
        .collect();
    close("a * x + y in f16", &got, &expected, 2f32.powi(-14), 2f32.powi(-9))?;
    Ok(())
}
