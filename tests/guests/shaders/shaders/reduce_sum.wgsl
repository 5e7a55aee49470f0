// Sum reduction: each workgroup of 256 invocations loads one element per
// invocation into workgroup memory and halves the active range each step, with
// a barrier between steps. Invocation 0 writes the workgroup's partial sum.

const WG: u32 = 256u;

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> partial_sums: array<u32>;

var<workgroup> scratch: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
) {
    var value = 0u;
    if gid.x < arrayLength(&input) {
        value = input[gid.x];
    }
    scratch[lid] = value;
    workgroupBarrier();

    for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
        if lid < stride {
            scratch[lid] = scratch[lid] + scratch[lid + stride];
        }
        workgroupBarrier();
    }

    if lid == 0u {
        partial_sums[wid.x] = scratch[0];
    }
}
