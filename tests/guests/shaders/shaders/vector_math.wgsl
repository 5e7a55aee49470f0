// Geometric vector functions on pairs of 3D vectors: each invocation fills
// one Geometry record. The record's vec3 members share their 16-byte slots with
// the scalars that follow them.

struct Geometry {
    cross_ab: vec3<f32>,
    dot_ab: f32,
    unit_a: vec3<f32>,
    length_b: f32,
    mixed: vec3<f32>,
    distance_ab: f32,
    clamped: vec3<f32>,
    faces_forward: u32,
    reflected: vec3<f32>,
    max_component: f32,
}

@group(0) @binding(0) var<storage, read> a: array<vec3<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec3<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<Geometry>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&out) {
        return;
    }
    let va = a[i];
    let vb = b[i];
    var g: Geometry;
    g.cross_ab = cross(va, vb);
    g.dot_ab = dot(va, vb);
    g.unit_a = normalize(va);
    g.length_b = length(vb);
    g.mixed = mix(va, vb, vec3<f32>(0.25, 0.5, 0.75));
    g.distance_ab = distance(va, vb);
    g.clamped = clamp(va, vec3<f32>(-1.0), vec3<f32>(1.0));
    g.faces_forward = select(0u, 1u, dot(va, vb) > 0.0);
    let n = normalize(vb);
    g.reflected = reflect(va, n);
    let m = select(va, vb, vb > va);
    g.max_component = max(max(m.x, m.y), m.z);
    out[i] = g;
}
