// C = A * B for row-major A (m x k), B (k x n), C (m x n), in 16 x 16 tiles:
// each workgroup stages one tile of A and one of B in workgroup memory per
// step along k, so every element is read from storage once per tile.
// Dimensions need not be multiples of the tile; the edges load zeros.

const TILE: u32 = 16u;

struct Dims {
    m: u32,
    n: u32,
    k: u32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> tile_a: array<array<f32, TILE>, TILE>;
var<workgroup> tile_b: array<array<f32, TILE>, TILE>;

@compute @workgroup_size(TILE, TILE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = gid.y;
    let col = gid.x;
    var acc = 0.0;
    let steps = (dims.k + TILE - 1u) / TILE;
    for (var t = 0u; t < steps; t = t + 1u) {
        let a_col = t * TILE + lid.x;
        let b_row = t * TILE + lid.y;
        var a_value = 0.0;
        if row < dims.m && a_col < dims.k {
            a_value = a[row * dims.k + a_col];
        }
        var b_value = 0.0;
        if b_row < dims.k && col < dims.n {
            b_value = b[b_row * dims.n + col];
        }
        tile_a[lid.y][lid.x] = a_value;
        tile_b[lid.y][lid.x] = b_value;
        workgroupBarrier();

        for (var i = 0u; i < TILE; i = i + 1u) {
            acc = acc + tile_a[lid.y][i] * tile_b[i][lid.x];
        }
        workgroupBarrier();
    }
    if row < dims.m && col < dims.n {
        c[row * dims.n + col] = acc;
    }
}
