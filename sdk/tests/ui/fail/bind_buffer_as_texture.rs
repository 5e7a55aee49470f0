// A texture binding takes a `&TextureView`, not a buffer binding.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
    textureStore(dst, id.xy, textureLoad(src, id.xy, 0));
}
"#)]
mod copy {}

fn case(pixels: &wasi_webgpu::Buffer<f32>, dst: &wasi_webgpu::TextureView) {
    let _ = copy::Bindings { src: pixels.as_storage(), dst };
}

fn main() {
    let _ = case;
}
