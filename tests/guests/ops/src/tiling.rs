//! Each matrix-product kernel forced by its `Tiling`, against the f64
//! references of `linalg` and `transformer`: the 128 × 128 tiles with and
//! without bounds checks (m, n, k off the tile and the slice depth, and
//! exact multiples), every transpose, batches with gaps and shared operands,
//! linear with each activation, the shapes `Tiling::Auto` sends to the 128
//! tiles (`LARGE_MIN_TILES` of them or more), and the errors of a tiling the shape or the device cannot take.
//!
//! `Tile128Deep` needs 32 KiB of workgroup memory, more than a default
//! device has: it runs on a second device asking for the adapter's
//! `max_compute_workgroup_storage_size`, where the adapter offers 32 KiB
//! (lavapipe does; the CPU adapter, with default limits, does not and
//! checks the refusal only).

use wasi_webgpu::{DeviceDescriptor, Limits};
use wasi_webgpu_ops::{Activation, Error, LinearDesc, MatmulDesc, Ops, Tiling};

use crate::linalg::check;
use crate::transformer::check_linear;
use crate::{Context, Gpu, OpsContext, Outcome, buffer, checks, expect_err};

checks![matmul_each_tiling, linear_each_tiling, auto_tiling_of_large_products, tilings_a_shape_or_device_refuses];

/// Workgroup memory `Tiling::Tile128Deep` needs.
const DEEP_BYTES: u32 = 32 * 1024;

/// A device with 32 KiB of workgroup memory, on an adapter of its own (as
/// `pieces` makes one), when the adapter has it.
async fn deep_gpu(like: &Gpu) -> Result<Option<Gpu>, String> {
    let instance = wasi_webgpu::Instance::new();
    let adapter = if like.device.is_cpu() {
        instance.cpu_adapter()
    } else {
        instance.request_adapter(&Default::default()).await.at("request_adapter")?
    };
    if adapter.limits().max_compute_workgroup_storage_size < DEEP_BYTES {
        println!("note: the adapter has under 32 KiB of workgroup memory; Tile128Deep checked as a refusal only");
        return Ok(None);
    }
    let required_limits = Limits { max_compute_workgroup_storage_size: DEEP_BYTES, ..Default::default() };
    let descriptor = DeviceDescriptor { required_limits, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await.at("request_device with 32 KiB")?;
    Ok(Some(Gpu { adapter, device, queue }))
}

/// Each forced tiling with the device to run it on: `gpu`, and for
/// `Tile128Deep` `deep` where there is one.
fn tilings<'a>(gpu: &'a Gpu, deep: Option<&'a Gpu>) -> Vec<(Tiling, &'a Gpu)> {
    let mut runs = vec![(Tiling::Tile64, gpu), (Tiling::Tile128, gpu)];
    runs.extend(deep.map(|deep| (Tiling::Tile128Deep, deep)));
    runs
}

async fn matmul_each_tiling(gpu: &Gpu) -> Outcome {
    let deep = deep_gpu(gpu).await?;
    // Off every tile and slice (k = 132 is 4 past a multiple of 8 and of 16);
    // exact multiples (the unchecked kernels); each transpose with gaps
    // between batch entries and B shared (stride 0); exact and transposed.
    let odd = MatmulDesc::new(129, 260, 132);
    let exact = MatmulDesc::new(256, 256, 256);
    let batched = MatmulDesc::new(132, 136, 44).batched(2).strides(132 * 44 + 4, 0, 132 * 136 + 8);
    let descs = [
        odd,
        exact,
        batched,
        batched.transpose_a(),
        batched.transpose_b(),
        batched.transpose_a().transpose_b(),
        MatmulDesc::new(68, 132, 100).batched(3).transpose_a().transpose_b(),
        MatmulDesc::new(128, 128, 128).batched(2).transpose_a().transpose_b(),
    ];
    for (tiling, on) in tilings(gpu, deep.as_ref()) {
        let ops = Ops::new(&on.device);
        for (seed, desc) in descs.into_iter().enumerate() {
            check(on, &ops, desc.with_tiling(tiling), 500 + seed as u32).await?;
        }
    }
    Ok(())
}

