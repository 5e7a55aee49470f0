// Several entry points: one pipeline type, bindings type and workgroup-size constant each, and no
// module-level `pipeline`/`Bindings`; an override-sized workgroup has no constant but resolves at
// run time.
#[wasi_webgpu::shader(wgsl = r#"
override block: u32 = 32u;

struct Stats {
    sum: atomic<u32>,
    max: atomic<u32>,
}

@group(0) @binding(0) var<storage, read> values: array<u32>;
@group(0) @binding(1) var<storage, read_write> stats: Stats;
@group(0) @binding(2) var<storage, read_write> scratch: array<u32>;

var<workgroup> partial: array<u32, 64>;

@compute @workgroup_size(block)
fn reduce_sum(@builtin(global_invocation_id) id: vec3<u32>, @builtin(local_invocation_index) i: u32) {
    partial[i] = values[id.x];
    workgroupBarrier();
    if i == 0u {
        var total = 0u;
        for (var k = 0u; k < block; k++) {
            total += partial[k];
        }
        atomicAdd(&stats.sum, total);
    }
}

@compute @workgroup_size(8, 8)
fn find_max(@builtin(global_invocation_id) id: vec3<u32>) {
    atomicMax(&stats.max, values[id.x + 8u * id.y]);
}

@compute @workgroup_size(1)
fn clear_scratch(@builtin(global_invocation_id) id: vec3<u32>) {
    scratch[id.x] = 0u;
}
"#)]
mod stats {}

async fn run(
    device: &wasi_webgpu::Device,
    pass: &mut wasi_webgpu::ComputePass<'_>,
    values: &wasi_webgpu::Buffer<u32>,
    out: &wasi_webgpu::Buffer<stats::Stats>,
    scratch: &wasi_webgpu::Buffer<u32>,
) -> wasi_webgpu::Result<()> {
    let overrides = stats::Overrides { block: Some(64) };
    let sum = stats::ReduceSum::pipeline(device, &overrides).await?;
    let max = stats::FindMax::pipeline(device, &overrides).await?;
    let clear = stats::ClearScratch::pipeline(device, &overrides).await?;
    let _: [u32; 3] = sum.workgroup_size();
    sum.dispatch(
        pass,
        &stats::ReduceSumBindings { values: values.as_storage(), stats: out.as_storage_mut() },
        wasi_webgpu::Threads::x(values.len() as u32),)?;
    max.dispatch(pass, &stats::FindMaxBindings { values: values.as_storage(), stats: out.as_storage_mut() }, wasi_webgpu::Threads::xy(8, 8))?;
    clear.dispatch(pass, &stats::ClearScratchBindings { scratch: scratch.as_storage_mut() }, wasi_webgpu::Threads::x(scratch.len() as u32))
}

fn main() {
    let _ = run;
    assert_eq!(stats::FIND_MAX_WORKGROUP_SIZE, [8, 8, 1]);
    assert_eq!(stats::CLEAR_SCRATCH_WORKGROUP_SIZE, [1, 1, 1]);
    // atomic<u32> maps to u32.
    let s = stats::Stats { sum: 1, max: 2 };
    assert_eq!(std::mem::size_of_val(&s), 8);
}
