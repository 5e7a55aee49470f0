// Pipeline-overridable constants of every kind: with a default, without one
// (the pipeline must set it), with a numeric @id, a bool, and one that sets the
// workgroup size. Each invocation also records its workgroup, which shows the
// size the pipeline was built with.

override block: u32 = 64u;
override gain: f32;
@id(7) override bias: i32 = -5;
override negate: bool = false;

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<storage, read_write> groups: array<u32>;

@compute @workgroup_size(block)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&input) {
        return;
    }
    let x = select(input[i], -input[i], negate);
    output[i] = x * gain + f32(bias);
    groups[i] = wid.x;
}
