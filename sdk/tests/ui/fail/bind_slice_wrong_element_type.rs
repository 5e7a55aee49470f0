// A slice of a `Buffer<i32>` where the shader has `array<u32>`.
include!("../common/typed.rs");

fn case(params: &Buffer<scale::Params>, input: &Buffer<i32>, output: &Buffer<u32>) {
    let _ = scale::Bindings {
        params: params.as_uniform(),
        input: input.slice(..).as_storage(),
        output: output.slice(..).as_storage_mut(),
    };
}
