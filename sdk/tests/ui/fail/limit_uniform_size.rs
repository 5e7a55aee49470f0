// A 65552-byte uniform buffer, over maxUniformBufferBindingSize = 65536 (64 KiB).
#[wasi_webgpu::shader(wgsl = r#"
struct Table {
    rows: array<vec4<f32>, 4096>,
    scale: f32,
}

@group(0) @binding(0) var<uniform> table: Table;
@group(0) @binding(1) var<storage, read_write> data: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = table.rows[id.x % 4096u] * table.scale;
}
"#)]
mod big_uniform {}

fn main() {}
