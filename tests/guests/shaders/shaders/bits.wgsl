// Integer bit manipulation on u32 words: population count, bit reversal,
// leading and trailing bit positions, field extraction and insertion, shifts
// and a rotate built from them.

struct Bits {
    ones: u32,
    reversed: u32,
    leading: u32,
    trailing: u32,
    field: u32,
    inserted: u32,
    rotated: u32,
    mixed: u32,
}

@group(0) @binding(0) var<storage, read> words: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<Bits>;

fn rotate_left(x: u32, by: u32) -> u32 {
    let r = by & 31u;
    if r == 0u {
        return x;
    }
    return (x << r) | (x >> (32u - r));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&words) {
        return;
    }
    let w = words[i];
    var r: Bits;
    r.ones = countOneBits(w);
    r.reversed = reverseBits(w);
    r.leading = firstLeadingBit(w);   // 0xffffffff for 0
    r.trailing = firstTrailingBit(w); // 0xffffffff for 0
    r.field = extractBits(w, 5u, 11u);
    r.inserted = insertBits(w, i, 20u, 8u);
    r.rotated = rotate_left(w, i);
    r.mixed = (w ^ (w >> 7u)) & ~(w << 3u);
    out[i] = r;
}
