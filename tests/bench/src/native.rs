//! The workloads through the `wgpu` crate, natively: the baseline. Same WGSL,
//! sizes, checks and timed steps as the guests (`guests/common.rs`).

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use wgpu::util::DeviceExt as _;

use crate::data;

pub struct Native {
    pub adapter: wgpu::Adapter,
}

impl Native {
    /// The Vulkan adapter named `name` (the one the guests get).
    pub fn new(name: &str) -> Result<Self> {
        let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
        descriptor.backends = wgpu::Backends::VULKAN;
        let instance = wgpu::Instance::new(descriptor);
        let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN));
        let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
        let adapter = adapters
            .into_iter()
            .find(|a| a.get_info().name == name)
            .with_context(|| format!("native wgpu has no Vulkan adapter named {name:?} (it has {names:?})"))?;
        Ok(Self { adapter })
    }

    fn device(&self) -> Result<(wgpu::Device, wgpu::Queue)> {
        pollster::block_on(self.adapter.request_device(&wgpu::DeviceDescriptor::default()))
            .context("native request_device failed")
    }

    /// Whether the adapter has `shader-f16`.
    pub fn has_f16(&self) -> bool {
        self.adapter.features().contains(wgpu::Features::SHADER_F16)
    }

    /// A device with the adapter's buffer and binding size limits, and
    /// `shader-f16` where the adapter has it, as the ops guests ask for.
    pub fn large_device(&self) -> Result<(wgpu::Device, wgpu::Queue)> {
        let required_features = if self.has_f16() { wgpu::Features::SHADER_F16 } else { wgpu::Features::empty() };
        let supported = self.adapter.limits();
        let required_limits = wgpu::Limits {
            max_buffer_size: supported.max_buffer_size,
            max_storage_buffer_binding_size: supported.max_storage_buffer_binding_size,
            // Deeper matmul tiles where the adapter has more than 16 KiB.
            max_compute_workgroup_storage_size: supported.max_compute_workgroup_storage_size,
            ..Default::default()
        };
        pollster::block_on(self.adapter.request_device(&wgpu::DeviceDescriptor {
            required_features,
            required_limits,
            ..Default::default()
        }))
        .context("native request_device failed")
    }
}

pub fn wait(device: &wgpu::Device) -> Result<()> {
    device.poll(wgpu::PollType::Wait { submission_index: None, timeout: None })?;
    Ok(())
}

/// Runs `f` `warmup` times untimed, then `repeat` times timed.
pub fn timed(warmup: u64, repeat: u64, mut f: impl FnMut() -> Result<()>) -> Result<Vec<Duration>> {
    for _ in 0..warmup {
        f()?;
    }
    (0..repeat)
        .map(|_| {
            let start = Instant::now();
            f()?;
            Ok(start.elapsed())
        })
        .collect()
}

fn storage_entry(binding: u32, ty: wgpu::BufferBindingType) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer { ty, has_dynamic_offset: false, min_binding_size: None },
        count: None,
    }
}

fn pipeline(device: &wgpu::Device, wgsl: &str, layout: &wgpu::BindGroupLayout) -> Result<wgpu::ComputePipeline> {
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: None,
        source: wgpu::ShaderSource::Wgsl(wgsl.into()),
    });
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: None,
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: None,
        layout: Some(&pipeline_layout),
        module: &module,
        entry_point: None,
        compilation_options: Default::default(),
        cache: None,
    });
    if let Some(error) = pollster::block_on(scope.pop()) {
        bail!("native pipeline creation failed: {error}");
    }
    Ok(pipeline)
}

fn bind(device: &wgpu::Device, layout: &wgpu::BindGroupLayout, buffers: &[&wgpu::Buffer]) -> wgpu::BindGroup {
    let entries: Vec<_> = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor { label: None, layout, entries: &entries })
}

fn buffer(device: &wgpu::Device, size: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor { label: None, size, usage, mapped_at_creation: false })
}

pub fn staging(device: &wgpu::Device, size: u64) -> wgpu::Buffer {
    buffer(device, size, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST)
}

