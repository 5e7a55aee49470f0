//! Hostile runtime WGSL, on purpose. Modes, by the first argument:
//!
//! * none (or check-name filters): the checks below. Each sends a program
//!   that crashed or hung the reference host before the SDK's shader guard
//!   existed, expects `Error::ShaderRefused` naming the call and the bound,
//!   and then runs a valid shader and checks its answer, so a host that
//!   died or broke fails the check; programs just within each bound must
//!   run and give their known answer;
//! * `probe <kind> <n>`: runs one program of `programs.rs` and prints what
//!   happened (how the host's breaking points were found);
//! * `cost`: times the guard on the repository's largest shaders;
//! * `fuzz <file>`: creates a module and a compute pipeline from each
//!   program in `file` (separated by lines holding only `%%`), printing
//!   `fuzz <i> ok`, `fuzz <i> refused <limit>` or `fuzz <i> error <variant>`,
//!   then checks that a valid shader still runs.
//!
//! tests/tests/hostile.rs runs it, and tests/guests/hostile-validate is the
//! same guest with the SDK's `validate` feature (naga in the guest).

mod programs;

use guest_harness::{Context, Gpu, Outcome, checks, ensure};
use wasi_webgpu::shader_guard::{MAX_BLOCK_DEPTH, MAX_EXPRESSION_DEPTH, MAX_NESTING_DEPTH, MAX_PRIVATE_MEMORY_BYTES};
use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BufferInitDescriptor, BufferUsages, ComputePipelineDescriptor, Device, Error,
    PipelineCompilationOptions, Queue, ShaderModuleDescriptor, ShaderSource,
};

checks![
    nesting_that_killed_the_host_is_refused,
    long_expressions_are_refused,
    workgroup_memory_over_the_limit_is_refused,
    override_sized_workgroup_memory_is_refused_at_the_pipeline,
    private_and_function_memory_is_refused,
    override_workgroup_sizes_over_the_limits_are_refused,
    programs_within_the_bounds_run,
];

/// Runs `source` (entry `main`, `out` at group 0 binding 0) with
/// `constants` on one workgroup and returns `out[0]`.
async fn run_program(device: &Device, queue: &Queue, source: &str, constants: &[(&str, f64)]) -> Result<u32, Error> {
    let module = device
        .create_shader_module(ShaderModuleDescriptor { label: None, source: ShaderSource::Wgsl(source.into()) })
        .await?;
    let mut descriptor = ComputePipelineDescriptor::new(&module);
    descriptor.compilation_options = PipelineCompilationOptions { constants };
    let pipeline = device.create_compute_pipeline(&descriptor).await?;
    let out = device.create_buffer_init(&BufferInitDescriptor {
        label: None,
        contents: &[0u32; 4],
        usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
    })?;
    let layout = pipeline.get_bind_group_layout(0)?;
    let entries = [BindGroupEntry { binding: 0, resource: out.as_entire_binding() }];
    let group = device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries))?;
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pass.set_pipeline(&pipeline)?;
    pass.set_bind_group(0, &group, &[])?;
    pass.dispatch_workgroups(1, 1, 1)?;
    pass.end();
    queue.submit([encoder.finish().await?])?;
    Ok(out.read().await?[0])
}

/// A valid shader still runs and doubles 256 numbers: the host survived.
async fn host_still_works(gpu: &Gpu) -> Outcome {
    const DOUBLE: &str = "@group(0) @binding(0) var<storage, read_write> v: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { v[id.x] = v[id.x] * 2u + 1u; }";
    let device = &gpu.device;
    let input: Vec<u32> = (0..256u32).map(|i| i * 2_654_435_761 % 1_000_003).collect();
    let module = device
        .create_shader_module(ShaderModuleDescriptor { label: None, source: ShaderSource::Wgsl(DOUBLE.into()) })
        .await
        .at("valid module")?;
    let pipeline =
        device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("valid pipeline")?;
    let data = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &input,
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })
        .at("buffer")?;
    let layout = pipeline.get_bind_group_layout(0).at("layout")?;
    let entries = [BindGroupEntry { binding: 0, resource: data.as_entire_binding() }];
    let group = device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)).at("bind group")?;
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    pass.set_bind_group(0, &group, &[]).at("set_bind_group")?;
    pass.dispatch_workgroups(4, 1, 1).at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = data.read().await.at("read")?;
    let expected: Vec<u32> = input.iter().map(|x| x.wrapping_mul(2).wrapping_add(1)).collect();
    guest_harness::same("doubled", &got, &expected)
}

