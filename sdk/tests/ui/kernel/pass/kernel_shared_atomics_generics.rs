//! Shared memory, barriers, atomics, vectors and generic instances compile natively, CPU
//! translation included.

use std::sync::atomic::{AtomicU32, Ordering};

use wasi_webgpu::{UVec2, Vec4, Workgroup, global_id, local_index, vec4, workgroup_barrier, workgroup_id};

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn block_sum(input: &[f32], sums: &mut [f32], visits: &[AtomicU32]) {
    static TILE: Workgroup<[f32; 64]> = Workgroup::new();
    let l = local_index() as usize;
    let i = global_id().x as usize;
    let mut v = 0.0;
    if i < input.len() {
        v = input[i];
    }
    TILE[l] = v;
    workgroup_barrier();
    let mut stride = 32;
    while stride > 0 {
        if l < stride {
            TILE[l] += TILE[l + stride];
        }
        workgroup_barrier();
        stride /= 2;
    }
    if l == 0 {
        sums[workgroup_id().x as usize] = TILE[0];
        visits[0].fetch_add(1, Ordering::Relaxed);
    }
}

/// The example of kernel_guide.md for `Workgroup<[AtomicU32; N]>`.
#[wasi_webgpu::kernel(workgroup_size = 64)]
fn count_large(values: &[f32], counts: &mut [u32]) {
    static HITS: Workgroup<[AtomicU32; 1]> = Workgroup::new();
    let i = global_id().x as usize;
    if i < values.len() && values[i] > 1.0 {
        HITS[0].fetch_add(1, Ordering::Relaxed);
    }
    workgroup_barrier();
    if local_index() == 0 {
        counts[workgroup_id().x as usize] = HITS[0].load(Ordering::Relaxed);
    }
}

#[wasi_webgpu::kernel(workgroup_size = (8, 8), types(T = [f32, u32]))]
fn scale<T>(factor: T, size: UVec2, data: &mut [T]) {
    let id = global_id();
    if id.x < size.x && id.y < size.y {
        let i = (id.y * size.x + id.x) as usize;
        data[i] = data[i] * factor;
    }
}

#[wasi_webgpu::kernel(workgroup_size = 32)]
fn shade(flag: bool, colors: &mut [Vec4<f32>]) {
    let i = global_id().x as usize;
    let c = colors[i];
    let mut out = vec4(c.x, c.y, c.z, 1.0) * 0.5 + c;
    if flag {
        out.w = out.w.clamp(0.0, 1.0);
    }
    colors[i] = out;
}

fn main() {
    assert!(block_sum::WGSL.contains("var<workgroup> TILE: array<f32, 64>;"));
    assert!(count_large::WGSL.contains("var<workgroup> HITS: array<atomic<u32>, 1>;"), "{}", count_large::WGSL);
    assert!(scale_f32::WGSL.contains("array<f32>") && scale_u32::WGSL.contains("array<u32>"));
    assert_eq!(scale_u32::WORKGROUP_SIZE, [8, 8, 1]);
    assert!(shade::WGSL.contains("flag: u32"));
}
