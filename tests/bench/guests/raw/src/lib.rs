//! The bench workloads written against raw `wasi:webgpu` bindings
//! (wit-bindgen 0.62, from the repository's `wit/`), without the SDK: the
//! baseline for the SDK's own overhead. Same WGSL, sizes, host calls and timed
//! steps as the SDK guest; what a careful user writes by hand: 1 MiB
//! `write-buffer-with-copy` pieces and 256 KiB `get-mapped-range` pieces
//! (one 64 MiB call is 3-4 times slower on the reference host, which copies
//! each list into a fresh allocation), and a staging buffer made once.

wit_bindgen::generate!({
    path: "../../../../wit",
    world: "wasi-webgpu:sdk/guest",
    generate_all,
});

#[path = "../../common.rs"]
mod common;

use common::{Args, MATMUL_TILE, TINY_LEN, timed};
use wasi::webgpu::webgpu as gpu;

type Result<T, E = String> = std::result::Result<T, E>;

const WRITE_CHUNK: usize = 1 << 20;
const READ_CHUNK: u64 = 256 << 10;

struct Bench;

impl wasip3::exports::cli::run::Guest for Bench {
    async fn run() -> Result<(), ()> {
        main().await.map_err(|e| eprintln!("Error: {e}"))
    }
}

wasip3::cli::command::export!(Bench);

async fn main() -> Result<()> {
    let args = Args::parse()?;
    let (warmup, repeat) = (args.get("warmup", 1)?, args.get("repeat", 5)?);
    match args.workload.as_str() {
        "dispatch" => dispatch(args.get("n", 10_000)? as u32, warmup, repeat).await,
        "bandwidth" => bandwidth(args.get("mib", 64)? as usize, warmup, repeat).await,
        "matmul" => matmul(args.get("n", 1024)? as u32, args.get("iters", 1)? as u32, warmup, repeat).await,
        "cold" => cold().await,
        other => Err(format!("unknown workload {other:?}")),
    }
}

async fn gpu() -> Result<(gpu::GpuDevice, gpu::GpuQueue)> {
    let adapter = gpu::get_gpu().request_adapter(None).await.ok_or("no adapter")?;
    let device = adapter.request_device(None).await.map_err(|e| e.message)?;
    let queue = device.queue();
    Ok((device, queue))
}

fn buffer(device: &gpu::GpuDevice, size: u64, usage: gpu::GpuBufferUsage) -> gpu::GpuBuffer {
    device.create_buffer(&gpu::GpuBufferDescriptor { size, usage, mapped_at_creation: None, label: None })
}

fn layout(device: &gpu::GpuDevice, types: &[gpu::GpuBufferBindingType]) -> gpu::GpuBindGroupLayout {
    let entries: Vec<_> = types
        .iter()
        .enumerate()
        .map(|(i, ty)| gpu::GpuBindGroupLayoutEntry {
            binding: i as u32,
            visibility: gpu::GpuShaderStage::COMPUTE,
            buffer: Some(gpu::GpuBufferBindingLayout {
                type_: Some(*ty),
                has_dynamic_offset: None,
                min_binding_size: None,
            }),
            sampler: None,
            texture: None,
            storage_texture: None,
        })
        .collect();
    device.create_bind_group_layout(&gpu::GpuBindGroupLayoutDescriptor { entries, label: None })
}

/// Creates the pipeline inside an error scope, so a bad shader is an error
/// rather than an invalid pipeline.
async fn pipeline(
    device: &gpu::GpuDevice,
    wgsl: &str,
    layout: &gpu::GpuBindGroupLayout,
) -> Result<gpu::GpuComputePipeline> {
    device.push_error_scope(gpu::GpuErrorFilter::Validation);
    let module = device.create_shader_module(&gpu::GpuShaderModuleDescriptor {
        code: wgsl.into(),
        compilation_hints: None,
        label: None,
    });
    let pipeline_layout = device.create_pipeline_layout(&gpu::GpuPipelineLayoutDescriptor {
        bind_group_layouts: vec![Some(layout)],
        immediate_size: None,
        label: None,
    });
    let pipeline = device.create_compute_pipeline(gpu::GpuComputePipelineDescriptor {
        compute: gpu::GpuProgrammableStage { module: &module, entry_point: None, constants: None },
        layout: gpu::GpuLayoutMode::Specific(&pipeline_layout),
        label: None,
    });
    match device.pop_error_scope().await {
        Ok(None) => Ok(pipeline),
        Ok(Some(error)) => Err(error.message()),
        Err(e) => Err(e.message),
    }
}

