// Prefix sums of an f32 array, work-efficient and multi-pass
// (reduce-then-scan): the array is cut into blocks of BLOCK_ITEMS elements;
// `reduce_blocks` sums each block; the block sums are scanned (exclusively,
// recursively by the same kernels when there are more than one block's
// worth); `scan_blocks` then scans each block starting from its block's
// offset. Inside a block each invocation scans ITEMS consecutive elements
// serially, and the workgroup scans the 256 per-invocation totals with a
// Blelloch up-sweep / down-sweep in workgroup memory: O(n) additions in all.

const THREADS: u32 = 256u;
// 32 elements per invocation: each block's reduction and scan cost about 25
// workgroup barriers, which on lavapipe (a coroutine switch per 8
// invocations each) cost more than the loads of small blocks.
const ITEMS: u32 = 32u;
const BLOCK_ITEMS: u32 = 8192u;

struct ScanParams {
    len: u32,
    // 1 for an exclusive scan (output[i] sums input[..i]), 0 for inclusive.
    exclusive: u32,
}

@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> offsets: array<f32>;

var<workgroup> totals: array<f32, THREADS>;

fn block_index(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return wid.y * groups.x + wid.x;
}

// Exclusive Blelloch scan of `totals`; returns the sum of all of them.
fn scan_totals(local: u32) -> f32 {
    for (var d = 1u; d < THREADS; d *= 2u) {
        workgroupBarrier();
        let i = (local + 1u) * d * 2u - 1u;
        if i < THREADS {
            totals[i] += totals[i - d];
        }
    }
    workgroupBarrier();
    let sum = totals[THREADS - 1u];
    workgroupBarrier();
    if local == 0u {
        totals[THREADS - 1u] = 0.0;
    }
    for (var d = THREADS / 2u; d > 0u; d /= 2u) {
        workgroupBarrier();
        let i = (local + 1u) * d * 2u - 1u;
        if i < THREADS {
            let left = totals[i - d];
            totals[i - d] = totals[i];
            totals[i] += left;
        }
    }
    workgroupBarrier();
    return sum;
}

// output[block] = the sum of the block's elements.
@compute @workgroup_size(THREADS)
fn reduce_blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let block = block_index(wid, groups);
    let start = block * BLOCK_ITEMS + local * ITEMS;
    let end = min(start + ITEMS, params.len);
    var sum = 0.0;
    for (var i = start; i < end; i++) {
        sum += input[i];
    }
    totals[local] = sum;
    workgroupBarrier();
    for (var stride = THREADS / 2u; stride > 0u; stride /= 2u) {
        if local < stride {
            totals[local] += totals[local + stride];
        }
        workgroupBarrier();
    }
    if local == 0u && block * BLOCK_ITEMS < params.len {
        output[block] = totals[0];
    }
}

fn scan_block(block: u32, local: u32, offset: f32) {
    let start = block * BLOCK_ITEMS + local * ITEMS;
    let end = min(start + ITEMS, params.len);
    var sum = 0.0;
    for (var i = start; i < end; i++) {
        sum += input[i];
    }
    totals[local] = sum;
    scan_totals(local);
    // The invocation's elements again (from cache), now with its offset.
    var running = offset + totals[local];
    for (var i = start; i < end; i++) {
        let before = running;
        running += input[i];
        output[i] = select(running, before, params.exclusive != 0u);
    }
}

// Scans each block, starting from offsets[block], the exclusive scan of
// the block sums.
@compute @workgroup_size(THREADS)
fn scan_blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let block = block_index(wid, groups);
    var offset = 0.0;
    if block * BLOCK_ITEMS < params.len {
        offset = offsets[block];
    }
    scan_block(block, local, offset);
}

// Scans an array of at most one block, from zero.
@compute @workgroup_size(THREADS)
fn scan_single(@builtin(local_invocation_index) local: u32) {
    scan_block(0u, local, 0.0);
}
