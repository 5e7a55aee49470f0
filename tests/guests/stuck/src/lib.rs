//! Guests the runner must stop (`--timeout`) or report in one line, picked by
//! `argv[1]`:
//!
//! * `spin`: a plain loop in guest code that never yields;
//! * `cpu-kernel`: a CPU-device `#[kernel]` launch whose kernel never ends;
//! * `gpu X Y STEPS`: a GPU dispatch of `X * Y` workgroups of 64 invocations,
//!   each taking STEPS steps of a linear congruential generator, then a
//!   `map-async` of the result, which blocks inside the host until the GPU is
//!   done; prints the result and checks it against the same steps on the CPU;
//! * `host-panic`: calls `gpu-queue.label`, a `todo!()` in the reference host;
//! * `trap`: a wasm `unreachable`;
//! * `oom`: asks for more memory than a wasm32 guest can have (1 GiB at a
//!   time);
//! * `big-call MIB`: one `write-buffer-with-copy` of MIB MiB;
//! * `wgsl parens|sum|unary N`: a shader nested N deep, sent to the host
//!   through raw bindings (the SDK would refuse it).
//!
//! Each prints `reached <mode>` (flushed) just before the step that hangs or
//! fails, so a test can tell the guest got there.

use std::io::Write as _;
use wasi_webgpu::Threads;

use wasi_webgpu::{BufferInitDescriptor, BufferUsages, Instance};

mod raw {
    // A world of its own: the SDK's bindings already embed the type of
    // `wasi-webgpu:sdk/guest`, and two copies of one world's custom section
    // do not link.
    wit_bindgen::generate!({
        inline: "package stuck:raw; world raw { import wasi:webgpu/webgpu@0.3.0-rc.2; }",
        path: "../../../wit/deps/wasi-webgpu-0.3.0-rc.2",
        world: "stuck:raw/raw",
        generate_all,
    });
}

use raw::wasi::webgpu::webgpu as gpu;

/// Never ends while `flag[0]` is 0, which it is.
#[wasi_webgpu::kernel(workgroup_size = 1)]
fn forever(flag: &[u32], out: &mut [u32]) {
    let mut n = 0u32;
    while flag[0] == 0 {
        n = n + 1;
    }
    out[0] = n;
}

