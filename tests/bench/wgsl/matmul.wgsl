// GPU-bound workload: C = A * B for square row-major f32 matrices of size
// `dims.n`, a multiple of 128. Each 16x16 workgroup computes a 128x128 tile of
// C; each invocation an 8x8 block of it (rows 8 * lid.y.., column quads lid.x
// and lid.x + 16) in sixteen vec4 accumulators: named variables rather than a
// dynamically indexed private array, which some drivers spill to memory. A and
// B pass through workgroup memory 8 columns/rows at a time (2 x 4 KiB), A
// transposed, so that each step reads two vec4 of A and two of B for 16 vec4
// FMAs.
struct Dims {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> dims: Dims;

const TILE: u32 = 128u;
const BK: u32 = 8u;
// vec4s per tile row.
const Q: u32 = 32u;

// [k][row / 4] and [k][col / 4]: BK x TILE each.
var<workgroup> a_tile: array<vec4<f32>, 256>;
var<workgroup> b_tile: array<vec4<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let n4 = dims.n / 4u;
    let row0 = wg.y * TILE;
    let col4 = wg.x * Q;
    var acc00 = vec4<f32>();
    var acc01 = vec4<f32>();
    var acc10 = vec4<f32>();
    var acc11 = vec4<f32>();
    var acc20 = vec4<f32>();
    var acc21 = vec4<f32>();
    var acc30 = vec4<f32>();
    var acc31 = vec4<f32>();
    var acc40 = vec4<f32>();
    var acc41 = vec4<f32>();
    var acc50 = vec4<f32>();
    var acc51 = vec4<f32>();
    var acc60 = vec4<f32>();
    var acc61 = vec4<f32>();
    var acc70 = vec4<f32>();
    var acc71 = vec4<f32>();
    // Each invocation loads one vec4 of A (row li / 2, k quad li % 2) and one
    // of B (k row li / 32, column quad li % 32).
    let ar = li / 2u;
    let aq = li % 2u;
    let bk = li / Q;
    let bq = li % Q;
    for (var k0 = 0u; k0 < dims.n; k0 += BK) {
        let av = a[(row0 + ar) * n4 + k0 / 4u + aq];
        let at = aq * 4u * Q + ar / 4u;
        a_tile[at][ar % 4u] = av.x;
        a_tile[at + Q][ar % 4u] = av.y;
        a_tile[at + 2u * Q][ar % 4u] = av.z;
        a_tile[at + 3u * Q][ar % 4u] = av.w;
        b_tile[li] = b[(k0 + bk) * n4 + col4 + bq];
        workgroupBarrier();
        for (var k = 0u; k < BK; k++) {
            let a0 = a_tile[k * Q + lid.y * 2u];
            let a1 = a_tile[k * Q + lid.y * 2u + 1u];
            let b0 = b_tile[k * Q + lid.x];
            let b1 = b_tile[k * Q + lid.x + 16u];
            acc00 = fma(vec4(a0.x), b0, acc00);
            acc01 = fma(vec4(a0.x), b1, acc01);
            acc10 = fma(vec4(a0.y), b0, acc10);
            acc11 = fma(vec4(a0.y), b1, acc11);
            acc20 = fma(vec4(a0.z), b0, acc20);
            acc21 = fma(vec4(a0.z), b1, acc21);
            acc30 = fma(vec4(a0.w), b0, acc30);
            acc31 = fma(vec4(a0.w), b1, acc31);
            acc40 = fma(vec4(a1.x), b0, acc40);
            acc41 = fma(vec4(a1.x), b1, acc41);
            acc50 = fma(vec4(a1.y), b0, acc50);
            acc51 = fma(vec4(a1.y), b1, acc51);
            acc60 = fma(vec4(a1.z), b0, acc60);
            acc61 = fma(vec4(a1.z), b1, acc61);
            acc70 = fma(vec4(a1.w), b0, acc70);
            acc71 = fma(vec4(a1.w), b1, acc71);
        }
        workgroupBarrier();
    }
    let out = (row0 + lid.y * 8u) * n4 + col4 + lid.x;
    c[out + 0u * n4] = acc00;
    c[out + 0u * n4 + 16u] = acc01;
    c[out + 1u * n4] = acc10;
    c[out + 1u * n4 + 16u] = acc11;
    c[out + 2u * n4] = acc20;
    c[out + 2u * n4 + 16u] = acc21;
    c[out + 3u * n4] = acc30;
    c[out + 3u * n4 + 16u] = acc31;
    c[out + 4u * n4] = acc40;
    c[out + 4u * n4 + 16u] = acc41;
    c[out + 5u * n4] = acc50;
    c[out + 5u * n4 + 16u] = acc51;
    c[out + 6u * n4] = acc60;
    c[out + 6u * n4 + 16u] = acc61;
    c[out + 7u * n4] = acc70;
    c[out + 7u * n4 + 16u] = acc71;
}
