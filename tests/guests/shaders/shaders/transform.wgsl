// Transforms points by a 4x4 matrix and normals by a 3x3 matrix from a
// uniform block, as a vertex stage would, then computes the lit intensity of
// each normal against a light direction. mat3x3 columns are 16-byte aligned,
// and so is each element of array<vec3<f32>>.

struct Transform {
    model: mat4x4<f32>,
    normal: mat3x3<f32>,
    light: vec3<f32>,
    ambient: f32,
}

@group(0) @binding(0) var<uniform> transform: Transform;
@group(0) @binding(1) var<storage, read> points: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> normals: array<vec3<f32>>;
@group(0) @binding(3) var<storage, read_write> moved: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> turned: array<vec3<f32>>;
@group(0) @binding(5) var<storage, read_write> light: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&points) {
        return;
    }
    moved[i] = transform.model * points[i];
    let n = transform.normal * normals[i];
    turned[i] = n;
    light[i] = transform.ambient + max(dot(n, transform.light), 0.0);
}
