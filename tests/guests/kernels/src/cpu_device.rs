//! The in-guest CPU device's buffers, which behave as a GPU device's do,
//! its typed refusal of GPU-only work, and launch misuse on both devices.

use wasi_webgpu::Threads;
use wasi_webgpu::{
    BindGroupLayoutDescriptor, BufferDescriptor, BufferUsages, Error, Instance, MapMode, MapState,
    ShaderModuleDescriptor, ShaderSource, global_id, kernel,
};

use crate::{Both, Context, Outcome, ensure, same};

/// Every buffer operation, on both devices, against values computed here.
pub async fn buffer_operations(both: &Both<'_>) -> Outcome {
    both.each(async |on| {
        let device = &on.device;
        let copy = BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
        let plain = |len, usage, mapped_at_creation| BufferDescriptor { label: None, len, usage, mapped_at_creation };

        // Buffers start zeroed; create_buffer_init fills them.
        let a = device.create_buffer::<u32>(&plain(10, copy, false)).at("create_buffer")?;
        same("fresh", &on.read(&a).await?, &[0; 10])?;
        let b = on.storage(&[1u32, 2, 3, 4, 5, 6, 7, 8, 9, 10])?;

        // Queue writes, Buffer::write and slice writes, then reads of slices.
        on.queue.write_buffer(&a, 8, &[7, 8]).at("write_buffer")?;
        a.slice(5..7).write(&[50, 60]).await.at("slice write")?;
        same("after writes", &on.read(&a).await?, &[0, 0, 7, 8, 0, 50, 60, 0, 0, 0])?;
        same("slice read", &a.slice(2..6).read().await.at("slice read")?, &[7, 8, 0, 50])?;

        // Copies and clears run at submit, in order.
        let mut encoder = device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&b, 4, &a, 24, 12).at("copy")?;
        encoder.clear_buffer(&a, 0, Some(8)).at("clear")?;
        same("before submit", &on.read(&a).await?, &[0, 0, 7, 8, 0, 50, 60, 0, 0, 0])?;
        on.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
        on.queue.on_submitted_work_done().await;
        same("after submit", &on.read(&a).await?, &[0, 0, 7, 8, 0, 50, 2, 3, 4, 0])?;

        // Mapping: MAP_READ, MAP_WRITE, and mapped at creation.
        let readback = device
            .create_buffer::<u32>(&plain(4, BufferUsages::MAP_READ | BufferUsages::COPY_DST, false))
            .at("readback")?;
        let mut encoder = device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&a, 16, &readback, 0, 16).at("copy to readback")?;
        on.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
        readback.slice(..).map_async(MapMode::Read).await.at("map read")?;
        ensure!(readback.map_state() == MapState::Mapped, "map state {:?}", readback.map_state());
        same("mapped range", &readback.slice(2..4).get_mapped_range().at("get_mapped_range")?, &[2, 3])?;
        readback.unmap().at("unmap")?;
        let upload = device
            .create_buffer::<u32>(&plain(4, BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC, true))
            .at("upload")?;
        upload.slice(..).write_mapped(&[11, 12, 13, 14]).at("write_mapped")?;
        upload.unmap().at("unmap upload")?;
        upload.slice(..).map_async(MapMode::Write).await.at("map write")?;
        upload.slice(2..).write_mapped(&[23]).at("write_mapped again")?;
        upload.unmap().at("unmap again")?;
        same("uploaded", &upload.read().await.at("read MAP_WRITE buffer")?, &[11, 12, 23, 14])?;

        // Errors are the same typed errors on both devices.
        expect(on.queue.write_buffer(&upload, 0, &[1]), |e| matches!(e, Error::MissingUsage { .. }))?;
        expect(a.slice(8..12).read().await, |e| matches!(e, Error::OutOfBounds { .. }))?;
        expect(on.queue.write_buffer(&a, 2, &[1]), |e| matches!(e, Error::Misaligned { .. }))?;
        let mut encoder = device.create_command_encoder(&Default::default());
        expect(encoder.copy_buffer_to_buffer(&a, 0, &a, 8, 4), |e| matches!(e, Error::UsageConflict { .. }))?;
        a.destroy();
        expect(a.read().await, |e| matches!(e, Error::Destroyed { .. }))?;
        Ok(())
    })
    .await
}

