// The gradient of the mean softmax cross-entropy loss with respect to the
// logits, from the softmax's probabilities: (p - onehot(label)) / rows. It
// also adds the batch's summed loss, -ln p[label], to `loss[0]`, so an epoch's
// loss accumulates on the GPU and is read once.
//
// One workgroup does the whole batch (rows are a few dozen to a few hundred),
// so the loss sum needs no atomics: a tree reduction in workgroup memory.

const LANES: u32 = 64u;

struct Shape {
    rows: u32,
    classes: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> probabilities: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;

var<workgroup> partial: array<f32, LANES>;

@compute @workgroup_size(LANES)
fn cross_entropy_grad(@builtin(local_invocation_index) lane: u32) {
    let scale = 1.0 / f32(shape.rows);
    var sum = 0.0;
    for (var row = lane; row < shape.rows; row = row + LANES) {
        let label = labels[row];
        let base = row * shape.classes;
        for (var c = 0u; c < shape.classes; c = c + 1u) {
            let hot = select(0.0, 1.0, c == label);
            grad[base + c] = (probabilities[base + c] - hot) * scale;
        }
        // A probability that underflowed to 0 costs -ln(1e-30) = 69, not inf.
        sum = sum - log(max(probabilities[base + label], 1e-30));
    }
    partial[lane] = sum;
    workgroupBarrier();
    for (var stride = LANES / 2u; stride > 0u; stride = stride / 2u) {
        if lane < stride {
            partial[lane] = partial[lane] + partial[lane + stride];
        }
        workgroupBarrier();
    }
    if lane == 0u {
        loss[0] = loss[0] + partial[0];
    }
}