fn reached(mode: &str) {
    println!("reached {mode}");
    let _ = std::io::stdout().flush();
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let number = |i: usize| arg(i).parse::<u32>().map_err(|e| format!("argument {i} ({:?}): {e}", arg(i)));
    match arg(1) {
        "spin" => {
            reached("spin");
            let mut n = 0u64;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        "cpu-kernel" => {
            let (device, _queue) =
                Instance::new().cpu_adapter().request_device(&Default::default()).await.map_err(e)?;
            let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
            let flag = device
                .create_buffer_init(&BufferInitDescriptor { label: None, contents: &[0u32], usage })
                .map_err(e)?;
            let mut out = device
                .create_buffer_init(&BufferInitDescriptor { label: None, contents: &[0u32], usage })
                .map_err(e)?;
            reached("cpu-kernel");
            forever::launch(&device, &flag, &mut out, Threads::x(1)).await.map_err(e)?;
            Err("the endless kernel ended".into())
        }
        "gpu" => gpu_steps([number(2)?, number(3)?, number(4)?]).await,
        "host-panic" => {
            let (_device, queue) = raw_device().await?;
            reached("host-panic");
            println!("label: {}", queue.label());
            Ok(())
        }
        "trap" => {
            reached("trap");
            // A wasm `unreachable` in a guest (and the workspace still
            // builds natively).
            std::process::abort()
        }
        "oom" => {
            reached("oom");
            // Reserved, never written: costs the host no memory. A wasm32
            // guest has 4 GiB, so the fourth fails.
            let mut chunks: Vec<Vec<u8>> = Vec::new();
            for _ in 0..5 {
                chunks.push(Vec::with_capacity(1 << 30));
            }
            std::hint::black_box(&chunks);
            Err("5 GiB of allocations succeeded".into())
        }
        "big-call" => {
            let (device, queue) = raw_device().await?;
            let buffer = device.create_buffer(&gpu::GpuBufferDescriptor {
                size: 4,
                usage: gpu::GpuBufferUsage::COPY_DST,
                mapped_at_creation: None,
                label: None,
            });
            // Zeroed pages that are never written cost no memory.
            let data = vec![0u8; (number(2)? as usize) << 20];
            reached("big-call");
            queue.write_buffer_with_copy(&buffer, 0, &data, None, None).map_err(|e| e.message)?;
            Err("the oversized call went through".into())
        }
        "wgsl" => {
            let depth = number(3)? as usize;
            let expression = match arg(2) {
                "parens" => format!("{}1{}", "(".repeat(depth), ")".repeat(depth)),
                "sum" => vec!["1"; depth].join("+"),
                "unary" => format!("{}1", "-".repeat(depth)),
                other => return Err(format!("unknown nesting {other:?}")),
            };
            let code = format!(
                "fn f() -> i32 {{ return {expression}; }}\n@compute @workgroup_size(1) fn main() {{ _ = f(); }}\n"
            );
            let (device, _queue) = raw_device().await?;
            device.push_error_scope(gpu::GpuErrorFilter::Validation);
            reached("wgsl");
            let _module = device.create_shader_module(&gpu::GpuShaderModuleDescriptor {
                code,
                compilation_hints: None,
                label: None,
            });
            match device.pop_error_scope().await {
                Ok(None) => println!("shader accepted"),
                Ok(Some(error)) => println!("shader refused: {}", error.message().lines().next().unwrap_or_default()),
                Err(error) => println!("pop-error-scope failed: {}", error.message),
            }
            Ok(())
        }
        other => Err(format!("unknown mode {other:?}")),
    }
}

fn e(error: wasi_webgpu::Error) -> String {
    error.to_string()
}

async fn raw_device() -> Result<(gpu::GpuDevice, gpu::GpuQueue), String> {
    let adapter = gpu::get_gpu().request_adapter(None).await.ok_or("no adapter")?;
    let device = adapter.request_device(None).await.map_err(|e| e.message)?;
    let queue = device.queue();
    Ok((device, queue))
}

const LCG: (u32, u32) = (1664525, 1013904223);

const STEPS_WGSL: &str = "
@group(0) @binding(0) var<storage, read_write> data: array<u32, 4>;
@compute @workgroup_size(64) fn main() {
    var acc = data[1];
    for (var k = 0u; k < data[2]; k++) {
        acc = acc * 1664525u + 1013904223u;
    }
    // Every invocation computes the same value; data[1] stays the seed.
    data[3] = acc;
}
";

/// `x * y` workgroups of 64 invocations, each taking `steps` generator steps
/// on the GPU, read back through `map-async` and checked against the CPU.
/// (A loop of more than 65,535 steps would not do: lavapipe ends long loops
/// early; the work has to come from many invocations.)
async fn gpu_steps([x, y, steps]: [u32; 3]) -> Result<(), String> {
    let (device, queue) = raw_device().await?;
    device.push_error_scope(gpu::GpuErrorFilter::Validation);
    let module = device.create_shader_module(&gpu::GpuShaderModuleDescriptor {
        code: STEPS_WGSL.into(),
        compilation_hints: None,
        label: None,
    });
    let pipeline = device.create_compute_pipeline(gpu::GpuComputePipelineDescriptor {
        compute: gpu::GpuProgrammableStage { module: &module, entry_point: None, constants: None },
        layout: gpu::GpuLayoutMode::Auto,
        label: None,
    });
    if let Ok(Some(error)) = device.pop_error_scope().await {
        return Err(error.message());
    }
    let buffer = |usage| {
        device.create_buffer(&gpu::GpuBufferDescriptor { size: 16, usage, mapped_at_creation: None, label: None })
    };
    let data = buffer(gpu::GpuBufferUsage::STORAGE | gpu::GpuBufferUsage::COPY_SRC | gpu::GpuBufferUsage::COPY_DST);
    let readback = buffer(gpu::GpuBufferUsage::MAP_READ | gpu::GpuBufferUsage::COPY_DST);
    let seed = 7u32;
    let bytes: Vec<u8> = [0, seed, steps, 0].iter().flat_map(|w: &u32| w.to_le_bytes()).collect();
    queue.write_buffer_with_copy(&data, 0, &bytes, None, None).map_err(|e| e.message)?;
    let layout = pipeline.get_bind_group_layout(0);
    let group = device.create_bind_group(&gpu::GpuBindGroupDescriptor {
        layout: &layout,
        entries: vec![gpu::GpuBindGroupEntry { binding: 0, resource: gpu::GpuBindingResource::GpuBuffer(&data) }],
        label: None,
    });
    let encoder = device.create_command_encoder(None);
    let pass = encoder.begin_compute_pass(None);
    pass.set_pipeline(&pipeline);
    pass.set_bind_group(0, Some(&group), None, None, None).map_err(|e| e.message)?;
    pass.dispatch_workgroups(x, Some(y), None);
    pass.end();
    encoder.copy_buffer_to_buffer(&data, None, &readback, None, Some(16));
    queue.submit(&[&encoder.finish(None)]);
    reached("gpu");
    readback.map_async(gpu::GpuMapMode::READ, None, None).await.map_err(|e| e.message)?;
    let read = readback.get_mapped_range_get_with_copy(None, None).map_err(|e| e.message)?;
    let got = u32::from_le_bytes([read[12], read[13], read[14], read[15]]);
    let want = (0..steps).fold(seed, |acc, _| acc.wrapping_mul(LCG.0).wrapping_add(LCG.1));
    println!("gpu: {x}x{y} workgroups of {steps} steps, {got}");
    if got == want { Ok(()) } else { Err(format!("the GPU computed {got}, the CPU {want}")) }
}
