// Shared by the typed-binding and generated-struct cases in `fail/`, each of which pulls it in with
// `include!("../common/typed.rs");` and defines `fn case(...)`: the one line that must not compile.
//
// The `scale` kernel: `scale::Params` is `{ scale: u32, count: u32 }`, and `scale::Bindings` is
// `{ params: Uniform<Params>, input: Storage<u32>, output: StorageMut<u32> }` (`var<uniform>`,
// `var<storage, read>`, `var<storage, read_write>`).
#[wasi_webgpu::shader(wgsl = r#"
struct Params {
    scale: u32,
    count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.count {
        output[id.x] = input[id.x] * params.scale;
    }
}
"#)]
mod scale {}

// Not every case binds buffers.
#[allow(unused_imports)]
use wasi_webgpu::Buffer;

fn main() {
    let _ = case;
}
