// Each workgroup reverses a block of 2 * BLOCK values through workgroup
// memory whose size is an override expression: naga makes an unnamed
// override for `BLOCK * 2u`, which the generated Overrides must leave out
// while BLOCK stays settable.

override BLOCK: u32 = 64;

var<workgroup> tile: array<u32, BLOCK * 2u>;

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(BLOCK)
fn main(@builtin(local_invocation_index) i: u32, @builtin(workgroup_id) group: vec3<u32>) {
    let base = group.x * BLOCK * 2u;
    tile[i] = input[base + i];
    tile[i + BLOCK] = input[base + i + BLOCK];
    workgroupBarrier();
    output[base + i] = tile[2u * BLOCK - 1u - i];
    output[base + i + BLOCK] = tile[BLOCK - 1u - i];
}
