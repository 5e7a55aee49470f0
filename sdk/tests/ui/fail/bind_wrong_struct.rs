// A user struct with the same fields is still not the generated `scale::Params`: use that one.
include!("../common/typed.rs");

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct MyParams {
    scale: u32,
    count: u32,
}

fn case(params: &Buffer<MyParams>, input: &Buffer<u32>, output: &Buffer<u32>) {
    let _ = scale::Bindings { params: params.as_uniform(), input: input.as_storage(), output: output.as_storage_mut() };
}