/// Fails unless `result` is an error `wanted` accepts.
fn expect<T>(result: wasi_webgpu::Result<T>, wanted: impl Fn(&Error) -> bool) -> Outcome {
    match result {
        Err(e) if wanted(&e) => Ok(()),
        Err(e) => Err(format!("wrong error: {e:?}")),
        Ok(_) => Err("succeeded, expected an error".into()),
    }
}

/// WGSL pipelines, layouts and textures need a GPU: a typed error, never a trap.
pub async fn cpu_device_refuses_gpu_only_work(_: &Both<'_>) -> Outcome {
    let adapter = Instance::new().cpu_adapter();
    ensure!(adapter.is_cpu() && !adapter.get_info().is_fallback_adapter, "{:?}", adapter.get_info());
    let (device, queue) = adapter.request_device(&Default::default()).await.at("request_device")?;
    let cpu = |e: &Error| matches!(e, Error::CpuDevice { .. });
    let wgsl = ShaderSource::Wgsl("@compute @workgroup_size(1) fn main() {}".into());
    expect(device.create_shader_module(ShaderModuleDescriptor { label: None, source: wgsl }).await, cpu)?;
    expect(device.create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &[] }), cpu)?;
    let texture = wasi_webgpu::TextureDescriptor {
        size: wasi_webgpu::Extent3d { width: 4, height: 4, depth_or_array_layers: 1 },
        usage: wasi_webgpu::TextureUsages::COPY_DST,
        ..Default::default()
    };
    expect(device.create_texture(&texture), cpu)?;
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    expect(pass.dispatch_workgroups(1, 1, 1), cpu)?;
    pass.end();
    queue.submit([encoder.finish().await.at("finish")?]).at("submit of an empty CPU command buffer")?;
    // Error scopes stay empty: the CPU device reports every error directly.
    device.push_error_scope(wasi_webgpu::ErrorFilter::Validation);
    ensure!(device.pop_error_scope().await.at("pop")?.is_none(), "a CPU error scope caught something");
    Ok(())
}

#[kernel(workgroup_size = 64)]
fn copy(x: &[u32], y: &mut [u32]) {
    let i = global_id().x as usize;
    if i < y.len() {
        y[i] = x[i];
    }
}

