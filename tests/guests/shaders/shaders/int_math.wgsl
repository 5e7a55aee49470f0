// Signed 32-bit arithmetic with negative operands, as WGSL defines it:
// division truncates toward zero, % takes the dividend's sign, x / 0 is x,
// x % 0 is 0, i32 minimum / -1 is the minimum, overflow wraps, >> on i32 is
// arithmetic.

struct Pair {
    x: i32,
    y: i32,
}

struct IntResults {
    quotient: i32,
    remainder: i32,
    product: i32,
    difference: i32,
    shifted: i32,
    magnitude: i32,
    sign_x: i32,
    clamped: i32,
}

@group(0) @binding(0) var<storage, read> pairs: array<Pair>;
@group(0) @binding(1) var<storage, read_write> out: array<IntResults>;

@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&pairs) {
        return;
    }
    let x = pairs[i].x;
    let y = pairs[i].y;
    var r: IntResults;
    r.quotient = x / y;
    r.remainder = x % y;
    r.product = x * y;
    r.difference = x - y;
    r.shifted = x >> (u32(y) & 31u);
    r.magnitude = abs(x);
    r.sign_x = sign(x);
    r.clamped = clamp(x, -1000, 1000 + (y & 255));
    out[i] = r;
}
