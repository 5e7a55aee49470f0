// A command buffer runs once: `Queue::submit` takes it by value, so
// submitting it again does not compile (WebGPU would fail the second submit,
// and the reference host panics on a failed submit).
async fn submit_twice(device: &wasi_webgpu::Device, queue: &wasi_webgpu::Queue) -> wasi_webgpu::Result<()> {
    let commands = device.create_command_encoder(&Default::default()).finish().await?;
    queue.submit([commands])?;
    queue.submit([commands])?;
    Ok(())
}

fn main() {}
