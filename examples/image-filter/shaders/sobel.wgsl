// Sobel edge filter: the gradient magnitude of the luma (BT.601 weights),
// clamped to 1, as an opaque gray image. Texels beyond the edge repeat the
// edge texel.

@group(0) @binding(0) var source: texture_2d<f32>;
@group(0) @binding(1) var edges: texture_storage_2d<rgba8unorm, write>;

fn luma(p: vec2i, size: vec2i) -> f32 {
    let c = textureLoad(source, clamp(p, vec2i(0), size - 1), 0);
    return c.r * 0.299 + c.g * 0.587 + c.b * 0.114;
}

@compute @workgroup_size(8, 8)
fn sobel(@builtin(global_invocation_id) id: vec3u) {
    let size = vec2i(textureDimensions(source));
    let p = vec2i(id.xy);
    if any(p >= size) { return; }
    let tl = luma(p + vec2i(-1, -1), size);
    let t = luma(p + vec2i(0, -1), size);
    let tr = luma(p + vec2i(1, -1), size);
    let l = luma(p + vec2i(-1, 0), size);
    let r = luma(p + vec2i(1, 0), size);
    let bl = luma(p + vec2i(-1, 1), size);
    let b = luma(p + vec2i(0, 1), size);
    let br = luma(p + vec2i(1, 1), size);
    let gx = (tr + 2.0 * r + br) - (tl + 2.0 * l + bl);
    let gy = (bl + 2.0 * b + br) - (tl + 2.0 * t + tr);
    let m = min(sqrt(gx * gx + gy * gy), 1.0);
    textureStore(edges, id.xy, vec4f(m, m, m, 1.0));
}