/// Sends `kind` at size `n`, expects a refusal by `operation` of `limit`,
/// then checks that the host still works.
async fn refused(gpu: &Gpu, kind: &str, n: usize, operation: &str, limit: &str) -> Outcome {
    let (source, constants) = programs::program(kind, n).ok_or_else(|| format!("no kind {kind}"))?;
    match run_program(&gpu.device, &gpu.queue, &source, &constants).await {
        Err(Error::ShaderRefused(r)) if r.operation == operation && r.limit == limit && r.line >= 1 => {
            ensure!(r.value.is_none_or(|v| v > r.max), "{kind} {n}: {r}");
        }
        other => return Err(format!("{kind} {n}: expected {operation} to refuse it over {limit}, got {other:?}")),
    }
    host_still_works(gpu).await.map_err(|e| format!("after {kind} {n}: {e}"))
}

/// Sends `kind` at size `n`, which is within the bounds, and expects it to
/// run with the answer the program means.
async fn runs(gpu: &Gpu, kind: &str, n: usize) -> Outcome {
    let (source, constants) = programs::program(kind, n).ok_or_else(|| format!("no kind {kind}"))?;
    let got = run_program(&gpu.device, &gpu.queue, &source, &constants).await.at(&format!("{kind} {n}"))?;
    ensure!(got == programs::expected(kind, n), "{kind} {n}: out[0] = {got}, expected {}", programs::expected(kind, n));
    Ok(())
}

const MODULE: &str = "create_shader_module";
const PIPELINE: &str = "create_compute_pipeline";

async fn nesting_that_killed_the_host_is_refused(gpu: &Gpu) -> Outcome {
    // The sizes at which each kind first killed the host, and 1000.
    for (kind, n) in [("parens", 320), ("template", 512), ("call", 256), ("index", 512)] {
        refused(gpu, kind, n, MODULE, "MAX_NESTING_DEPTH").await?;
        refused(gpu, kind, 1000, MODULE, "MAX_NESTING_DEPTH").await?;
    }
    for n in [56, 1000] {
        refused(gpu, "braces", n, MODULE, "MAX_BLOCK_DEPTH").await?;
    }
    // 500 parentheses overflowed the guest's own naga (feature `validate`).
    refused(gpu, "parens", 500, MODULE, "MAX_NESTING_DEPTH").await?;
    for kind in ["unary", "not"] {
        for n in [512, 5000] {
            refused(gpu, kind, n, MODULE, "MAX_NESTING_DEPTH").await?;
        }
    }
    Ok(())
}

async fn long_expressions_are_refused(gpu: &Gpu) -> Outcome {
    for n in [384, 5000] {
        refused(gpu, "sum", n, MODULE, "MAX_EXPRESSION_DEPTH").await?;
    }
    for n in [512, 5000] {
        refused(gpu, "swizzle", n, MODULE, "MAX_EXPRESSION_DEPTH").await?;
    }
    Ok(())
}

async fn workgroup_memory_over_the_limit_is_refused(gpu: &Gpu) -> Outcome {
    for n in [4097, 100_000_000] {
        refused(gpu, "workgroup", n, MODULE, "maxComputeWorkgroupStorageSize").await?;
    }
    Ok(())
}

async fn override_sized_workgroup_memory_is_refused_at_the_pipeline(gpu: &Gpu) -> Outcome {
    for n in [4097, 100_000_000] {
        refused(gpu, "workgroup_override", n, PIPELINE, "maxComputeWorkgroupStorageSize").await?;
    }
    Ok(())
}

async fn private_and_function_memory_is_refused(gpu: &Gpu) -> Outcome {
    // 64 KiB hung lavapipe's compiler; 16 MiB crashed the host.
    for kind in ["private", "function"] {
        for n in [16 * 1024, 4 * 1024 * 1024] {
            refused(gpu, kind, n, MODULE, "MAX_PRIVATE_MEMORY_BYTES").await?;
        }
    }
    Ok(())
}

async fn override_workgroup_sizes_over_the_limits_are_refused(gpu: &Gpu) -> Outcome {
    let limits = gpu.device.limits();
    ensure!(limits.max_compute_invocations_per_workgroup == 256, "a default-limits device: {limits:?}");
    // 257 and 1025 are over maxComputeWorkgroupSizeX (256) too; that is the
    // first limit the guard meets.
    for n in [257, 1024, 1025] {
        refused(gpu, "wgsize", n, PIPELINE, "maxComputeWorkgroupSizeX").await?;
    }
    Ok(())
}

