// A `var<storage, read_write>` binding takes `as_storage_mut()`; `as_storage()` (read-only) is a type error.
include!("../common/typed.rs");

fn case(params: &Buffer<scale::Params>, input: &Buffer<u32>, output: &Buffer<u32>) {
    let _ = scale::Bindings { params: params.as_uniform(), input: input.as_storage(), output: output.as_storage() };
}
