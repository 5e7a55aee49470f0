// Histogram of byte-sized values into 16 bins. Each workgroup counts into a
// private histogram in workgroup memory, then adds its counts to the global
// bins: two levels of atomicAdd with barriers between the phases.

const BINS: u32 = 16u;

@group(0) @binding(0) var<storage, read> values: array<u32>;
@group(0) @binding(1) var<storage, read_write> bins: array<atomic<u32>, BINS>;

var<workgroup> local_bins: array<atomic<u32>, BINS>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    if lid < BINS {
        atomicStore(&local_bins[lid], 0u);
    }
    workgroupBarrier();

    if gid.x < arrayLength(&values) {
        // The top four bits of the low byte pick the bin.
        let bin = (values[gid.x] & 0xffu) >> 4u;
        atomicAdd(&local_bins[bin], 1u);
    }
    workgroupBarrier();

    if lid < BINS {
        let count = atomicLoad(&local_bins[lid]);
        if count != 0u {
            atomicAdd(&bins[lid], count);
        }
    }
}
