// A storage binding does not take `as_uniform()`.
include!("../common/typed.rs");

fn case(params: &Buffer<scale::Params>, input: &Buffer<u32>, output: &Buffer<u32>) {
    let _ = scale::Bindings { params: params.as_uniform(), input: input.as_uniform(), output: output.as_storage_mut() };
}