async fn programs_within_the_bounds_run(gpu: &Gpu) -> Outcome {
    // The entry point's braces are one level of nesting.
    runs(gpu, "parens", MAX_NESTING_DEPTH - 1).await?;
    runs(gpu, "braces", MAX_BLOCK_DEPTH - 1).await?;
    runs(gpu, "call", MAX_NESTING_DEPTH - 1).await?;
    runs(gpu, "index", MAX_NESTING_DEPTH - 2).await?;
    runs(gpu, "template", MAX_NESTING_DEPTH - 1).await?;
    runs(gpu, "unary", MAX_NESTING_DEPTH - 2).await?;
    // `out[0] = 1u+1u…`: the index is one level, the `=` none.
    runs(gpu, "sum", MAX_EXPRESSION_DEPTH - 1).await?;
    runs(gpu, "swizzle", MAX_EXPRESSION_DEPTH - 3).await?;
    // Every bound reached at once: blocks to the brim, then parentheses to
    // the nesting bound, then a sum to the expression bound.
    let parens = MAX_NESTING_DEPTH - 1 - MAX_BLOCK_DEPTH;
    let terms = MAX_EXPRESSION_DEPTH - parens - 1;
    runs(gpu, "combined", (MAX_BLOCK_DEPTH - 1) * 1_000_000 + parens * 1000 + terms).await?;
    runs(gpu, "let_chain", 2000).await?;
    runs(gpu, "workgroup", 4096).await?;
    runs(gpu, "workgroup_override", 4096).await?;
    runs(gpu, "private", (MAX_PRIVATE_MEMORY_BYTES / 4) as usize).await?;
    runs(gpu, "function", (MAX_PRIVATE_MEMORY_BYTES / 4) as usize).await?;
    runs(gpu, "wgsize", 256).await?;
    host_still_works(gpu).await
}

async fn probe(kind: &str, n: usize) -> Result<(), String> {
    let gpu = guest_harness::gpu().await.at("device")?;
    let (source, constants) = programs::program(kind, n).ok_or_else(|| format!("kinds: {:?}", programs::KINDS))?;
    match run_program(&gpu.device, &gpu.queue, &source, &constants).await {
        Ok(value) => println!("probe {kind} {n}: ok out[0] = {value} (expected {})", programs::expected(kind, n)),
        Err(e) => println!("probe {kind} {n}: error {e}"),
    }
    Ok(())
}

async fn fuzz(path: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let gpu = guest_harness::gpu().await.at("device")?;
    let device = &gpu.device;
    for (i, source) in text.split("\n%%\n").enumerate() {
        let outcome = match device
            .create_shader_module(ShaderModuleDescriptor { label: None, source: ShaderSource::Wgsl(source.into()) })
            .await
        {
            Ok(module) => device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.map(|_| ()),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => println!("fuzz {i} ok"),
            Err(Error::ShaderRefused(r)) => println!("fuzz {i} refused {}", r.limit),
            Err(e) => println!("fuzz {i} error {}", format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default()),
        }
    }
    host_still_works(&gpu).await?;
    println!("fuzz: host still works");
    Ok(())
}

/// Times the shader guard (`wasi_webgpu::shader_guard::check`) on the
/// largest WGSL files of the repository, in the guest.
fn cost() {
    let files = [
        ("sdk/ops/src/wgsl/matmul.wgsl", include_str!("../../../../sdk/ops/src/wgsl/matmul.wgsl")),
        ("sdk/ops/src/wgsl/rows.wgsl", include_str!("../../../../sdk/ops/src/wgsl/rows.wgsl")),
        ("examples/nbody/src/nbody.wgsl", include_str!("../../../../examples/nbody/src/nbody.wgsl")),
    ];
    let limits = wasi_webgpu::Limits::default();
    for (name, source) in files {
        let runs = 200;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            if let Err(e) = wasi_webgpu::shader_guard::check(source, &limits) {
                println!("cost {name}: refused: {e}");
            }
        }
        println!("cost {name} ({} bytes): {:?} per check", source.len(), start.elapsed() / runs);
    }
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("probe") => {
            let n = args.get(2).and_then(|n| n.parse().ok()).ok_or("usage: probe <kind> <n>")?;
            probe(&args[1], n).await
        }
        Some("cost") => {
            cost();
            Ok(())
        }
        Some("fuzz") => fuzz(args.get(1).ok_or("usage: fuzz <file>")?).await,
        _ => guest_harness::run_checks("hostile", CHECKS, &args).await,
    }
}
