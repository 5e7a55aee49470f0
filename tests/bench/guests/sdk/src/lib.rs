//! The bench workloads written with the `wasi-webgpu` SDK, the way a user
//! would: explicit layouts, `Queue::write_buffer`, `Buffer::read`. The WGSL,
//! sizes and timed steps are the native harness's (see `tests/bench`).

use std::rc::Rc;

use wasi_webgpu::{
    BindGroup, BindGroupDescriptor, BindGroupEntry, BindGroupLayout, BindGroupLayoutDescriptor, BindGroupLayoutEntry,
    BindingType, Buffer, BufferBindingType, BufferDescriptor, BufferUsages, ComputePipeline, ComputePipelineDescriptor,
    Device, PipelineLayoutDescriptor, Queue, ShaderModuleDescriptor, ShaderSource, ShaderStages,
};

#[path = "../../common.rs"]
mod common;

use common::{Args, MATMUL_TILE, TINY_LEN, timed};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

#[wasi_webgpu::main]
async fn main() -> Result<()> {
    let args = Args::parse()?;
    let (warmup, repeat) = (args.get("warmup", 1)?, args.get("repeat", 5)?);
    match args.workload.as_str() {
        "dispatch" => dispatch(args.get("n", 10_000)? as u32, warmup, repeat).await,
        "bandwidth" => bandwidth(args.get("mib", 64)? as usize, warmup, repeat).await,
        "matmul" => matmul(args.get("n", 1024)? as u32, args.get("iters", 1)? as u32, warmup, repeat).await,
        "latency" => latency(args.get("n", 1000)? as u32, warmup, repeat).await,
        "cold" => cold().await,
        other => Err(format!("unknown workload {other:?}").into()),
    }
}

async fn gpu() -> Result<(Device, Queue)> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    Ok(adapter.request_device(&Default::default()).await?)
}

fn storage_entry(binding: u32, read_only: bool) -> BindGroupLayoutEntry {
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

/// A pipeline with an explicit layout, so pipelines of one shader share
/// bind groups.
async fn pipeline(device: &Device, wgsl: &str, layout: &BindGroupLayout) -> Result<ComputePipeline> {
    let module = device
        .create_shader_module(ShaderModuleDescriptor { label: None, source: ShaderSource::Wgsl(wgsl.into()) })
        .await?;
    let pipeline_layout = device
        .create_pipeline_layout(&PipelineLayoutDescriptor { bind_group_layouts: &[layout], ..Default::default() })?;
    let mut descriptor = ComputePipelineDescriptor::new(&module);
    descriptor.layout = Some(&pipeline_layout);
    Ok(device.create_compute_pipeline(&descriptor).await?)
}

fn bind(device: &Device, layout: &BindGroupLayout, buffers: &[&Buffer<u32>]) -> Result<BindGroup> {
    let entries: Vec<BindGroupEntry> = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
        .collect();
    Ok(device.create_bind_group(&BindGroupDescriptor::new(layout, &entries))?)
}

/// `n` dispatches of the tiny kernel in one pass, alternating between two
/// pipelines and two bind groups so that no call is redundant, then one
/// submit and a wait.
async fn dispatch(n: u32, warmup: u64, repeat: u64) -> Result<()> {
    let (device, queue) = gpu().await?;
    let layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &[storage_entry(0, false)] })?;
    let pipelines =
        [pipeline(&device, common::TINY_WGSL, &layout).await?, pipeline(&device, common::TINY_WGSL, &layout).await?];
    let mut buffers = Vec::new();
    for _ in 0..2 {
        buffers.push(device.create_buffer::<u32>(&BufferDescriptor {
            label: None,
            len: TINY_LEN as u64,
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })?);
    }
    let groups = [bind(&device, &layout, &[&buffers[0]])?, bind(&device, &layout, &[&buffers[1]])?];
    timed("dispatch", warmup, repeat, async || -> Result<()> {
        let mut encoder = device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for i in 0..n as usize {
            pass.set_pipeline(&pipelines[i & 1])?;
            pass.set_bind_group(0, &groups[i & 1], &[])?;
            pass.dispatch_workgroups(1, 1, 1)?;
        }
        pass.end();
        queue.submit([encoder.finish().await?])?;
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    let runs = (warmup + repeat) as u32;
    common::check_counts(&buffers[0].read().await?, n.div_ceil(2) * runs)?;
    common::check_counts(&buffers[1].read().await?, n / 2 * runs)?;
    Ok(())
}

/// Round trips to the GPU, `n` per sample, each waited for before the next:
/// `empty` is an empty submit + `on_submitted_work_done`; `dispatch1` one
/// dispatch of the tiny kernel (its own encoder, pass and submit) + the
/// same wait. Measures the latency floor under every small job.
async fn latency(n: u32, warmup: u64, repeat: u64) -> Result<()> {
    let (device, queue) = gpu().await?;
    timed("empty", warmup, repeat, async || -> Result<()> {
        for _ in 0..n {
            queue.submit([])?;
            queue.on_submitted_work_done().await;
        }
        Ok(())
    })
    .await?;
    let layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &[storage_entry(0, false)] })?;
    let pipeline = pipeline(&device, common::TINY_WGSL, &layout).await?;
    let buffer = device.create_buffer::<u32>(&BufferDescriptor {
        label: None,
        len: TINY_LEN as u64,
        usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    })?;
    let group = bind(&device, &layout, &[&buffer])?;
    timed("dispatch1", warmup, repeat, async || -> Result<()> {
        for _ in 0..n {
            let mut encoder = device.create_command_encoder(&Default::default());
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline)?;
            pass.set_bind_group(0, &group, &[])?;
            pass.dispatch_workgroups(1, 1, 1)?;
            pass.end();
            queue.submit([encoder.finish().await?])?;
            queue.on_submitted_work_done().await;
        }
        Ok(())
    })
    .await?;
    common::check_counts(&buffer.read().await?, n * (warmup + repeat) as u32)?;
    Ok(())
}

