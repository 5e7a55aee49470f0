// Global minimum and maximum of i32 and u32 data with atomicMin / atomicMax.
// Each workgroup first reduces in workgroup memory, then one invocation per
// workgroup updates the global result, which the host initialises to the
// identities (i32 max / i32 min, u32 max / 0).

struct Extremes {
    min_signed: atomic<i32>,
    max_signed: atomic<i32>,
    min_unsigned: atomic<u32>,
    max_unsigned: atomic<u32>,
}

@group(0) @binding(0) var<storage, read> signed_values: array<i32>;
@group(0) @binding(1) var<storage, read> unsigned_values: array<u32>;
@group(0) @binding(2) var<storage, read_write> extremes: Extremes;

var<workgroup> wg_min: atomic<i32>;
var<workgroup> wg_max: atomic<i32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    if lid == 0u {
        atomicStore(&wg_min, 2147483647);
        atomicStore(&wg_max, -2147483647 - 1);
    }
    workgroupBarrier();

    let i = gid.x;
    if i < arrayLength(&signed_values) {
        atomicMin(&wg_min, signed_values[i]);
        atomicMax(&wg_max, signed_values[i]);
    }
    if i < arrayLength(&unsigned_values) {
        atomicMin(&extremes.min_unsigned, unsigned_values[i]);
        atomicMax(&extremes.max_unsigned, unsigned_values[i]);
    }
    workgroupBarrier();

    if lid == 0u {
        atomicMin(&extremes.min_signed, atomicLoad(&wg_min));
        atomicMax(&extremes.max_signed, atomicLoad(&wg_max));
    }
}
