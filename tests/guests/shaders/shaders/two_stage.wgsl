// Two kernels over shared globals, run one after the other in one pass:
// `normalize_rows` scales each row of a matrix to unit L1 norm in place, then
// `column_sums` sums each column of the result. Each entry point uses only
// some of the globals, so each has its own bind group layout.

struct Shape {
    rows: u32,
    cols: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read_write> matrix: array<f32>;
@group(0) @binding(2) var<storage, read_write> row_norms: array<f32>;
@group(0) @binding(3) var<storage, read_write> col_sums: array<f32>;

@compute @workgroup_size(64)
fn normalize_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
    let row = gid.x;
    if row >= shape.rows {
        return;
    }
    var norm = 0.0;
    for (var c = 0u; c < shape.cols; c = c + 1u) {
        norm = norm + abs(matrix[row * shape.cols + c]);
    }
    row_norms[row] = norm;
    if norm > 0.0 {
        for (var c = 0u; c < shape.cols; c = c + 1u) {
            matrix[row * shape.cols + c] = matrix[row * shape.cols + c] / norm;
        }
    }
}

@compute @workgroup_size(32)
fn column_sums(@builtin(global_invocation_id) gid: vec3<u32>) {
    let col = gid.x;
    if col >= shape.cols {
        return;
    }
    var sum = 0.0;
    for (var r = 0u; r < shape.rows; r = r + 1u) {
        sum = sum + matrix[r * shape.cols + col];
    }
    col_sums[col] = sum;
}
