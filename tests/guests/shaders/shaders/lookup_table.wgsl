// A substitution table in a uniform buffer: a fixed-size array<vec4<u32>, 4>
// (16 entries, 16-byte stride as uniform arrays require) plus a salt. Each
// 4-bit nibble of the input word is replaced through the table.

struct Table {
    entries: array<vec4<u32>, 4>,
    salt: u32,
}

@group(0) @binding(0) var<uniform> table: Table;
@group(0) @binding(1) var<storage, read> words: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

fn substitute(nibble: u32) -> u32 {
    return table.entries[nibble / 4u][nibble % 4u] & 0xfu;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&words) {
        return;
    }
    let w = words[i] ^ table.salt;
    var result = 0u;
    for (var k = 0u; k < 8u; k = k + 1u) {
        result = result | (substitute((w >> (4u * k)) & 0xfu) << (4u * k));
    }
    out[i] = result;
}
