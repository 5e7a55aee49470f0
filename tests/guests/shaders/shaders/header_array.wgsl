// Structs with a fixed header before a runtime-sized array: `Data` puts
// `items` at byte 32 (the vec3<u32> aligns to 16 and ends at 28, the
// array aligns to 16), `Out` puts `values` at byte 8. Only the first
// `count` items are processed, and `processed` counts them.

struct Data {
    count: u32,
    pad: vec3<u32>,
    items: array<vec4<f32>>,
}

struct Out {
    processed: atomic<u32>,
    scale: f32,
    values: array<vec2<f32>>,
}

@group(0) @binding(0) var<storage, read> data: Data;
@group(0) @binding(1) var<storage, read_write> out: Out;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= data.count || i >= arrayLength(&out.values) {
        return;
    }
    let v = data.items[i] + vec4<f32>(vec3<f32>(data.pad), 0.0);
    out.values[i] = vec2<f32>(v.x + v.y, v.z * v.w) * out.scale;
    atomicAdd(&out.processed, 1u);
}
