// One step of SGD with (heavy-ball) momentum, in place:
// velocity = momentum * velocity + grad; weights -= learning_rate * velocity.

struct Step {
    learning_rate: f32,
    momentum: f32,
}

@group(0) @binding(0) var<uniform> config: Step;
@group(0) @binding(1) var<storage, read_write> weights: array<f32>;
@group(0) @binding(2) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;

@compute @workgroup_size(64)
fn sgd_momentum(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&weights) {
        return;
    }
    let v = config.momentum * velocity[i] + grad[i];
    velocity[i] = v;
    weights[i] = weights[i] - config.learning_rate * v;
}
