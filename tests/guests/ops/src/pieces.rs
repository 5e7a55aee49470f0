//! Reductions and scans of arrays larger than one storage binding, on a
//! device whose `max_storage_buffer_binding_size` is lowered to 1 MiB
//! (262144 `f32`s) so the pieces the operations cut such arrays into are
//! exercised at small sizes. The lengths are not multiples of the piece,
//! the block or the chunk size. Small integers keep every partial sum below
//! 2^24, where f32 sums are exact, so the results compare exactly with an
//! f64 CPU reference.

use wasi_webgpu::{DeviceDescriptor, Limits};
use wasi_webgpu_ops::{Error, Ops, ReduceDesc, ScanKind};

use crate::{Gpu, OpsContext, Outcome, Rng, buffer, checks, ensure, exact, expect_err, poisoned, run};

checks![sum_past_the_binding_limit, max_past_the_binding_limit, scan_past_the_binding_limit];

/// The lowered binding limit, in bytes.
const LIMIT: u64 = 1 << 20;

/// A device whose storage bindings hold at most 1 MiB, on an adapter of its
/// own (an `Adapter` cannot be shared with the harness's `Gpu`): the CPU
/// adapter when `like` is the CPU device.
async fn small_bindings(like: &Gpu) -> Result<Gpu, String> {
    let instance = wasi_webgpu::Instance::new();
    let adapter = if like.device.is_cpu() {
        instance.cpu_adapter()
    } else {
        instance.request_adapter(&Default::default()).await.map_err(|e| format!("request_adapter: {e}"))?
    };
    let required_limits = Limits { max_storage_buffer_binding_size: LIMIT, ..Default::default() };
    let descriptor = DeviceDescriptor { required_limits, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await.map_err(|e| format!("request_device: {e}"))?;
    let got = device.limits().max_storage_buffer_binding_size;
    ensure!(got == LIMIT, "the device's maxStorageBufferBindingSize is {got}, not the {LIMIT} asked for");
    Ok(Gpu { adapter, device, queue })
}

/// The GPU's dispatch count; a CPU op is one step however large.
fn ensure_dispatches(gpu: &Gpu, what: &str, actual: usize, expected: usize) -> Outcome {
    let expected = if gpu.device.is_cpu() { 1 } else { expected };
    ensure!(actual == expected, "{what}: {actual} dispatches, expected {expected}");
    Ok(())
}

/// 3 full pieces and a short one; the sum of `x` in f64, exact here.
async fn sum_past_the_binding_limit(like: &Gpu) -> Outcome {
    let gpu = &small_bindings(like).await?;
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(41);
    for n in [3 * 262_144 + 12_345, 262_145usize] {
        let x: Vec<f32> = (0..n).map(|_| rng.i32_in(-8, 8) as f32).collect();
        let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, 1)?);
        let op = ops.sum(&ReduceDesc::vector(n as u32), &input, &output).await.at("sum")?;
        // One dispatch per piece, then one over the pieces' partials.
        ensure_dispatches(gpu, &format!("sum of {n}"), op.dispatch_count(), n.div_ceil(262_144) + 1)?;
        let expected = x.iter().map(|&v| f64::from(v)).sum::<f64>() as f32;
        exact(&format!("sum of {n}"), &run(gpu, &op, &output).await?, &[expected])?;
    }
    // A buffer that fits one binding keeps the one-binding passes.
    let x = vec![1.0f32; 1000];
    let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, 1)?);
    let op = ops.sum(&ReduceDesc::vector(1000), &input, &output).await.at("sum")?;
    ensure_dispatches(gpu, "sum of 1000", op.dispatch_count(), 1)?;
    exact("sum of 1000", &run(gpu, &op, &output).await?, &[1000.0])?;
    // Only 1D reductions are cut into pieces: a matrix past the limit is
    // the binding's typed error, naming the argument, when prepared.
    let (input, output) = (buffer(gpu, &vec![1.0f32; 2 * 200_000])?, poisoned(gpu, 200_000)?);
    for axis in [0, 1] {
        expect_err!(
            ops.sum(&ReduceDesc::new(2, 200_000, axis), &input, &output).await,
            Error::BindingSize { op: "sum", argument: "input", .. }
        );
    }
    Ok(())
}

/// All elements negative but one, in a middle piece: a piece's padding that
/// held 0 instead of -infinity, or a lost piece, would show.
async fn max_past_the_binding_limit(like: &Gpu) -> Outcome {
    let gpu = &small_bindings(like).await?;
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(43);
    let n = 2 * 262_144 + 5_000;
    for at in [300_000, n - 1, 3] {
        let mut x: Vec<f32> = (0..n).map(|_| -(rng.i32_in(1, 9) as f32)).collect();
        x[at] = -0.5;
        let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, 1)?);
        let op = ops.max(&ReduceDesc::vector(n as u32), &input, &output).await.at("max")?;
        ensure_dispatches(gpu, "max", op.dispatch_count(), 4)?;
        let expected = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        exact(&format!("max of {n} with the largest at {at}"), &run(gpu, &op, &output).await?, &[expected])?;
    }
    Ok(())
}

/// Prefix sums across pieces: each piece starts from the total of the
/// pieces before it.
async fn scan_past_the_binding_limit(like: &Gpu) -> Outcome {
    let gpu = &small_bindings(like).await?;
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(47);
    let n = 2 * 262_144 + 3 * 8192 + 77;
    let x: Vec<f32> = (0..n).map(|_| (rng.next_u32() % 4) as f32).collect();
    let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, n)?);
    for kind in [ScanKind::Inclusive, ScanKind::Exclusive] {
        let op = ops.scan(kind, &input, &output).await.at("scan")?;
        // Block sums per piece (3), the scan of the sums (1), block scans
        // per piece (3).
        ensure_dispatches(gpu, "scan", op.dispatch_count(), 7)?;
        let mut sum = 0.0f64;
        let mut expected = Vec::with_capacity(n);
        for &v in &x {
            let before = sum;
            sum += f64::from(v);
            expected.push(if kind == ScanKind::Inclusive { sum } else { before } as f32);
        }
        exact(&format!("{kind:?} scan of {n}"), &run(gpu, &op, &output).await?, &expected)?;
    }
    Ok(())
}
