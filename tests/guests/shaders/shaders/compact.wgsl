// Stream compaction: every invocation whose value passes the predicate
// reserves a slot with the value atomicAdd returns and writes its value and
// index there. The output order depends on scheduling; the set does not.

struct Kept {
    value: u32,
    index: u32,
}

@group(0) @binding(0) var<storage, read> values: array<u32>;
@group(0) @binding(1) var<storage, read_write> count: atomic<u32>;
@group(0) @binding(2) var<storage, read_write> kept: array<Kept>;

fn keep(v: u32) -> bool {
    // Multiples of 3 that are not multiples of 5.
    return v % 3u == 0u && v % 5u != 0u;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&values) {
        return;
    }
    let v = values[i];
    if keep(v) {
        let slot = atomicAdd(&count, 1u);
        kept[slot] = Kept(v, i);
    }
}
