// The uniform is a `Params` struct, not a `[u32; 2]` with the same bytes.
include!("../common/typed.rs");

fn case(params: &Buffer<[u32; 2]>, input: &Buffer<u32>, output: &Buffer<u32>) {
    let _ = scale::Bindings { params: params.as_uniform(), input: input.as_storage(), output: output.as_storage_mut() };
}
