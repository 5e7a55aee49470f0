// `f64` is a naga extension that WebGPU does not have.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let wide: f64 = 0.1lf;
    data[id.x] = f32(wide);
}
"#)]
mod double {}

fn main() {}
