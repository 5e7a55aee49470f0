// Inclusive prefix sum (Hillis-Steele) of each block of 128 elements, in
// workgroup memory with two ping-pong buffers. Also writes each block's total,
// the input to a second level that would make the scan global.

const BLOCK: u32 = 128u;

@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@group(0) @binding(2) var<storage, read_write> block_totals: array<u32>;

var<workgroup> ping: array<u32, BLOCK>;
var<workgroup> pong: array<u32, BLOCK>;

@compute @workgroup_size(BLOCK)
fn main(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) wid: vec3<u32>,
) {
    let n = arrayLength(&input);
    var value = 0u;
    if gid.x < n {
        value = input[gid.x];
    }
    ping[lid] = value;
    workgroupBarrier();

    // After the step with offset d, each slot holds the sum of up to 2d
    // elements ending at it. The source alternates between ping and pong.
    var from_ping = true;
    for (var offset = 1u; offset < BLOCK; offset = offset * 2u) {
        if from_ping {
            var sum = ping[lid];
            if lid >= offset {
                sum = sum + ping[lid - offset];
            }
            pong[lid] = sum;
        } else {
            var sum = pong[lid];
            if lid >= offset {
                sum = sum + pong[lid - offset];
            }
            ping[lid] = sum;
        }
        from_ping = !from_ping;
        workgroupBarrier();
    }

    var scanned: u32;
    if from_ping {
        scanned = ping[lid];
    } else {
        scanned = pong[lid];
    }
    if gid.x < n {
        output[gid.x] = scanned;
    }
    if lid == BLOCK - 1u {
        block_totals[wid.x] = scanned;
    }
}
