// The bindings of an entry point are the globals it uses: `unused` is declared but `main` never
// touches it, so it is not a field of `Bindings`.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> output: array<u32>;
@group(0) @binding(1) var<storage, read> unused: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    output[id.x] = id.x;
}
"#)]
mod ids {}

fn run(
    kernel: &ids::Main,
    pass: &mut wasi_webgpu::ComputePass<'_>,
    output: &wasi_webgpu::Buffer<u32>,
    other: &wasi_webgpu::Buffer<u32>,
) -> wasi_webgpu::Result<()> {
    kernel.dispatch(
        pass,
        &ids::Bindings { output: output.as_storage_mut(), unused: other.as_storage() },
        wasi_webgpu::Threads::x(output.len() as u32),)
}

fn main() {
    let _ = run;
}