fn bind(device: &gpu::GpuDevice, layout: &gpu::GpuBindGroupLayout, buffers: &[&gpu::GpuBuffer]) -> gpu::GpuBindGroup {
    let entries = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| gpu::GpuBindGroupEntry { binding: i as u32, resource: gpu::GpuBindingResource::GpuBuffer(b) })
        .collect();
    device.create_bind_group(&gpu::GpuBindGroupDescriptor { layout, entries, label: None })
}

fn write(queue: &gpu::GpuQueue, buffer: &gpu::GpuBuffer, bytes: &[u8]) -> Result<()> {
    let piece = chunk_arg("write-chunk=").map_or(WRITE_CHUNK, |c| c as usize);
    for (i, chunk) in bytes.chunks(piece).enumerate() {
        queue.write_buffer_with_copy(buffer, (i * piece) as u64, chunk, None, None).map_err(|e| e.message)?;
    }
    Ok(())
}

/// Copies `source` into `staging` (`MAP_READ | COPY_DST`, same size) and
/// reads it back as `u32`s.
async fn read_u32(
    device: &gpu::GpuDevice,
    queue: &gpu::GpuQueue,
    source: &gpu::GpuBuffer,
    staging: &gpu::GpuBuffer,
) -> Result<Vec<u32>> {
    let size = source.size();
    let encoder = device.create_command_encoder(None);
    encoder.copy_buffer_to_buffer(source, None, staging, None, Some(size));
    let commands = encoder.finish(None);
    queue.submit(&[&commands]);
    staging.map_async(gpu::GpuMapMode::READ, None, None).await.map_err(|e| e.message)?;
    let chunk = read_chunk();
    let mut values = Vec::with_capacity(size as usize / 4);
    let mut at = 0;
    while at < size {
        let len = chunk.min(size - at);
        let bytes = staging.get_mapped_range_get_with_copy(Some(at), Some(len)).map_err(|e| e.message)?;
        values.extend(bytes.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])));
        at += len;
    }
    staging.unmap().map_err(|e| e.message)?;
    Ok(values)
}

/// Bytes per `get-mapped-range-get-with-copy` call: `read-chunk=N` on the
/// command line, else 256 KiB.
fn read_chunk() -> u64 {
    chunk_arg("read-chunk=").unwrap_or(READ_CHUNK)
}

/// An experiment knob: `write-chunk=N` / `read-chunk=N` bytes per call.
fn chunk_arg(prefix: &str) -> Option<u64> {
    std::env::args().find_map(|a| a.strip_prefix(prefix).and_then(|v| v.parse().ok()))
}

fn bytes_of<T: Copy>(values: &[T]) -> &[u8] {
    // SAFETY: u32 and f32 have no padding and every byte is initialised.
    unsafe { std::slice::from_raw_parts(values.as_ptr().cast(), std::mem::size_of_val(values)) }
}

fn staging(device: &gpu::GpuDevice, size: u64) -> gpu::GpuBuffer {
    buffer(device, size, gpu::GpuBufferUsage::MAP_READ | gpu::GpuBufferUsage::COPY_DST)
}