/// The guests' `latency` workload: `n` round trips per sample, each an
/// empty submit + wait, then each one dispatch of the tiny kernel + wait.
pub fn latency(native: &Native, n: u32, warmup: u64, repeat: u64) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let (device, queue) = native.device()?;
    let empty = timed(warmup, repeat, || {
        for _ in 0..n {
            queue.submit([]);
            wait(&device)?;
        }
        Ok(())
    })?;
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: None,
        entries: &[storage_entry(0, wgpu::BufferBindingType::Storage { read_only: false })],
    });
    let pipeline = pipeline(&device, data::TINY_WGSL, &layout)?;
    let counts = buffer(&device, 4 * data::TINY_LEN as u64, wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC);
    let group = bind(&device, &layout, &[&counts]);
    let one = timed(warmup, repeat, || {
        for _ in 0..n {
            let mut encoder = device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                pass.set_pipeline(&pipeline);
                pass.set_bind_group(0, &group, &[]);
                pass.dispatch_workgroups(1, 1, 1);
            }
            queue.submit([encoder.finish()]);
            wait(&device)?;
        }
        Ok(())
    })?;
    data::check_counts(
        &read_u32(&device, &queue, &counts, &staging(&device, counts.size()))?,
        n * (warmup + repeat) as u32,
    )?;
    Ok((empty, one))
}

/// The ceiling of a bandwidth-bound kernel: `copy_buffer_to_buffer` of
/// `bytes` between two device buffers, one submit + wait per sample.
pub fn copy(native: &Native, bytes: u64, warmup: u64, repeat: u64) -> Result<Vec<Duration>> {
    let (device, queue) = native.large_device()?;
    let usage = wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    let (source, target) = (buffer(&device, bytes, usage), buffer(&device, bytes, usage));
    timed(warmup.max(1), repeat, || {
        let mut encoder = device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&source, 0, &target, 0, bytes);
        queue.submit([encoder.finish()]);
        wait(&device)
    })
}

/// Copies `source` into `staging`, maps it and copies the contents into a
/// `Vec<u32>`: what a wgpu user does to get data back.
pub fn read_u32(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    source: &wgpu::Buffer,
    staging: &wgpu::Buffer,
) -> Result<Vec<u32>> {
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(source, 0, staging, 0, source.size());
    queue.submit([encoder.finish()]);
    let (sender, receiver) = std::sync::mpsc::channel();
    staging.slice(..).map_async(wgpu::MapMode::Read, move |result| {
        let _ = sender.send(result);
    });
    wait(device)?;
    receiver.recv().context("map callback dropped")??;
    let values = bytemuck::cast_slice::<u8, u32>(&staging.slice(..).get_mapped_range()).to_vec();
    staging.unmap();
    Ok(values)
}

pub fn dispatch(native: &Native, n: u32, warmup: u64, repeat: u64) -> Result<Vec<Duration>> {
    let (device, queue) = native.device()?;
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: None,
        entries: &[storage_entry(0, wgpu::BufferBindingType::Storage { read_only: false })],
    });
    let pipelines = [pipeline(&device, data::TINY_WGSL, &layout)?, pipeline(&device, data::TINY_WGSL, &layout)?];
    let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
    let size = data::TINY_LEN as u64 * 4;
    let buffers = [buffer(&device, size, usage), buffer(&device, size, usage)];
    let groups = [bind(&device, &layout, &[&buffers[0]]), bind(&device, &layout, &[&buffers[1]])];
    let samples = timed(warmup, repeat, || {
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for i in 0..n as usize {
                pass.set_pipeline(&pipelines[i & 1]);
                pass.set_bind_group(0, &groups[i & 1], &[]);
                pass.dispatch_workgroups(1, 1, 1);
            }
        }
        queue.submit([encoder.finish()]);
        wait(&device)
    })?;
    let runs = (warmup + repeat) as u32;
    let staging = staging(&device, size);
    data::check_counts(&read_u32(&device, &queue, &buffers[0], &staging)?, n.div_ceil(2) * runs)?;
    data::check_counts(&read_u32(&device, &queue, &buffers[1], &staging)?, n / 2 * runs)?;
    Ok(samples)
}

