// `atomic<f32>` needs a capability WebGPU does not have; naga gives the error no position, so the
// error points at the declaration that uses the type.
#[wasi_webgpu::shader(wgsl = r#"
struct Acc {
    count: atomic<u32>,
    total: atomic<f32>,
}
@group(0) @binding(0) var<storage, read_write> acc: Acc;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    atomicAdd(&acc.count, 1u);
}
"#)]
mod atomics {}

fn main() {}
