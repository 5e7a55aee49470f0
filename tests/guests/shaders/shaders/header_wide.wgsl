// A header more aligned than its elements: `items` starts at byte 16 with a
// stride of 4, but the struct aligns to 16, so WebGPU's minimum binding size
// (the struct with one element, rounded up to its alignment) is 32 bytes,
// four elements' worth.

struct Wide {
    v: vec4<f32>,
    items: array<u32>,
}

@group(0) @binding(0) var<storage, read_write> wide: Wide;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let n = arrayLength(&wide.items);
    if gid.x < n {
        wide.items[gid.x] = n * 1000u + u32(wide.v.x) + gid.x;
    }
}
