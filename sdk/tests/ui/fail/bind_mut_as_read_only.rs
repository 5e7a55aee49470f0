// A `var<storage, read>` binding takes `as_storage()`; `as_storage_mut()` is a type error.
include!("../common/typed.rs");

fn case(params: &Buffer<scale::Params>, input: &Buffer<u32>, output: &Buffer<u32>) {
    let _ = scale::Bindings {
        params: params.as_uniform(),
        input: input.as_storage_mut(),
        output: output.as_storage_mut(),
    };
}