async fn dispatch(n: u32, warmup: u64, repeat: u64) -> Result<()> {
    let (device, queue) = gpu().await?;
    let layout = layout(&device, &[gpu::GpuBufferBindingType::Storage]);
    let pipelines =
        [pipeline(&device, common::TINY_WGSL, &layout).await?, pipeline(&device, common::TINY_WGSL, &layout).await?];
    let usage = gpu::GpuBufferUsage::STORAGE | gpu::GpuBufferUsage::COPY_SRC;
    let buffers = [buffer(&device, TINY_LEN as u64 * 4, usage), buffer(&device, TINY_LEN as u64 * 4, usage)];
    let groups = [bind(&device, &layout, &[&buffers[0]]), bind(&device, &layout, &[&buffers[1]])];
    timed("dispatch", warmup, repeat, async || -> Result<()> {
        let encoder = device.create_command_encoder(None);
        let pass = encoder.begin_compute_pass(None);
        for i in 0..n as usize {
            pass.set_pipeline(&pipelines[i & 1]);
            pass.set_bind_group(0, Some(&groups[i & 1]), None, None, None).map_err(|e| e.message)?;
            pass.dispatch_workgroups(1, None, None);
        }
        pass.end();
        let commands = encoder.finish(None);
        queue.submit(&[&commands]);
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    let runs = (warmup + repeat) as u32;
    let staging = staging(&device, TINY_LEN as u64 * 4);
    common::check_counts(&read_u32(&device, &queue, &buffers[0], &staging).await?, n.div_ceil(2) * runs)?;
    common::check_counts(&read_u32(&device, &queue, &buffers[1], &staging).await?, n / 2 * runs)
}

async fn bandwidth(mib: usize, warmup: u64, repeat: u64) -> Result<()> {
    let (device, queue) = gpu().await?;
    let data = common::pattern(mib << 18);
    let size = (data.len() * 4) as u64;
    let usage = gpu::GpuBufferUsage::STORAGE | gpu::GpuBufferUsage::COPY_DST | gpu::GpuBufferUsage::COPY_SRC;
    let target = buffer(&device, size, usage);
    timed("upload", warmup, repeat, async || -> Result<()> {
        write(&queue, &target, bytes_of(&data))?;
        queue.submit(&[]);
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    let staging = staging(&device, size);
    let mut read = Vec::new();
    timed("readback", warmup, repeat, async || -> Result<()> {
        read = read_u32(&device, &queue, &target, &staging).await?;
        Ok(())
    })
    .await?;
    if read != data {
        return Err("bandwidth: the data read back differs from the data uploaded".into());
    }
    Ok(())
}

async fn matmul(n: u32, iters: u32, warmup: u64, repeat: u64) -> Result<()> {
    if n == 0 || !n.is_multiple_of(MATMUL_TILE) {
        return Err(format!("matmul: n={n} must be a positive multiple of {MATMUL_TILE}"));
    }
    let (device, queue) = gpu().await?;
    use gpu::GpuBufferBindingType as Ty;
    let layout = layout(&device, &[Ty::ReadOnlyStorage, Ty::ReadOnlyStorage, Ty::Storage, Ty::Uniform]);
    let kernel = pipeline(&device, common::MATMUL_WGSL, &layout).await?;
    let nn = n as usize;
    let size = (nn * nn * 4) as u64;
    let usage = gpu::GpuBufferUsage::STORAGE | gpu::GpuBufferUsage::COPY_DST;
    let (a, b) = (buffer(&device, size, usage), buffer(&device, size, usage));
    let c = buffer(&device, size, gpu::GpuBufferUsage::STORAGE | gpu::GpuBufferUsage::COPY_SRC);
    let dims = buffer(&device, 16, gpu::GpuBufferUsage::UNIFORM | gpu::GpuBufferUsage::COPY_DST);
    write(&queue, &a, bytes_of(&common::matrix_a(nn)))?;
    write(&queue, &b, bytes_of(&common::matrix_b(nn)))?;
    write(&queue, &dims, bytes_of(&[n, 0, 0, 0]))?;
    let group = bind(&device, &layout, &[&a, &b, &c, &dims]);
    let tiles = n / MATMUL_TILE;
    timed("matmul", warmup, repeat, async || -> Result<()> {
        let encoder = device.create_command_encoder(None);
        let pass = encoder.begin_compute_pass(None);
        pass.set_pipeline(&kernel);
        pass.set_bind_group(0, Some(&group), None, None, None).map_err(|e| e.message)?;
        for _ in 0..iters {
            pass.dispatch_workgroups(tiles, Some(tiles), None);
        }
        pass.end();
        let commands = encoder.finish(None);
        queue.submit(&[&commands]);
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    let c_values: Vec<f32> =
        read_u32(&device, &queue, &c, &staging(&device, size)).await?.into_iter().map(f32::from_bits).collect();
    common::check_matmul(nn, &c_values)
}

async fn cold() -> Result<()> {
    let (device, queue) = gpu().await?;
    let layout = layout(&device, &[gpu::GpuBufferBindingType::Storage]);
    let kernel = pipeline(&device, common::TINY_WGSL, &layout).await?;
    let data = buffer(&device, TINY_LEN as u64 * 4, gpu::GpuBufferUsage::STORAGE | gpu::GpuBufferUsage::COPY_SRC);
    let group = bind(&device, &layout, &[&data]);
    let encoder = device.create_command_encoder(None);
    let pass = encoder.begin_compute_pass(None);
    pass.set_pipeline(&kernel);
    pass.set_bind_group(0, Some(&group), None, None, None).map_err(|e| e.message)?;
    pass.dispatch_workgroups(1, None, None);
    pass.end();
    let commands = encoder.finish(None);
    queue.submit(&[&commands]);
    common::check_counts(&read_u32(&device, &queue, &data, &staging(&device, TINY_LEN as u64 * 4)).await?, 1)
}
