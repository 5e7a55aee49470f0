//! Kernels that cooperate through workgroup memory and workgroupBarrier:
//! reductions, scans and tiled matrix kernels, over 1D and 2D dispatches.

use crate::{Context, Gpu, GpuExt, Outcome, Rng, checks, close, read, same};
use wasi_webgpu::Threads;

checks![reduce_sum, prefix_sum, matmul_tiled, transpose];

#[wasi_webgpu::shader(path = "shaders/reduce_sum.wgsl")]
mod reduce_sum {}

#[wasi_webgpu::shader(path = "shaders/prefix_sum.wgsl")]
mod prefix_sum {}

#[wasi_webgpu::shader(path = "shaders/matmul_tiled.wgsl")]
mod matmul_tiled {}

#[wasi_webgpu::shader(path = "shaders/transpose.wgsl")]
mod transpose {}

async fn reduce_sum(gpu: &Gpu) -> Outcome {
    let kernel = reduce_sum::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let block = reduce_sum::MAIN_WORKGROUP_SIZE[0] as usize;
    let mut rng = Rng::new(3);
    // One element, fewer than a workgroup, and several partial workgroups.
    for n in [1usize, 7, 1000] {
        let values: Vec<u32> = (0..n).map(|_| rng.next_u32() % 100_000).collect();
        let input = gpu.storage(&values)?;
        let partial_sums = gpu.zeroed::<u32>(n.div_ceil(block))?;
        let bindings = reduce_sum::Bindings { input: input.as_storage(), partial_sums: partial_sums.as_storage_mut() };
        gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;
        let expected: Vec<u32> = values.chunks(block).map(|c| c.iter().sum()).collect();
        same(&format!("partial sums of {n}"), &read(&partial_sums).await?, &expected)?;
    }
    Ok(())
}

async fn prefix_sum(gpu: &Gpu) -> Outcome {
    let kernel = prefix_sum::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let block = kernel.workgroup_size()[0] as usize;
    let mut rng = Rng::new(9);
    for n in [7usize, 1000] {
        let values: Vec<u32> = (0..n).map(|_| rng.next_u32() % 1000).collect();
        let input = gpu.storage(&values)?;
        let output = gpu.zeroed::<u32>(n)?;
        let totals = gpu.zeroed::<u32>(n.div_ceil(block))?;
        let bindings = prefix_sum::Bindings {
            input: input.as_storage(),
            output: output.as_storage_mut(),
            block_totals: totals.as_storage_mut(),
        };
        gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;

        let mut scanned = Vec::with_capacity(n);
        for chunk in values.chunks(block) {
            let mut sum = 0;
            for v in chunk {
                sum += v;
                scanned.push(sum);
            }
        }
        let block_totals: Vec<u32> = values.chunks(block).map(|c| c.iter().sum()).collect();
        same(&format!("scan of {n}"), &read(&output).await?, &scanned)?;
        same(&format!("block totals of {n}"), &read(&totals).await?, &block_totals)?;
    }
    Ok(())
}

async fn matmul_tiled(gpu: &Gpu) -> Outcome {
    let kernel = matmul_tiled::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    // No dimension is a multiple of the 16 x 16 tile.
    let (m, n, k) = (37usize, 43usize, 29usize);
    let mut rng = Rng::new(21);
    let a: Vec<f32> = (0..m * k).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let b: Vec<f32> = (0..k * n).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let dims = gpu.uniform(matmul_tiled::Dims { m: m as u32, n: n as u32, k: k as u32 })?;
    let (a_buffer, b_buffer, c_buffer) = (gpu.storage(&a)?, gpu.storage(&b)?, gpu.zeroed::<f32>(m * n)?);
    let bindings = matmul_tiled::Bindings {
        dims: dims.as_uniform(),
        a: a_buffer.as_storage(),
        b: b_buffer.as_storage(),
        c: c_buffer.as_storage_mut(),
    };
    // x runs along columns, y along rows.
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::xy(n as u32, m as u32))).await?;

    let mut c = vec![0f32; m * n];
    for row in 0..m {
        for col in 0..n {
            c[row * n + col] = (0..k).fold(0.0, |acc, i| acc + a[row * k + i] * b[i * n + col]);
        }
    }
    // The GPU sums in the same order but may fuse multiply-adds, so each of
    // the 29 steps may round differently; terms are in [-1, 1]. Tolerance:
    // 1e-5 absolute + 1e-5 relative.
    close("c", &read(&c_buffer).await?, &c, 1e-5, 1e-5)
}

async fn transpose(gpu: &Gpu) -> Outcome {
    let kernel = transpose::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let (rows, cols) = (50usize, 37usize);
    let src: Vec<u32> = (0..rows * cols).map(|i| (i as u32).wrapping_mul(2_654_435_761)).collect();
    let shape = gpu.uniform(transpose::Shape { rows: rows as u32, cols: cols as u32 })?;
    let (src_buffer, dst_buffer) = (gpu.storage(&src)?, gpu.zeroed::<u32>(rows * cols)?);
    let bindings = transpose::Bindings {
        shape: shape.as_uniform(),
        src: src_buffer.as_storage(),
        dst: dst_buffer.as_storage_mut(),
    };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::xy(cols as u32, rows as u32))).await?;

    let mut dst = vec![0u32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
    same("transposed", &read(&dst_buffer).await?, &dst)
}
