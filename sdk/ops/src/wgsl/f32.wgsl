// The element types of the ops kernels written over `elem` (see f16.wgsl):
// f32 in memory, and f32 for the products and sums. Listed first in a
// module's `path`.
alias elem = f32;
alias accum = f32;
