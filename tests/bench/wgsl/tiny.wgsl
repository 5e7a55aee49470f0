// Dispatch-heavy workload: a kernel so small that recording, submitting and
// the host boundary dominate. Each dispatch adds one to every element.
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&data) {
        data[id.x] += 1u;
    }
}
