// The sum of `value` over a workgroup of BLOCK invocations, through the
// module's `var<workgroup> scratch: array<f32, BLOCK>`, for every invocation.
fn tree_sum(local: u32, value: f32) -> f32 {
    scratch[local] = value;
    workgroupBarrier();
    for (var stride = BLOCK / 2u; stride > 0u; stride /= 2u) {
        if local < stride {
            scratch[local] += scratch[local + stride];
        }
        workgroupBarrier();
    }
    let total = scratch[0];
    // Nobody may overwrite scratch[0] for the next reduction before all have read it.
    workgroupBarrier();
    return total;
}
