enable f16;

// f16.wgsl with f16 slices and sums for matmul_large.wgsl: packed half2 FMAs,
// twice f32's rate on GPUs that have them, and slices twice as deep in the
// same workgroup memory, at the price of rounding every partial sum to f16.
alias elem = f16;
alias accum = f16;
