// A sampler binding takes a `&Sampler`, not a texture view.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var image: texture_2d<f32>;
@group(0) @binding(1) var smp: sampler;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(1)
fn main() {
    out[0] = textureSampleLevel(image, smp, vec2f(0.5), 0.0);
}
"#)]
mod sample {}

fn case(image: &wasi_webgpu::TextureView, out: &wasi_webgpu::Buffer<[f32; 4]>) {
    let _ = sample::Bindings { image, smp: image, out: out.as_storage_mut() };
}

fn main() {
    let _ = case;
}
