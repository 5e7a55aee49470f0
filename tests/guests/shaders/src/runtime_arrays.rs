//! Shapes real shaders have that the generated bindings must handle: an
//! array sized by an override expression, runtime-sized arrays wrapped in a
//! struct, and structs with a fixed header before a runtime-sized array.

use wasi_webgpu::Threads;
use wasi_webgpu::{BufferUsages, HeaderBuffer, HeaderBufferInitDescriptor};

use crate::{Context, Gpu, GpuExt, Outcome, Rng, checks, close, ensure, read, same};

checks![override_sized_tile, wrapped_particles, header_and_array, header_binding_sizes];

#[wasi_webgpu::shader(path = "shaders/override_tile.wgsl")]
mod override_tile {}

#[wasi_webgpu::shader(path = "shaders/particles_wrapped.wgsl")]
mod particles_wrapped {}

#[wasi_webgpu::shader(path = "shaders/header_array.wgsl")]
mod header_array {}

#[wasi_webgpu::shader(path = "shaders/header_wide.wgsl")]
mod header_wide {}

async fn override_sized_tile(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(29);
    // The default, and a value that changes both the workgroup size and the
    // override-sized array.
    for (block, set) in [(64u32, None), (16, Some(16))] {
        let kernel =
            override_tile::pipeline(&gpu.device, &override_tile::Overrides { BLOCK: set }).await.at("pipeline")?;
        ensure!(kernel.workgroup_size() == [block, 1, 1], "workgroup size {:?}", kernel.workgroup_size());
        let n = (2 * block * 5) as usize;
        let values: Vec<u32> = (0..n).map(|_| rng.next_u32()).collect();
        let (input, output) = (gpu.storage(&values)?, gpu.zeroed::<u32>(n)?);
        let bindings = override_tile::Bindings { input: input.as_storage(), output: output.as_storage_mut() };
        gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32 / 2))).await?;
        let expected: Vec<u32> =
            values.chunks(2 * block as usize).flat_map(|chunk| chunk.iter().rev().copied()).collect();
        same(&format!("blocks of {} reversed", 2 * block), &read(&output).await?, &expected)?;
    }
    Ok(())
}

