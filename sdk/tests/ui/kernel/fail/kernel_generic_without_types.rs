#[wasi_webgpu::kernel(workgroup_size = 64)]
fn copy<T>(src: &[T], dst: &mut [T]) {
    let i = wasi_webgpu::global_id().x as usize;
    dst[i] = src[i];
}

fn main() {}
