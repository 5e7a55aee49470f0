// The mean softmax cross-entropy loss of a batch of logits, and its gradient
// with respect to the logits: (softmax(z) - onehot(label)) / rows. The batch's
// summed loss, log(sum(exp(z))) - z[label], is added to `loss[0]`, so an
// epoch's loss accumulates on the GPU and is read once.
//
// Softmax and loss in one kernel, from the logits: the log-sum-exp form never
// takes the log of an underflowed probability. One invocation per row: rows
// hold only a few classes, too few to share among a workgroup. One workgroup
// does the whole batch, so the loss sum needs no atomics: each invocation
// strides over the rows and a tree reduction in workgroup memory adds up.

const LANES: u32 = 64u;

struct Shape {
    rows: u32,
    classes: u32,
}

@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;

var<workgroup> partial: array<f32, LANES>;

@compute @workgroup_size(LANES)
fn cross_entropy_grad(@builtin(local_invocation_index) lane: u32) {
    let scale = 1.0 / f32(shape.rows);
    var sum = 0.0;
    for (var row = lane; row < shape.rows; row = row + LANES) {
        let base = row * shape.classes;
        var peak = logits[base];
        for (var c = 1u; c < shape.classes; c = c + 1u) {
            peak = max(peak, logits[base + c]);
        }
        var total = 0.0;
        for (var c = 0u; c < shape.classes; c = c + 1u) {
            total = total + exp(logits[base + c] - peak);
        }
        let label = labels[row];
        for (var c = 0u; c < shape.classes; c = c + 1u) {
            let hot = select(0.0, 1.0, c == label);
            grad[base + c] = (exp(logits[base + c] - peak) / total - hot) * scale;
        }
        sum = sum + log(total) + peak - logits[base + label];
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
