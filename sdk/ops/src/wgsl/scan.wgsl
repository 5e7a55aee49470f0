// Prefix sums of an f32 array, work-efficient and multi-pass
// (reduce-then-scan): the array is cut into blocks of BLOCK_ITEMS elements;
// `reduce_blocks` sums each block; the block sums are scanned (exclusively,
// recursively by the same kernels when there are more than one block's
// worth); `scan_blocks` then scans each block starting from its block's
// offset. The input is read twice and the output written once: 3 bytes
// moved per byte of input, the least a scan that cannot rely on the
// forward progress a single-pass decoupled look-back needs (WebGPU does not
// promise it, and lavapipe runs workgroups one after another) can do.
//
// Every global load and store is coalesced: consecutive invocations touch
// consecutive elements. `scan_blocks` walks its block in tiles of TILE
// elements: it loads a tile into workgroup memory, each invocation scans
// ITEMS consecutive elements of it serially, the workgroup scans the 256
// per-invocation totals (raked by 16 invocations of 16, so 4 barriers
// rather than a Blelloch tree's 16), and the tile goes back out with the
// running offset of the tiles before it. O(n) additions in all.

const THREADS: u32 = 256u;
// Elements each invocation scans serially per tile.
const ITEMS: u32 = 8u;
const TILE: u32 = 2048u;
const TILES: u32 = 4u;
// 8192 elements a block: a 256 MiB input has 8192 blocks, whose sums one
// block-sized scan handles.
const BLOCK_ITEMS: u32 = 8192u;
// Raking of the 256 totals: RAKE invocations scan RAKE totals each.
const RAKE: u32 = 16u;

struct ScanParams {
    len: u32,
    // 1 for an exclusive scan (output[i] sums input[..i]), 0 for inclusive.
    exclusive: u32,
}

@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> offsets: array<f32>;

// One padding word after every 32, so that both the coalesced accesses
// (invocation i at k * 256 + i) and the serial ones (invocation i at
// i * ITEMS + j) hit 32 different banks.
var<workgroup> tile: array<f32, 2112>;
var<workgroup> totals: array<f32, THREADS>;
var<workgroup> rakes: array<f32, 17>;

fn padded(i: u32) -> u32 {
    return i + i / 32u;
}

fn block_index(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return wid.y * groups.x + wid.x;
}

// Turns `totals` (written by every invocation before the call) into its
// exclusive scan and returns the sum of all of them. Every invocation of the
// workgroup calls it.
fn scan_totals(local: u32) -> f32 {
    workgroupBarrier();
    if local < RAKE {
        var sum = 0.0;
        for (var j = 0u; j < RAKE; j++) {
            let v = totals[local * RAKE + j];
            totals[local * RAKE + j] = sum;
            sum += v;
        }
        rakes[local] = sum;
    }
    workgroupBarrier();
    if local == 0u {
        var sum = 0.0;
        for (var j = 0u; j < RAKE; j++) {
            let v = rakes[j];
            rakes[j] = sum;
            sum += v;
        }
        rakes[RAKE] = sum;
    }
    workgroupBarrier();
    totals[local] += rakes[local / RAKE];
    let total = rakes[RAKE];
    workgroupBarrier();
    return total;
}

// output[block] = the sum of the block's elements: the loads of
// `reduce_rows` in reduce.wgsl, 8 in flight per invocation, then a tree.
@compute @workgroup_size(THREADS)
fn reduce_blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let block = block_index(wid, groups);
    let start = block * BLOCK_ITEMS;
    let end = min(start + BLOCK_ITEMS, params.len);
    var sum = 0.0;
    var i = start + local;
    for (; i < end && end - i > 7u * THREADS; i += 8u * THREADS) {
        let v0 = input[i];
        let v1 = input[i + THREADS];
        let v2 = input[i + 2u * THREADS];
        let v3 = input[i + 3u * THREADS];
        let v4 = input[i + 4u * THREADS];
        let v5 = input[i + 5u * THREADS];
        let v6 = input[i + 6u * THREADS];
        let v7 = input[i + 7u * THREADS];
        sum += ((v0 + v1) + (v2 + v3)) + ((v4 + v5) + (v6 + v7));
    }
    for (; i < end; i += THREADS) {
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
    if local == 0u && start < params.len {
        output[block] = totals[0];
    }
}

// Scans the block from `offset`, tile by tile.
fn scan_block(block: u32, local: u32, offset: f32) {
    var carry = offset;
    for (var t = 0u; t < TILES; t++) {
        let base = block * BLOCK_ITEMS + t * TILE;
        for (var k = 0u; k < ITEMS; k++) {
            let i = base + k * THREADS + local;
            var v = 0.0;
            if i < params.len {
                v = input[i];
            }
            tile[padded(k * THREADS + local)] = v;
        }
        workgroupBarrier();
        var sum = 0.0;
        for (var j = 0u; j < ITEMS; j++) {
            sum += tile[padded(local * ITEMS + j)];
        }
        totals[local] = sum;
        let tile_sum = scan_totals(local);
        var running = carry + totals[local];
        for (var j = 0u; j < ITEMS; j++) {
            let at = padded(local * ITEMS + j);
            let before = running;
            running += tile[at];
            tile[at] = select(running, before, params.exclusive != 0u);
        }
        workgroupBarrier();
        for (var k = 0u; k < ITEMS; k++) {
            let i = base + k * THREADS + local;
            if i < params.len {
                output[i] = tile[padded(k * THREADS + local)];
            }
        }
        carry += tile_sum;
        // The next tile's loads overwrite `tile`.
        workgroupBarrier();
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
