// Transposes a rows x cols matrix of u32 through a 16 x 16 workgroup tile, so
// both the reads and the writes to storage are along rows. The tile has one
// extra column, the usual guard against bank conflicts.

const TILE: u32 = 16u;

struct Shape {
    rows: u32,
    cols: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

var<workgroup> tile: array<array<u32, 17>, TILE>;

@compute @workgroup_size(TILE, TILE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    // Read: this workgroup covers src rows wid.y * TILE.., columns wid.x * TILE...
    let r = wid.y * TILE + lid.y;
    let c = wid.x * TILE + lid.x;
    if r < shape.rows && c < shape.cols {
        tile[lid.y][lid.x] = src[r * shape.cols + c];
    }
    workgroupBarrier();

    // Write: dst is cols x rows; the same block lands at dst rows wid.x * TILE..
    let dr = wid.x * TILE + lid.y;
    let dc = wid.y * TILE + lid.x;
    if dr < shape.cols && dc < shape.rows {
        dst[dr * shape.rows + dc] = tile[lid.x][lid.y];
    }
}