/// Upload samples with `write_buffer` calls of `chunk` bytes each, as the
/// SDK makes them: tells the cost of wgpu-core's per-write staging from the
/// cost of the host boundary.
pub fn upload_chunked(native: &Native, mib: usize, chunk: usize, warmup: u64, repeat: u64) -> Result<Vec<Duration>> {
    let (device, queue) = native.device()?;
    let data = data::pattern(mib << 18);
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let target = buffer(&device, bytes.len() as u64, wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST);
    timed(warmup, repeat, || {
        for (i, piece) in bytes.chunks(chunk).enumerate() {
            queue.write_buffer(&target, (i * chunk) as u64, piece);
        }
        queue.submit([]);
        wait(&device)
    })
}

/// Upload and readback samples.
pub fn bandwidth(native: &Native, mib: usize, warmup: u64, repeat: u64) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let (device, queue) = native.device()?;
    let data = data::pattern(mib << 18);
    let size = (data.len() * 4) as u64;
    let target = buffer(
        &device,
        size,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
    );
    let upload = timed(warmup, repeat, || {
        queue.write_buffer(&target, 0, bytemuck::cast_slice(&data));
        queue.submit([]);
        wait(&device)
    })?;
    let staging = staging(&device, size);
    let mut read = Vec::new();
    let readback = timed(warmup, repeat, || {
        read = read_u32(&device, &queue, &target, &staging)?;
        Ok(())
    })?;
    ensure!(read == data, "native bandwidth: the data read back differs from the data uploaded");
    Ok((upload, readback))
}

pub fn matmul(native: &Native, n: u32, iters: u32, warmup: u64, repeat: u64) -> Result<Vec<Duration>> {
    ensure!(
        n > 0 && n.is_multiple_of(data::MATMUL_TILE),
        "matmul: n={n} must be a positive multiple of {}",
        data::MATMUL_TILE
    );
    let (device, queue) = native.device()?;
    use wgpu::BufferBindingType as Ty;
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: None,
        entries: &[
            storage_entry(0, Ty::Storage { read_only: true }),
            storage_entry(1, Ty::Storage { read_only: true }),
            storage_entry(2, Ty::Storage { read_only: false }),
            storage_entry(3, Ty::Uniform),
        ],
    });
    let kernel = pipeline(&device, data::MATMUL_WGSL, &layout)?;
    let nn = n as usize;
    let init = |contents: &[u8], usage| {
        device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: None, contents, usage })
    };
    let a = init(bytemuck::cast_slice(&data::matrix_a(nn)), wgpu::BufferUsages::STORAGE);
    let b = init(bytemuck::cast_slice(&data::matrix_b(nn)), wgpu::BufferUsages::STORAGE);
    let c = init(&vec![0; nn * nn * 4], wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC);
    let dims = init(bytemuck::cast_slice(&[n, 0, 0, 0]), wgpu::BufferUsages::UNIFORM);
    let group = bind(&device, &layout, &[&a, &b, &c, &dims]);
    let tiles = n / data::MATMUL_TILE;
    let samples = timed(warmup, repeat, || {
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&kernel);
            pass.set_bind_group(0, &group, &[]);
            for _ in 0..iters {
                pass.dispatch_workgroups(tiles, tiles, 1);
            }
        }
        queue.submit([encoder.finish()]);
        wait(&device)
    })?;
    let values = read_u32(&device, &queue, &c, &staging(&device, c.size()))?;
    data::check_matmul(nn, &values.into_iter().map(f32::from_bits).collect::<Vec<_>>())?;
    Ok(samples)
}

/// Cold start, natively: device, pipeline, one dispatch and its result, on
/// the already created instance and adapter (the guest's runner has those
/// too).
pub fn cold(native: &Native) -> Result<Duration> {
    let start = Instant::now();
    let (device, queue) = native.device()?;
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: None,
        entries: &[storage_entry(0, wgpu::BufferBindingType::Storage { read_only: false })],
    });
    let kernel = pipeline(&device, data::TINY_WGSL, &layout)?;
    let size = data::TINY_LEN as u64 * 4;
    let target = buffer(&device, size, wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC);
    let group = bind(&device, &layout, &[&target]);
    let mut encoder = device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&kernel);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(1, 1, 1);
    }
    queue.submit([encoder.finish()]);
    data::check_counts(&read_u32(&device, &queue, &target, &staging(&device, size))?, 1)?;
    Ok(start.elapsed())
}
