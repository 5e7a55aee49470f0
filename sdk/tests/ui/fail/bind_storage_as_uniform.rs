// A `var<uniform>` binding does not take `as_storage()`.
include!("../common/typed.rs");

fn case(params: &Buffer<scale::Params>, input: &Buffer<u32>, output: &Buffer<u32>) {
    let _ = scale::Bindings { params: params.as_storage(), input: input.as_storage(), output: output.as_storage_mut() };
}
