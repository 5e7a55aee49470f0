// A WGSL syntax error in inline source: line 6 of the string lacks its `;`, so naga stops at line 7.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let x = data[id.x] * 2u
    data[id.x] = x;
}
"#)]
mod doubler {}

fn main() {}