async fn wrapped_particles(gpu: &Gpu) -> Outcome {
    use particles_wrapped::Particle;
    const DT: f32 = 0.25;
    let kernel = particles_wrapped::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(31);
    let n = 1000;
    let start: Vec<Particle> = (0..n)
        .map(|_| Particle {
            position: rng.vec3_in(-10.0, 10.0),
            velocity: rng.vec3_in(-1.0, 1.0),
            ..Default::default()
        })
        .collect();
    let forces: Vec<[f32; 4]> = (0..n).map(|_| vec4_in(&mut rng, -2.0, 2.0)).collect();
    let (state, force_buffer) = (gpu.storage(&start)?, gpu.storage(&forces)?);
    // The wrapper structs bind plain buffers of their elements.
    let bindings = particles_wrapped::Bindings { forces: force_buffer.as_storage(), ps: state.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;

    let mut expected = Vec::new();
    for (p, f) in start.iter().zip(&forces) {
        for ((position, velocity), force) in p.position.iter().zip(p.velocity).zip(f) {
            let velocity = velocity + force * DT;
            expected.extend([position + velocity * DT, velocity]);
        }
    }
    let got: Vec<f32> =
        read(&state).await?.iter().flat_map(|p| (0..3).flat_map(move |j| [p.position[j], p.velocity[j]])).collect();
    // Two multiply-adds per component, which the GPU may fuse.
    close("positions and velocities", &got, &expected, 1e-5, 1e-5)
}

async fn header_and_array(gpu: &Gpu) -> Outcome {
    use header_array::{Data, Out};
    ensure!(HeaderBuffer::<Data, [f32; 4]>::ARRAY_OFFSET == 32, "Data's items start at byte 32 in WGSL");
    ensure!(HeaderBuffer::<Out, [f32; 2]>::ARRAY_OFFSET == 8, "Out's values start at byte 8 in WGSL");
    let kernel = header_array::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(37);
    let (len, count) = (1000usize, 700u32);
    let items: Vec<[f32; 4]> = (0..len).map(|_| vec4_in(&mut rng, -4.0, 4.0)).collect();
    let header = Data { count, pad: [3, 5, 7], ..Default::default() };
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    let data = HeaderBuffer::new_init(
        &gpu.device,
        &HeaderBufferInitDescriptor { label: Some("data"), header: &header, elements: &items, usage },
    )
    .at("data buffer")?;
    let out = HeaderBuffer::<Out, [f32; 2]>::new(
        &gpu.device,
        &wasi_webgpu::BufferDescriptor { label: Some("out"), len: len as u64, usage, mapped_at_creation: false },
    )
    .at("out buffer")?;
    out.write_header(&Out { processed: 0, scale: 0.5 }).await.at("write header")?;
    let bindings = header_array::Bindings { data: data.as_storage(), out: out.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(len as u32))).await?;

    let (got_header, values) = out.read().await.at("read out")?;
    ensure!(got_header.processed == count, "processed {}, expected {count}", got_header.processed);
    ensure!(got_header.scale == 0.5, "scale became {}", got_header.scale);
    let expected: Vec<f32> = items
        .iter()
        .enumerate()
        .flat_map(|(i, v)| {
            if i as u32 >= count {
                return [0.0, 0.0];
            }
            let [x, y, z, w] = [v[0] + 3.0, v[1] + 5.0, v[2] + 7.0, v[3]];
            [(x + y) * 0.5, z * w * 0.5]
        })
        .collect();
    close("values", &values.concat(), &expected, 1e-6, 1e-6)?;
    // Misuse is an Err: more elements than a buffer can hold, a write past the last element.
    let huge = wasi_webgpu::BufferDescriptor { label: None, len: u64::MAX / 8, usage, mapped_at_creation: false };
    match HeaderBuffer::<Out, [f32; 2]>::new(&gpu.device, &huge) {
        Err(wasi_webgpu::Error::OverLimit { limit: "maxBufferSize", .. }) => {}
        other => return Err(format!("a header buffer of 2^61 elements gave {:?}", other.map(|b| b.len()))),
    }
    match out.write_elements(len as u64 - 1, &[[0.0; 2]; 2]).await {
        Err(wasi_webgpu::Error::OutOfBounds { .. }) => {}
        other => return Err(format!("a write past the end gave {other:?}")),
    }
    // The input's header and elements read back as written.
    let (data_header, data_items) = data.read().await.at("read data")?;
    ensure!(data_header == header, "data header read back as {data_header:?}");
    same("data items", &data_items, &items)
}

/// A `HeaderBuffer` is exactly header plus elements, so `arrayLength` is its
/// `len`; lengths below WebGPU's minimum binding size are an `Err` at bind.
async fn header_binding_sizes(gpu: &Gpu) -> Outcome {
    use header_wide::Wide;
    let kernel = header_wide::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let header = Wide { v: [7.0, 0.0, 0.0, 0.0] };
    for len in [0usize, 1, 3, 4, 5, 1000] {
        let elements = vec![0u32; len];
        let buffer = HeaderBuffer::new_init(
            &gpu.device,
            &HeaderBufferInitDescriptor { label: Some("wide"), header: &header, elements: &elements, usage },
        )
        .at("wide buffer")?;
        let bindings = header_wide::Bindings { wide: buffer.as_storage_mut() };
        // 16 header bytes and 4 per element, at least 32 (16 + 4 rounded up to the alignment 16).
        let bound = kernel.bind(&gpu.device, &bindings);
        if 16 + 4 * len < 32 {
            match bound {
                Err(wasi_webgpu::Error::BindGroup(_)) => continue,
                other => return Err(format!("len {len} ({} bytes) bound: {:?}", 16 + 4 * len, other.map(|_| ()))),
            }
        }
        let bound = bound.map_err(|e| format!("len {len}: {e}"))?;
        gpu.run(|pass| kernel.dispatch_bound(pass, &bound, Threads::x(len as u32))).await?;
        let (got_header, items) = buffer.read().await.at("read wide")?;
        ensure!(got_header == header, "len {len}: header read back as {got_header:?}");
        let expected: Vec<u32> = (0..len as u32).map(|i| len as u32 * 1000 + 7 + i).collect();
        same(&format!("items of a {len}-element buffer"), &items, &expected)?;
    }
    Ok(())
}

fn vec4_in(rng: &mut Rng, lo: f32, hi: f32) -> [f32; 4] {
    [rng.f32_in(lo, hi), rng.f32_in(lo, hi), rng.f32_in(lo, hi), rng.f32_in(lo, hi)]
}
