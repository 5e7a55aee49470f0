// The shader has `array<u32>`: a `Buffer<f32>` is a type error, even with the right access.
include!("../common/typed.rs");

fn case(params: &Buffer<scale::Params>, input: &Buffer<u32>, output: &Buffer<f32>) {
    let _ = scale::Bindings { params: params.as_uniform(), input: input.as_storage(), output: output.as_storage_mut() };
}