/// Bad launches fail alike on both devices, with typed errors whose text
/// names `copy::launch` and the parameter. Each error is printed as
/// `launch_misuse <device>: <error>`, which tests/tests/kernels.rs compares
/// with the wording it expects, the same for both devices.
pub async fn launch_misuse(both: &Both<'_>) -> Outcome {
    let other = Instance::new().cpu_adapter().request_device(&Default::default()).await.at("other device")?.0;
    both.each(async |on| {
        let device = &on.device;
        let said = |result: wasi_webgpu::Result<()>, wanted: fn(&Error) -> bool| {
            if let Err(e) = &result {
                println!("launch_misuse {}: {e}", on.name);
            }
            expect(result, wanted)
        };
        let labelled = |label, len, usage| {
            device.create_buffer::<u32>(&BufferDescriptor { label: Some(label), len, usage, mapped_at_creation: false })
        };
        let x = on.storage(&[1u32; 64])?;
        let mut y = on.zeroed::<u32>(64)?;
        // One buffer read-only and writable in one launch.
        let mut alias = x.clone();
        said(copy::launch(device, &x, &mut alias, Threads::x(64)).await, |e| matches!(e, Error::UsageConflict { .. }))?;
        // A buffer of another device.
        let mut foreign = other
            .create_buffer::<u32>(&BufferDescriptor {
                label: None,
                len: 64,
                usage: BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
            .at("foreign")?;
        said(copy::launch(device, &x, &mut foreign, Threads::x(64)).await, |e| {
            matches!(e, Error::ForeignBuffer { .. })
        })?;
        // A buffer without STORAGE.
        let mut plain = labelled("plain", 64, BufferUsages::COPY_DST | BufferUsages::COPY_SRC).at("plain")?;
        said(copy::launch(device, &x, &mut plain, Threads::x(64)).await, |e| matches!(e, Error::MissingUsage { .. }))?;
        // More workgroups than a dimension allows.
        let too_many = device.limits().max_compute_workgroups_per_dimension * 64 + 64;
        expect(copy::launch(device, &x, &mut y, Threads::x(too_many)).await, |e| matches!(e, Error::OverLimit { .. }))?;
        // A destroyed buffer.
        let gone = labelled("gone", 4, BufferUsages::STORAGE).at("gone")?;
        gone.destroy();
        said(copy::launch(device, &gone, &mut y, Threads::x(4)).await, |e| matches!(e, Error::Destroyed { .. }))?;
        // An empty buffer, which WebGPU cannot bind.
        let empty = on.storage::<u32>(&[])?;
        said(copy::launch(device, &empty, &mut y, Threads::x(4)).await, |e| matches!(e, Error::BindGroup(_)))?;
        // One binding over the device's limit (128 MiB by default, on both
        // devices): 64 elements more.
        let max = device.limits().max_storage_buffer_binding_size;
        let big = labelled("big", max / 4 + 64, BufferUsages::STORAGE).at("big")?;
        said(copy::launch(device, &big, &mut y, Threads::x(64)).await, |e| matches!(e, Error::BindingTooLarge { .. }))?;
        drop(big);
        // Zero threads: a launch of no workgroups, which does nothing.
        on.at(copy::launch(device, &x, &mut y, Threads::x(0)).await)?;
        // Nothing was written by the failed launches; a good one still works.
        same("y untouched", &on.read(&y).await?, &[0; 64])?;
        on.at(copy::launch(device, &x, &mut y, Threads::x(64)).await)?;
        same("y", &on.read(&y).await?, &[1; 64])
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn out_of_bounds(x: &[u32], y: &mut [u32]) {
    let i = global_id().x as usize;
    // Reads and writes past the end: WebGPU's robust access on the GPU, dropped or zero on the CPU.
    y[i] = x[i + 10] + 1;
    y[i + 1000] = 5;
}

/// Out-of-bounds accesses in a kernel never trap the guest on the CPU
/// device; in-bounds results are exact. (On the GPU robust buffer access
/// may return any in-bounds value, so only the CPU's values are pinned.)
pub async fn out_of_bounds_never_traps(both: &Both<'_>) -> Outcome {
    both.each(async |on| {
        let x = on.storage(&(0..20u32).collect::<Vec<_>>())?;
        let mut y = on.zeroed::<u32>(20)?;
        on.at(out_of_bounds::launch(&on.device, &x, &mut y, Threads::x(64)).await)?;
        let got = on.read(&y).await?;
        same("in bounds", &got[..10], &(11..21).collect::<Vec<u32>>())?;
        if on.name == "cpu" {
            same("past the input", &got[10..], &[1; 10])?;
        }
        Ok(())
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn scale(a: u32, y: &mut [u32]) {
    let i = global_id().x as usize;
    if i < y.len() {
        y[i] = a * y[i];
    }
}

/// Polls two futures together, as a guest that joins two launches does.
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            ra = match a.as_mut().poll(cx) {
                std::task::Poll::Ready(v) => Some(v),
                std::task::Poll::Pending => None,
            };
        }
        if rb.is_none() {
            rb = match b.as_mut().poll(cx) {
                std::task::Poll::Ready(v) => Some(v),
                std::task::Poll::Pending => None,
            };
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => std::task::Poll::Ready((x, y)),
            (x, y) => {
                (ra, rb) = (x, y);
                std::task::Poll::Pending
            }
        }
    })
    .await
}

/// Two launches of one kernel in flight at once keep their own uniforms.
pub async fn concurrent_launches_keep_their_arguments(both: &Both<'_>) -> Outcome {
    both.each(async |on| {
        let mut warm = on.storage(&[1u32; 8])?;
        on.at(scale::launch(&on.device, 1, &mut warm, Threads::x(8)).await)?;
        let (mut y2, mut y3) = (on.storage(&[1u32; 100])?, on.storage(&[1u32; 100])?);
        let (r2, r3) = join(
            scale::launch(&on.device, 2, &mut y2, Threads::x(100)),
            scale::launch(&on.device, 3, &mut y3, Threads::x(100)),
        )
        .await;
        on.at(r2)?;
        on.at(r3)?;
        same("a = 2", &on.read(&y2).await?, &[2; 100])?;
        same("a = 3", &on.read(&y3).await?, &[3; 100])
    })
    .await
}
