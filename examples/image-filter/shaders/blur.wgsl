// Separable Gaussian blur in two passes over storage textures: `horizontal`
// blurs along x into an rgba32float texture (so the intermediate keeps full
// precision), `vertical` blurs that along y into the rgba8unorm result.
// Texels beyond the edge repeat the edge texel.

@group(0) @binding(0) var source: texture_2d<f32>;
// 2 * radius + 1 taps, summing to 1.
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var across: texture_storage_2d<rgba32float, write>;
@group(0) @binding(3) var down: texture_storage_2d<rgba8unorm, write>;

fn blur(p: vec2i, step: vec2i) -> vec4f {
    let size = vec2i(textureDimensions(source));
    let radius = i32(arrayLength(&weights)) / 2;
    var sum = vec4f(0.0);
    for (var k = -radius; k <= radius; k++) {
        let q = clamp(p + step * k, vec2i(0), size - 1);
        sum += weights[k + radius] * textureLoad(source, q, 0);
    }
    return sum;
}

@compute @workgroup_size(8, 8)
fn horizontal(@builtin(global_invocation_id) id: vec3u) {
    if any(id.xy >= textureDimensions(source)) { return; }
    textureStore(across, id.xy, blur(vec2i(id.xy), vec2i(1, 0)));
}

@compute @workgroup_size(8, 8)
fn vertical(@builtin(global_invocation_id) id: vec3u) {
    if any(id.xy >= textureDimensions(source)) { return; }
    textureStore(down, id.xy, blur(vec2i(id.xy), vec2i(0, 1)));
}
