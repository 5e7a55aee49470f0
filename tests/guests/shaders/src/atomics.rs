//! Kernels built on atomics: in storage and in workgroup memory, add, min,
//! max, and the old value atomicAdd returns.

use crate::{Context, Gpu, GpuExt, Outcome, Rng, checks, ensure, read, same};
use wasi_webgpu::Threads;

checks![histogram, extremes, compact];

#[wasi_webgpu::shader(path = "shaders/histogram.wgsl")]
mod histogram {}

#[wasi_webgpu::shader(path = "shaders/extremes.wgsl")]
mod extremes {}

#[wasi_webgpu::shader(path = "shaders/compact.wgsl")]
mod compact {}

async fn histogram(gpu: &Gpu) -> Outcome {
    let kernel = histogram::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(7);
    // Not a multiple of the workgroup size (64); skewed so the bins differ.
    let values: Vec<u32> = (0..1000).map(|_| rng.next_u32() % (rng.next_u32() % 256 + 1)).collect();
    let input = gpu.storage(&values)?;
    let bins = gpu.zeroed::<[u32; 16]>(1)?;
    let bindings = histogram::Bindings { values: input.as_storage(), bins: bins.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(values.len() as u32))).await?;

    let mut expected = [0u32; 16];
    for v in &values {
        expected[((v & 0xff) >> 4) as usize] += 1;
    }
    same("bins", &read(&bins).await?, &[expected])
}

async fn extremes(gpu: &Gpu) -> Outcome {
    let kernel = extremes::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(11);
    // Negative and positive values; the two arrays have different lengths.
    let signed: Vec<i32> = (0..1000).map(|_| (rng.next_u32() as i32) / 3).collect();
    let unsigned: Vec<u32> = (0..777).map(|_| (rng.next_u32() >> 1) | (1 << 20)).collect();
    let identities =
        extremes::Extremes { min_signed: i32::MAX, max_signed: i32::MIN, min_unsigned: u32::MAX, max_unsigned: 0 };
    let result = gpu.storage(&[identities])?;
    let (signed_buffer, unsigned_buffer) = (gpu.storage(&signed)?, gpu.storage(&unsigned)?);
    let bindings = extremes::Bindings {
        signed_values: signed_buffer.as_storage(),
        unsigned_values: unsigned_buffer.as_storage(),
        extremes: result.as_storage_mut(),
    };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(signed.len().max(unsigned.len()) as u32))).await?;

    let expected = extremes::Extremes {
        min_signed: *signed.iter().min().unwrap(),
        max_signed: *signed.iter().max().unwrap(),
        min_unsigned: *unsigned.iter().min().unwrap(),
        max_unsigned: *unsigned.iter().max().unwrap(),
    };
    ensure!(expected.min_signed < 0 && expected.max_signed > 0, "inputs should straddle zero: {expected:?}");
    same("extremes", &read(&result).await?, &[expected])
}

async fn compact(gpu: &Gpu) -> Outcome {
    let kernel = compact::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(5);
    let values: Vec<u32> = (0..1000).map(|_| rng.next_u32() % 10_000).collect();
    let input = gpu.storage(&values)?;
    let count = gpu.zeroed::<u32>(1)?;
    let kept = gpu.zeroed::<compact::Kept>(values.len())?;
    let bindings =
        compact::Bindings { values: input.as_storage(), count: count.as_storage_mut(), kept: kept.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(values.len() as u32))).await?;

    let expected: Vec<compact::Kept> = (0..values.len())
        .filter(|&i| values[i].is_multiple_of(3) && !values[i].is_multiple_of(5))
        .map(|i| compact::Kept { value: values[i], index: i as u32 })
        .collect();
    let count = read(&count).await?[0] as usize;
    ensure!(count == expected.len(), "kept {count} values, expected {}", expected.len());
    // Slots are taken in scheduling order: compare as sets, ordered by index.
    let mut gpu_kept = read(&kept).await?[..count].to_vec();
    gpu_kept.sort_by_key(|k| k.index);
    same("kept", &gpu_kept, &expected)
}