async fn linear_each_tiling(gpu: &Gpu) -> Outcome {
    let deep = deep_gpu(gpu).await?;
    let shapes = [
        (130, 132, 260, Activation::GeluErf),
        (128, 128, 128, Activation::Relu),
        (200, 64, 132, Activation::GeluTanh),
        (129, 256, 256, Activation::None),
        (3, 0, 8, Activation::GeluErf),
    ];
    for (tiling, on) in tilings(gpu, deep.as_ref()) {
        let ops = Ops::new(&on.device);
        for (seed, (rows, inputs, outputs, activation)) in shapes.into_iter().enumerate() {
            let desc = LinearDesc::new(rows, inputs, outputs).with_activation(activation).with_tiling(tiling);
            check_linear(on, &ops, desc, 600 + seed as u32).await?;
        }
    }
    Ok(())
}

/// Products of at least `LARGE_MIN_TILES` 128 tiles, which `Tiling::Auto`
/// sends to the 128 kernel: one off the tiles, one of exact multiples (the
/// unchecked kernel), and a linear of 16 x 8 tiles.
async fn auto_tiling_of_large_products(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    check(gpu, &ops, MatmulDesc::new(100, 132, 12).batched(64), 520).await?;
    check(gpu, &ops, MatmulDesc::new(128, 128, 16).batched(128), 521).await?;
    check_linear(gpu, &ops, LinearDesc::new(2048, 8, 1024).with_activation(Activation::GeluTanh), 620).await
}

async fn tilings_a_shape_or_device_refuses(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let [a, b, c, d] = [(); 4].map(|()| buffer(gpu, &[0.0; 64]));
    let (a, b, c, d) = (a?, b?, c?, d?);
    // n = 7: C's rows are not whole vec4s.
    expect_err!(
        ops.matmul(&MatmulDesc::new(4, 7, 4).with_tiling(Tiling::Tile128), &a, &b, &c).await,
        Error::Shape { op: "matmul", .. }
    );
    // k = 6: A's rows are not whole vec4s; transposed, its contiguous
    // dimension is m = 4.
    let desc = MatmulDesc::new(4, 4, 6).with_tiling(Tiling::Tile128);
    expect_err!(ops.matmul(&desc, &a, &b, &c).await, Error::Shape { op: "matmul", .. });
    ops.matmul(&desc.transpose_a(), &a, &b, &c).await.at("k = 6 with Aᵀ")?;
    // A batch stride that is not a multiple of 4.
    expect_err!(
        ops.matmul(&MatmulDesc::new(4, 4, 4).batched(2).strides(18, 16, 16).with_tiling(Tiling::Tile128), &a, &b, &c)
            .await,
        Error::Shape { op: "matmul", .. }
    );
    expect_err!(
        ops.linear(&LinearDesc::new(4, 6, 4).with_tiling(Tiling::Tile128), &a, &b, &c, &d).await,
        Error::Shape { op: "linear", .. }
    );
    // The harness's device has WebGPU's default 16 KiB of workgroup memory.
    expect_err!(
        ops.matmul(&MatmulDesc::new(4, 4, 4).with_tiling(Tiling::Tile128Deep), &a, &b, &c).await,
        Error::Gpu {
            op: "matmul",
            source: wasi_webgpu::Error::OverLimit { limit: "maxComputeWorkgroupStorageSize", .. }
        }
    );
    expect_err!(
        ops.linear(&LinearDesc::new(4, 4, 4).with_tiling(Tiling::Tile128Deep), &a, &b, &c, &d).await,
        Error::Gpu {
            op: "linear",
            source: wasi_webgpu::Error::OverLimit { limit: "maxComputeWorkgroupStorageSize", .. }
        }
    );
    Ok(())
}
