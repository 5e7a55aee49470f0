//! Workgroup shared memory and barriers, storage atomics, and the tiled
//! matrix multiply and parallel sum of `examples/kernels`.

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use wasi_webgpu::Threads;

use wasi_webgpu::{Workgroup, kernel, local_index, workgroup_barrier, workgroup_id};

use crate::examples::{TILE, matmul, sum_f32, sum_u32};
use crate::{Both, Outcome, Rng, close, same};

#[kernel(workgroup_size = 64)]
fn rotate(input: &[u32], out: &mut [u32]) {
    static SLOTS: Workgroup<[u32; 64]> = Workgroup::new();
    static SEEN: Workgroup<[u32; 64]> = Workgroup::new();
    let li = local_index() as usize;
    let base = workgroup_id().x as usize * 64;
    // Zero-initialised per workgroup, as in WGSL.
    SEEN[li] = SEEN[li] + 1;
    SLOTS[li] = input[base + li];
    workgroup_barrier();
    // Every invocation reads what a neighbour wrote before the barrier.
    let next = SLOTS[(li + 1) % 64];
    workgroup_barrier();
    SLOTS[li] = next * 2 + SEEN[(li + 5) % 64];
    workgroup_barrier();
    out[base + li] = SLOTS[63 - li];
}

pub async fn workgroup_memory_and_barriers(both: &Both<'_>) -> Outcome {
    let groups = 5;
    let input: Vec<u32> = (0..64 * groups).map(|k| k * 3 + 1).collect();
    let expected: Vec<u32> = (0..64 * groups as usize)
        .map(|k| {
            let (base, li) = (k / 64 * 64, 63 - k % 64);
            input[base + (li + 1) % 64] * 2 + 1
        })
        .collect();
    both.each(async |on| {
        let ib = on.storage(&input)?;
        let mut out = on.zeroed::<u32>(input.len())?;
        on.at(rotate::launch(&on.device, &ib, &mut out, Threads::x(input.len() as u32)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn histogram(values: &[u32], bins: &[AtomicU32], stats: &[AtomicI32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < values.len() {
        let v = values[i];
        bins[(v % 16) as usize].fetch_add(1, Ordering::Relaxed);
        stats[0].fetch_max(v as i32, Ordering::Relaxed);
        stats[1].fetch_min(v as i32, Ordering::Relaxed);
        stats[2].fetch_sub(1, Ordering::Relaxed);
        stats[3].fetch_or(1 << (v % 31), Ordering::Relaxed);
    }
}

pub async fn storage_atomics(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(40);
    let values: Vec<u32> = (0..2000).map(|_| rng.next_u32() % 100_000).collect();
    let mut bins = vec![0u32; 16];
    for v in &values {
        bins[(v % 16) as usize] += 1;
    }
    let max = values.iter().max().copied().unwrap_or(0) as i32;
    let min = values.iter().min().copied().unwrap_or(0) as i32;
    let or = values.iter().fold(0i32, |acc, v| acc | 1 << (v % 31));
    let stats = vec![max, min, -(values.len() as i32), or];
    both.each(async |on| {
        let vb = on.storage(&values)?;
        let mut bb = on.zeroed::<u32>(16)?;
        let mut sb = on.storage(&[i32::MIN, i32::MAX, 0, 0])?;
        on.at(histogram::launch(&on.device, &vb, &mut bb, &mut sb, Threads::x(values.len() as u32)).await)?;
        same("bins", &on.read(&bb).await?, &bins)?;
        same("stats", &on.read(&sb).await?, &stats)
    })
    .await
}

/// Plain Rust matrix multiply: the reference.
pub fn matmul_reference(m: usize, n: usize, k: usize, a: &[f32], b: &[f32]) -> Vec<f32> {
    let mut c = vec![0.0; m * n];
    for row in 0..m {
        for col in 0..n {
            c[row * n + col] = (0..k).map(|e| a[row * k + e] * b[e * n + col]).sum();
        }
    }
    c
}

/// Sizes that are not multiples of the tile, so edge tiles are partial.
pub async fn tiled_matmul(both: &Both<'_>) -> Outcome {
    let (m, n, k) = (45, 37, 70);
    let mut rng = Rng::new(41);
    let a: Vec<f32> = (0..m * k).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let b: Vec<f32> = (0..k * n).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let expected = matmul_reference(m, n, k, &a, &b);
    both.each(async |on| {
        let (ab, bb) = (on.storage(&a)?, on.storage(&b)?);
        let mut c = on.zeroed::<f32>(m * n)?;
        let threads = Threads::xy(n.div_ceil(TILE as usize) as u32 * TILE, m.div_ceil(TILE as usize) as u32 * TILE);
        on.at(matmul::launch(&on.device, m as u32, n as u32, k as u32, &ab, &bb, &mut c, threads).await)?;
        // Sums of 70 products in another order (and fused on the GPU).
        close("c", &on.read(&c).await?, &expected, 1e-5, 1e-5)
    })
    .await
}

/// Sizes around the 512 elements a workgroup sums, and several passes.
pub async fn parallel_reduction(both: &Both<'_>) -> Outcome {
    both.each(async |on| {
        let mut rng = Rng::new(42);
        for len in [1usize, 511, 512, 513, 5000, 300_000] {
            let ints: Vec<u32> = (0..len).map(|_| rng.next_u32()).collect();
            let floats: Vec<f32> = (0..len).map(|_| rng.f32_in(0.0, 1.0)).collect();
            let ib = on.storage(&ints)?;
            let fb = on.storage(&floats)?;
            let total = on.at(sum_u32(&on.device, &ib).await)?;
            let expected = ints.iter().fold(0u32, |a, &b| a.wrapping_add(b));
            same(&format!("u32 sum of {len}"), &[total], &[expected])?;
            let total = on.at(sum_f32(&on.device, &fb).await)?;
            let exact: f64 = floats.iter().map(|&f| f64::from(f)).sum();
            // A tree sum of n terms in [0, 1): error under n * 2^-24 * log2(n).
            close(&format!("f32 sum of {len}"), &[total], &[exact as f32], 1e-6, 1e-5)?;
        }
        Ok(())
    })
    .await
}
