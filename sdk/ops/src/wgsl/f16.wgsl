enable f16;

// The element types of the ops kernels written over `elem`, for their f16
// storage variants: f16 in memory, widened to f32 on load and rounded to f16
// once at the store, and `accum` (the 128 tile kernels' staged slices and
// sums) f32. The kernels convert with `f32(..)` and `elem(..)`, which are
// no-ops under f32.wgsl. Listed first in a module's `path`: `enable` goes
// before every declaration.
alias elem = f16;
alias accum = f32;
