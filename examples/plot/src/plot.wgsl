// Instanced rectangles and thick line segments in pixel coordinates.
// Corners 0..3 come from the index buffer [0, 1, 2, 2, 1, 3]; the corner
// formulas are those of `scene.rs`, which the test's CPU rasterizer uses.

struct Frame {
    // Width and height of the render target in pixels (xy).
    size: vec4f,
}

@group(0) @binding(0) var<uniform> frame: Frame;

struct Fragment {
    @builtin(position) position: vec4f,
    @location(0) color: vec4f,
}

fn clip(p: vec2f) -> vec4f {
    return vec4f(p.x / frame.size.x * 2.0 - 1.0, 1.0 - p.y / frame.size.y * 2.0, 0.0, 1.0);
}

@vertex
fn vs_rect(
    @builtin(vertex_index) corner: u32,
    @location(0) lo: vec2f,
    @location(1) hi: vec2f,
    @location(2) color: vec4f,
) -> Fragment {
    let p = vec2f(select(lo.x, hi.x, (corner & 1u) == 1u), select(lo.y, hi.y, corner >= 2u));
    return Fragment(clip(p), color);
}

@vertex
fn vs_segment(
    @builtin(vertex_index) corner: u32,
    @location(0) p0: vec2f,
    @location(1) p1: vec2f,
    @location(2) width: f32,
    @location(3) color: vec4f,
) -> Fragment {
    let d = normalize(p1 - p0);
    let n = vec2f(-d.y, d.x) * (width * 0.5);
    let end = select(p0, p1, corner >= 2u);
    let side = select(1.0, -1.0, (corner & 1u) == 1u);
    return Fragment(clip(end + side * n), color);
}

@fragment
fn fs_main(input: Fragment) -> @location(0) vec4f {
    return input.color;
}
