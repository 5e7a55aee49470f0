//! A tiled matrix multiply and a parallel sum as Rust kernels: workgroup
//! shared memory and barriers. The `kernels` test guest runs these same
//! kernels (it includes this file) on the GPU and the CPU device.

use wasi_webgpu::{Buffer, BufferDescriptor, BufferUsages, Device, Threads, Workgroup, kernel, workgroup_barrier};

/// Tile edge: a workgroup computes a 16×16 block of `c`.
pub const TILE: u32 = 16;

/// `c = a * b` for row-major `a` (m×k), `b` (k×n) and `c` (m×n). Each
/// workgroup stages 16×16 tiles of `a` and `b` in shared memory, so each
/// input is read from the buffer k/16 times instead of k times.
#[kernel(workgroup_size = (16, 16))]
pub fn matmul(m: u32, n: u32, k: u32, a: &[f32], b: &[f32], c: &mut [f32]) {
    static A_TILE: Workgroup<[f32; 256]> = Workgroup::new();
    static B_TILE: Workgroup<[f32; 256]> = Workgroup::new();
    let row = wasi_webgpu::global_id().y;
    let col = wasi_webgpu::global_id().x;
    let lx = wasi_webgpu::local_id().x;
    let ly = wasi_webgpu::local_id().y;
    let mut acc = 0.0f32;
    for t in 0..(k + 15) / 16 {
        let a_col = t * 16 + lx;
        let b_row = t * 16 + ly;
        let mut av = 0.0f32;
        if row < m && a_col < k {
            av = a[(row * k + a_col) as usize];
        }
        let mut bv = 0.0f32;
        if b_row < k && col < n {
            bv = b[(b_row * n + col) as usize];
        }
        A_TILE[(ly * 16 + lx) as usize] = av;
        B_TILE[(ly * 16 + lx) as usize] = bv;
        workgroup_barrier();
        for e in 0..16u32 {
            acc += A_TILE[(ly * 16 + e) as usize] * B_TILE[(e * 16 + lx) as usize];
        }
        workgroup_barrier();
    }
    if row < m && col < n {
        c[(row * n + col) as usize] = acc;
    }
}

/// Threads per workgroup of [`reduce`]; each sums 2 inputs.
pub const REDUCE_WORKGROUP: u32 = 256;

/// One pass of a parallel sum: workgroup `w` adds `input[512 w .. 512 w + 512]`
/// with a tree in shared memory and writes the total to `partial[w]`.
#[kernel(workgroup_size = 256, types(T = [f32, u32]))]
pub fn reduce<T>(input: &[T], partial: &mut [T]) {
    static PART: Workgroup<[T; 256]> = Workgroup::new();
    let li = wasi_webgpu::local_index() as usize;
    let at = wasi_webgpu::workgroup_id().x as usize * 512 + li;
    let mut s = 0 as T;
    if at < input.len() {
        s = input[at];
    }
    if at + 256 < input.len() {
        s += input[at + 256];
    }
    PART[li] = s;
    workgroup_barrier();
    let mut stride = 128usize;
    while stride > 0 {
        if li < stride {
            PART[li] = PART[li] + PART[li + stride];
        }
        workgroup_barrier();
        stride /= 2;
    }
    if li == 0 {
        partial[wasi_webgpu::workgroup_id().x as usize] = PART[0];
    }
}

/// Sums a `u32` or `f32` buffer on `device` with passes of [`reduce`], each
/// shrinking it 512-fold, and reads the total back.
pub async fn sum_f32(device: &Device, input: &Buffer<f32>) -> wasi_webgpu::Result<f32> {
    let mut len = input.len() as u32;
    let mut source = input.clone();
    loop {
        let groups = len.div_ceil(2 * REDUCE_WORKGROUP).max(1);
        let mut partial = scratch::<f32>(device, groups)?;
        reduce_f32::launch(device, &source, &mut partial, Threads::x(groups * REDUCE_WORKGROUP)).await?;
        if groups == 1 {
            return Ok(partial.read().await?[0]);
        }
        (source, len) = (partial, groups);
    }
}

/// [`sum_f32`] for `u32`, wrapping like the GPU.
pub async fn sum_u32(device: &Device, input: &Buffer<u32>) -> wasi_webgpu::Result<u32> {
    let mut len = input.len() as u32;
    let mut source = input.clone();
    loop {
        let groups = len.div_ceil(2 * REDUCE_WORKGROUP).max(1);
        let mut partial = scratch::<u32>(device, groups)?;
        reduce_u32::launch(device, &source, &mut partial, Threads::x(groups * REDUCE_WORKGROUP)).await?;
        if groups == 1 {
            return Ok(partial.read().await?[0]);
        }
        (source, len) = (partial, groups);
    }
}

fn scratch<T: bytemuck::Pod>(device: &Device, len: u32) -> wasi_webgpu::Result<Buffer<T>> {
    device.create_buffer(&BufferDescriptor {
        label: Some("partial sums"),
        len: len.into(),
        usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    })
}
