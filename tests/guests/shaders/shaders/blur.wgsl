// 3 x 3 Gaussian blur (weights 1 2 1 / 2 4 2 / 1 2 1, over 16) of a
// width x height f32 image, clamping reads at the edges. One invocation per
// pixel, in 8 x 8 workgroups over a 2D dispatch.

struct Image {
    width: u32,
    height: u32,
}

@group(0) @binding(0) var<uniform> image: Image;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn texel(x: i32, y: i32) -> f32 {
    let cx = clamp(x, 0, i32(image.width) - 1);
    let cy = clamp(y, 0, i32(image.height) - 1);
    return src[u32(cy) * image.width + u32(cx)];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    if gid.x >= image.width || gid.y >= image.height {
        return;
    }
    let x = i32(gid.x);
    let y = i32(gid.y);
    var sum = 0.0;
    for (var dy = -1; dy <= 1; dy = dy + 1) {
        for (var dx = -1; dx <= 1; dx = dx + 1) {
            let weight = f32((2 - abs(dx)) * (2 - abs(dy)));
            sum = sum + weight * texel(x + dx, y + dy);
        }
    }
    dst[gid.y * image.width + gid.x] = sum / 16.0;
}
