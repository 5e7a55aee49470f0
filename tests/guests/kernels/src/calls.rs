//! The two calls of every compute kernel, `#[kernel]` and `#[shader]` alike: `dispatch` records
//! into the caller's compute pass, `launch` runs by itself; the same arguments in the same order,
//! the thread count last. One computation written both ways, run through both calls on both
//! devices, against plain Rust.

use wasi_webgpu::{BufferInitDescriptor, BufferUsages, Error, GpuType, Threads, global_id, kernel};

use crate::{Both, Context, Outcome, ensure, same};

#[kernel(workgroup_size = 64)]
fn axpy_u32(a: u32, x: &[u32], y: &mut [u32]) {
    let i = global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[wasi_webgpu::shader(wgsl = r#"
struct Params { a: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&y) {
        y[id.x] = params.a * x[id.x] + y[id.x];
    }
}
"#)]
mod axpy_wgsl {}

/// Not a multiple of the workgroup size, so the last workgroup checks its bounds.
const N: usize = 1000;
/// One `a` per call; the second overflows, so wrapping is compared too, and two calls into one
/// pass must each keep their own value.
const STEPS: [u32; 2] = [3, 0x9E37_79B9];

/// `y = a * x + y` for each step, wrapping, as WGSL's `u32` does.
fn reference(x: &[u32], y: &[u32]) -> Vec<u32> {
    let mut y = y.to_vec();
    for a in STEPS {
        y.iter_mut().zip(x).for_each(|(y, &x)| *y = a.wrapping_mul(x).wrapping_add(*y));
    }
    y
}

/// `#[kernel]`: `launch` twice, and `dispatch` twice into one pass (after a copy the same encoder
/// records, which the kernel must see), give plain Rust's result on the GPU and on the CPU device,
/// where the dispatches run at submit, in order with the copy, like on a GPU. `#[shader]`: the
/// same on the GPU; its pipeline is a typed error on the CPU device, which runs no WGSL.
pub async fn dispatch_and_launch_agree(both: &Both<'_>) -> Outcome {
    let x: Vec<u32> = (0..N as u32).map(|i| i.wrapping_mul(2_654_435_761) >> 5).collect();
    let y0: Vec<u32> = (0..N as u32).map(|i| i * 7 + 1).collect();
    let expected = reference(&x, &y0);
    let threads = Threads::x(N as u32);
    const {
        assert!(<axpy_wgsl::Params as GpuType>::WGSL_SIZE == 4);
        assert!(<axpy_wgsl::Params as GpuType>::UNIFORM_COMPATIBLE);
    }
    let declared = <axpy_wgsl::Params as GpuType>::WGSL.declarations();
    ensure!(declared == "struct Params {\n    a: u32,\n}\n", "#[shader] struct as a GpuType: {declared:?}");
    both.each(async |on| {
        let xs = on.storage(&x)?;
        let mut launched = on.storage(&y0)?;
        for a in STEPS {
            on.at(axpy_u32::launch(&on.device, a, &xs, &mut launched, threads).await)?;
        }
        same("#[kernel] launch", &on.read(&launched).await?, &expected)?;

        let staged = on.storage(&x)?;
        let copied = on.zeroed::<u32>(N)?;
        let mut dispatched = on.storage(&y0)?;
        let mut encoder = on.device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&staged, 0, &copied, 0, (N * 4) as u64).at("copy")?;
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for a in STEPS {
            on.at(axpy_u32::dispatch(&mut pass, a, &copied, &mut dispatched, threads).await)?;
        }
        // Misuse is refused when recorded, naming the call, and records nothing.
        let mut alias = copied.clone();
        match axpy_u32::dispatch(&mut pass, 1, &copied, &mut alias, threads).await {
            Err(e @ Error::UsageConflict { .. }) if e.to_string().starts_with("axpy_u32::dispatch: arguments") => {}
            other => return Err(format!("aliased dispatch: {other:?}")),
        }
        pass.end();
        let commands = encoder.finish().await.at("finish")?;
        same("#[kernel] dispatch before submit", &on.read(&dispatched).await?, &y0)?;
        on.queue.submit([commands]).at("submit")?;
        on.queue.on_submitted_work_done().await;
        same("#[kernel] dispatch", &on.read(&dispatched).await?, &expected)?;

        let pipeline = axpy_wgsl::pipeline(&on.device, &Default::default()).await;
        if on.device.is_cpu() {
            ensure!(
                matches!(pipeline, Err(Error::CpuDevice { .. })),
                "#[shader] on the CPU device: {:?}",
                pipeline.err()
            );
            return Ok(());
        }
        let shader = pipeline.at("pipeline")?;
        let mut params = Vec::new();
        for a in STEPS {
            let descriptor = BufferInitDescriptor {
                label: None,
                contents: &[axpy_wgsl::Params { a }],
                usage: BufferUsages::UNIFORM,
            };
            params.push(on.device.create_buffer_init(&descriptor).at("params")?);
        }
        let launched = on.storage(&y0)?;
        for p in &params {
            let bindings =
                axpy_wgsl::Bindings { params: p.as_uniform(), x: xs.as_storage(), y: launched.as_storage_mut() };
            shader.launch(&on.device, &bindings, threads).await.at("#[shader] launch")?;
        }
        same("#[shader] launch", &on.read(&launched).await?, &expected)?;

        let dispatched = on.storage(&y0)?;
        let mut encoder = on.device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for p in &params {
            let bindings =
                axpy_wgsl::Bindings { params: p.as_uniform(), x: xs.as_storage(), y: dispatched.as_storage_mut() };
            shader.dispatch(&mut pass, &bindings, threads).at("#[shader] dispatch")?;
        }
        pass.end();
        on.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
        on.queue.on_submitted_work_done().await;
        same("#[shader] dispatch", &on.read(&dispatched).await?, &expected)
    })
    .await
}
