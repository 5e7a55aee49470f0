//! Probe guest for the runner's tests. `argv[1]` picks the behaviour:
//! `gpu` (default) does a buffer round trip on the GPU, `err` returns `Err`,
//! `panic` panics, `hang` waits on a host timer for an hour, `host-panic`
//! calls a host function that `wasi-webgpu-wasmtime` leaves unimplemented,
//! `fs DIR` prints `DIR/in.txt` and writes `DIR/out.txt` (for preopens).

wit_bindgen::generate!({
    path: "../../../wit",
    world: "wasi-webgpu:sdk/guest",
    generate_all,
});

use wasi::webgpu::webgpu as gpu;

struct Probe;

impl wasip3::exports::cli::run::Guest for Probe {
    async fn run() -> Result<(), ()> {
        let args: Vec<String> = std::env::args().collect();
        println!("args: {args:?}");
        let env: Vec<(String, String)> = std::env::vars().collect();
        println!("env: {env:?}");
        eprintln!("probe: stderr line");
        match args.get(1).map(String::as_str) {
            Some("err") => Err(()),
            Some("panic") => panic!("probe panicked on purpose"),
            Some("hang") => {
                wasip3::clocks::monotonic_clock::wait_for(3_600_000_000_000).await;
                Ok(())
            }
            Some("fs") => {
                let dir = std::path::Path::new(args.get(2).map_or("/", String::as_str));
                let text = std::fs::read_to_string(dir.join("in.txt")).map_err(|e| println!("read failed: {e}"))?;
                println!("in.txt: {text}");
                std::fs::write(dir.join("out.txt"), "written by the guest").map_err(|e| println!("write failed: {e}"))
            }
            Some("host-panic") => {
                let (_device, queue) = device().await?;
                println!("label: {}", queue.label());
                Ok(())
            }
            _ => round_trip().await,
        }
    }
}

async fn device() -> Result<(gpu::GpuDevice, gpu::GpuQueue), ()> {
    let Some(adapter) = gpu::get_gpu().request_adapter(None).await else {
        println!("no adapter");
        return Err(());
    };
    let device = adapter.request_device(None).await.map_err(|e| println!("request-device failed: {}", e.message))?;
    let queue = device.queue();
    Ok((device, queue))
}

async fn round_trip() -> Result<(), ()> {
    let (device, queue) = device().await?;
    let buffer = |usage| {
        device.create_buffer(&gpu::GpuBufferDescriptor { size: 16, usage, mapped_at_creation: None, label: None })
    };
    let src = buffer(gpu::GpuBufferUsage::COPY_SRC | gpu::GpuBufferUsage::COPY_DST);
    let dst = buffer(gpu::GpuBufferUsage::MAP_READ | gpu::GpuBufferUsage::COPY_DST);
    let data: Vec<u8> = (1..=16).collect();
    queue
        .write_buffer_with_copy(&src, 0, &data, None, None)
        .map_err(|e| println!("write-buffer failed: {}", e.message))?;
    let encoder = device.create_command_encoder(None);
    encoder.copy_buffer_to_buffer(&src, None, &dst, None, Some(16));
    let commands = encoder.finish(None);
    queue.submit(&[&commands]);
    // Resolves only if the runner polls the device and wakes the guest.
    queue.on_submitted_work_done().await;
    println!("work done");
    dst.map_async(gpu::GpuMapMode::READ, None, None).await.map_err(|e| println!("map-async failed: {}", e.message))?;
    let read = dst
        .get_mapped_range_get_with_copy(None, None)
        .map_err(|e| println!("get-mapped-range failed: {}", e.message))?;
    if read != data {
        println!("readback mismatch: {read:?}");
        return Err(());
    }
    println!("readback ok");
    Ok(())
}

wasip3::cli::command::export!(Probe);
