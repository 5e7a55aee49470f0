//! What `#[wasi_webgpu::kernel]` generates, written by hand, to test the
//! runtime hooks on their own.

use wasi_webgpu::__private::kernel_rt as rt;
use wasi_webgpu::__private::{KernelSpec, WorkgroupDim};
use wasi_webgpu::{BindGroupLayoutEntry, BindingType, BufferBindingType, ShaderStages};

use crate::{Both, Outcome, Rng, close, same};

const fn storage(binding: u32, read_only: bool) -> BindGroupLayoutEntry {
    BindGroupLayoutEntry {
        binding,
        visibility: ShaderStages::COMPUTE,
        ty: BindingType::Buffer {
            ty: BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
    }
}

const fn uniform(binding: u32) -> BindGroupLayoutEntry {
    BindGroupLayoutEntry {
        binding,
        visibility: ShaderStages::COMPUTE,
        ty: BindingType::Buffer { ty: BufferBindingType::Uniform, has_dynamic_offset: false, min_binding_size: None },
    }
}

pub mod saxpy {
    use super::*;
    pub const WGSL: &str = "
struct Uniforms { a: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
    let i = gid.x;
    if i < arrayLength(&y) { y[i] = u.a * x[i] + y[i]; }
}";
    pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
    const SPEC: KernelSpec = KernelSpec {
        label: "saxpy",
        source: WGSL,
        entry_point: "main",
        groups: &[&[storage(0, true), storage(1, false), uniform(2)]],
        workgroup_size: [WorkgroupDim::Fixed(64), WorkgroupDim::Fixed(1), WorkgroupDim::Fixed(1)],
        overrides: &[],
    };
    pub async fn launch(
        device: &wasi_webgpu::Device,
        a: f32,
        x: &wasi_webgpu::Buffer<f32>,
        y: &mut wasi_webgpu::Buffer<f32>,
        threads: impl Into<wasi_webgpu::Threads>,
    ) -> wasi_webgpu::Result<()> {
        let threads = threads.into();
        if rt::is_cpu(device) {
            let x = rt::cpu_slice(device, x)?;
            let mut y = rt::cpu_slice_mut(device, y)?;
            let y = core::cell::Cell::from_mut(&mut *y).as_slice_of_cells();
            return rt::for_each_invocation(device, WORKGROUP_SIZE, threads, |inv| {
                let i = inv.global_id.x as usize;
                if i < y.len() {
                    y[i].set(a * x[i] + y[i].get());
                }
            });
        }
        let uniforms = [a, 0.0, 0.0, 0.0];
        rt::launch_gpu(
            device,
            &SPEC,
            bytemuck::bytes_of(&uniforms),
            &[x.as_entire_binding(), y.as_entire_binding()],
            threads,
        )
        .await
    }
}

/// Sums each workgroup's 64 inputs with a tree in workgroup memory.
pub mod block_sum {
    use std::cell::Cell;

    use super::*;
    pub const WGSL: &str = "
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> sums: array<u32>;
var<workgroup> part: array<u32, 64>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u,
    @builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u) {
    var v = 0u;
    if gid.x < arrayLength(&x) { v = x[gid.x]; }
    part[li] = v;
    workgroupBarrier();
    for (var s = 32u; s > 0u; s = s / 2u) {
        if li < s { part[li] = part[li] + part[li + s]; }
        workgroupBarrier();
    }
    if li == 0u { sums[wid.x] = part[0]; }
}";
    pub const WORKGROUP_SIZE: [u32; 3] = [64, 1, 1];
    const SPEC: KernelSpec = KernelSpec {
        label: "block_sum",
        source: WGSL,
        entry_point: "main",
        groups: &[&[storage(0, true), storage(1, false)]],
        workgroup_size: [WorkgroupDim::Fixed(64), WorkgroupDim::Fixed(1), WorkgroupDim::Fixed(1)],
        overrides: &[],
    };
    async fn body(inv: rt::Invocation, part: &[Cell<u32>; 64], x: &[u32], sums: &[Cell<u32>]) {
        let li = inv.local_index as usize;
        let g = inv.global_id.x as usize;
        part[li].set(if g < x.len() { x[g] } else { 0 });
        rt::barrier().await;
        let mut s = 32;
        while s > 0 {
            if li < s {
                part[li].set(part[li].get().wrapping_add(part[li + s].get()));
            }
            rt::barrier().await;
            s /= 2;
        }
        if li == 0 {
            sums[inv.workgroup_id.x as usize].set(part[0].get());
        }
    }
    pub async fn launch(
        device: &wasi_webgpu::Device,
        x: &wasi_webgpu::Buffer<u32>,
        sums: &mut wasi_webgpu::Buffer<u32>,
        threads: impl Into<wasi_webgpu::Threads>,
    ) -> wasi_webgpu::Result<()> {
        let threads = threads.into();
        if rt::is_cpu(device) {
            let x = rt::cpu_slice(device, x)?;
            let mut sums = rt::cpu_slice_mut(device, sums)?;
            let sums = core::cell::Cell::from_mut(&mut *sums).as_slice_of_cells();
            return rt::for_each_workgroup(device, WORKGROUP_SIZE, threads, |wg| {
                let part: [Cell<u32>; 64] = std::array::from_fn(|_| Cell::new(0));
                rt::lockstep(wg.invocations().map(|inv| body(inv, &part, &x, sums)));
            });
        }
        rt::launch_gpu(device, &SPEC, &[], &[x.as_entire_binding(), sums.as_entire_binding()], threads).await
    }
}

pub async fn hand_saxpy(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(7);
    let x: Vec<f32> = (0..1000).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let y0: Vec<f32> = (0..1000).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let expected: Vec<f32> = x.iter().zip(&y0).map(|(x, y)| 2.5 * x + y).collect();
    both.each(async |on| {
        let xb = on.storage(&x)?;
        let mut yb = on.storage(&y0)?;
        on.at(saxpy::launch(&on.device, 2.5, &xb, &mut yb, 1000).await)?;
        close("y", &on.read(&yb).await?, &expected, 1e-6, 1e-6)
    })
    .await
}

pub async fn hand_block_sum(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(9);
    let x: Vec<u32> = (0..1000).map(|_| rng.next_u32() >> 4).collect();
    let expected: Vec<u32> = x.chunks(64).map(|c| c.iter().fold(0u32, |a, &b| a.wrapping_add(b))).collect();
    both.each(async |on| {
        let xb = on.storage(&x)?;
        let mut sums = on.storage(&vec![0u32; expected.len()])?;
        on.at(block_sum::launch(&on.device, &xb, &mut sums, 1000).await)?;
        same("sums", &on.read(&sums).await?, &expected)
    })
    .await
}