/// Upload: `write_buffer` of `mib` MiB, a submit and a wait. Readback:
/// `Buffer::read` of the same buffer into a `Vec<u32>`.
async fn bandwidth(mib: usize, warmup: u64, repeat: u64) -> Result<()> {
    let (device, queue) = gpu().await?;
    let data = common::pattern(mib << 18);
    let buffer = device.create_buffer::<u32>(&BufferDescriptor {
        label: None,
        len: data.len() as u64,
        usage: BufferUsages::STORAGE | BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    })?;
    timed("upload", warmup, repeat, async || -> Result<()> {
        queue.write_buffer(&buffer, 0, &data)?;
        queue.submit([])?;
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    let read = Rc::new(std::cell::RefCell::new(Vec::new()));
    timed("readback", warmup, repeat, async || -> Result<()> {
        *read.borrow_mut() = buffer.read().await?;
        Ok(())
    })
    .await?;
    if *read.borrow() != data {
        return Err("bandwidth: the data read back differs from the data uploaded".into());
    }
    Ok(())
}

/// `iters` dispatches of the tiled matmul in one pass, a submit and a wait.
async fn matmul(n: u32, iters: u32, warmup: u64, repeat: u64) -> Result<()> {
    if n == 0 || !n.is_multiple_of(MATMUL_TILE) {
        return Err(format!("matmul: n={n} must be a positive multiple of {MATMUL_TILE}").into());
    }
    let (device, queue) = gpu().await?;
    let entry = |binding, ty| BindGroupLayoutEntry {
        binding,
        visibility: ShaderStages::COMPUTE,
        ty: BindingType::Buffer { ty, has_dynamic_offset: false, min_binding_size: None },
    };
    let layout = device.create_bind_group_layout(&BindGroupLayoutDescriptor {
        label: None,
        entries: &[
            storage_entry(0, true),
            storage_entry(1, true),
            storage_entry(2, false),
            entry(3, BufferBindingType::Uniform),
        ],
    })?;
    let kernel = pipeline(&device, common::MATMUL_WGSL, &layout).await?;
    let nn = n as usize;
    let matrix = |contents: &[f32], usage| {
        device.create_buffer_init(&wasi_webgpu::BufferInitDescriptor { label: None, contents, usage })
    };
    let a = matrix(&common::matrix_a(nn), BufferUsages::STORAGE)?;
    let b = matrix(&common::matrix_b(nn), BufferUsages::STORAGE)?;
    let c = matrix(&vec![0.0; nn * nn], BufferUsages::STORAGE | BufferUsages::COPY_SRC)?;
    let dims = device.create_buffer_init(&wasi_webgpu::BufferInitDescriptor {
        label: None,
        contents: &[n, 0, 0, 0],
        usage: BufferUsages::UNIFORM,
    })?;
    let entries = [
        BindGroupEntry { binding: 0, resource: a.as_entire_binding() },
        BindGroupEntry { binding: 1, resource: b.as_entire_binding() },
        BindGroupEntry { binding: 2, resource: c.as_entire_binding() },
        BindGroupEntry { binding: 3, resource: dims.as_entire_binding() },
    ];
    let group = device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries))?;
    let tiles = n / MATMUL_TILE;
    timed("matmul", warmup, repeat, async || -> Result<()> {
        let mut encoder = device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&kernel)?;
        pass.set_bind_group(0, &group, &[])?;
        for _ in 0..iters {
            pass.dispatch_workgroups(tiles, tiles, 1)?;
        }
        pass.end();
        queue.submit([encoder.finish().await?])?;
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    common::check_matmul(nn, &c.read().await?)?;
    Ok(())
}

/// Cold start: everything from the adapter to the first result. The harness
/// times the whole run, compilation and instantiation included.
async fn cold() -> Result<()> {
    let (device, queue) = gpu().await?;
    let layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &[storage_entry(0, false)] })?;
    let kernel = pipeline(&device, common::TINY_WGSL, &layout).await?;
    let buffer = device.create_buffer::<u32>(&BufferDescriptor {
        label: None,
        len: TINY_LEN as u64,
        usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    })?;
    let group = bind(&device, &layout, &[&buffer])?;
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pass.set_pipeline(&kernel)?;
    pass.set_bind_group(0, &group, &[])?;
    pass.dispatch_workgroups(1, 1, 1)?;
    pass.end();
    queue.submit([encoder.finish().await?])?;
    common::check_counts(&buffer.read().await?, 1)?;
    Ok(())
}
