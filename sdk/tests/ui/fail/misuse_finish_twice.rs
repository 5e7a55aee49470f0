// `CommandEncoder::finish` consumes the encoder: finishing it twice, or
// recording into it after `finish`, does not compile.
async fn finish_twice(device: &wasi_webgpu::Device) -> wasi_webgpu::Result<()> {
    let mut encoder = device.create_command_encoder(&Default::default());
    let _commands = encoder.finish().await?;
    let _again = encoder.finish().await?;
    let _pass = encoder.begin_compute_pass(&Default::default());
    Ok(())
}

fn main() {}
