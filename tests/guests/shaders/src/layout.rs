//! Kernels whose buffers hold structs, vec3s, matrices and fixed-size arrays:
//! the generated Rust types must match WGSL's layout, padding included.

use crate::{Context, Gpu, GpuExt, Outcome, Rng, checks, close, ensure, read, same};
use wasi_webgpu::Threads;

checks![particles, params_uniform, lookup_table, transform, two_stage];

#[wasi_webgpu::shader(path = "shaders/particles.wgsl")]
mod particles {}

#[wasi_webgpu::shader(path = "shaders/params_uniform.wgsl")]
mod params_uniform {}

#[wasi_webgpu::shader(path = "shaders/lookup_table.wgsl")]
mod lookup_table {}

#[wasi_webgpu::shader(path = "shaders/transform.wgsl")]
mod transform {}

#[wasi_webgpu::shader(path = "shaders/two_stage.wgsl")]
mod two_stage {}

/// The CPU's version of `particles.wgsl`.
fn integrate(step: &particles::Step, force: [f32; 3], mut p: particles::Particle) -> particles::Particle {
    let mut velocity = [0f32; 3];
    let mut position = [0f32; 3];
    for j in 0..3 {
        let acceleration = step.gravity[j] + force[j] * p.inverse_mass;
        velocity[j] = (p.velocity[j] + acceleration * step.dt) * (1.0 - step.drag);
        position[j] = p.position[j] + velocity[j] * step.dt;
    }
    if position[1] < step.floor {
        position[1] = 2.0 * step.floor - position[1];
        velocity[1] = -velocity[1];
        p.bounces += 1;
    }
    particles::Particle { position, velocity, ..p }
}

async fn particles(gpu: &Gpu) -> Outcome {
    let kernel = particles::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let step = particles::Step { dt: 0.05, gravity: [0.0, -9.81, 0.0], drag: 0.01, floor: 0.1, ..Default::default() };
    let mut rng = Rng::new(17);
    let n = 300;
    let forces: Vec<[f32; 3]> = (0..n).map(|_| rng.vec3_in(-2.0, 2.0)).collect();
    let mut start = Vec::with_capacity(n);
    for (i, &force) in forces.iter().enumerate() {
        let mut p = particles::Particle {
            position: [rng.f32_in(-1.0, 1.0), rng.f32_in(0.0, 1.0), rng.f32_in(-1.0, 1.0)],
            velocity: rng.vec3_in(-5.0, 5.0),
            inverse_mass: rng.f32_in(0.5, 2.0),
            bounces: i as u32 % 3,
            ..Default::default()
        };
        // Keep every particle clear of the floor test's edge, where rounding
        // could decide the branch.
        while (integrate(&step, force, p).position[1] - step.floor).abs() < 1e-3 {
            p.position[1] += 0.01;
        }
        start.push(p);
    }
    let expected: Vec<_> = start.iter().zip(&forces).map(|(p, f)| integrate(&step, *f, *p)).collect();
    ensure!(expected.iter().zip(&start).any(|(e, s)| e.bounces != s.bounces), "no particle bounces");

    let step_buffer = gpu.uniform(step)?;
    let forces_buffer = gpu.storage(&forces.iter().map(|f| [f[0], f[1], f[2], 0.0]).collect::<Vec<_>>())?;
    let state = gpu.storage(&start)?;
    let bindings = particles::Bindings {
        step: step_buffer.as_uniform(),
        forces: forces_buffer.as_storage(),
        particles: state.as_storage_mut(),
    };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;

    let result = read(&state).await?;
    let floats = |ps: &[particles::Particle]| -> Vec<f32> {
        ps.iter().flat_map(|p| p.position.into_iter().chain(p.velocity).chain([p.inverse_mass])).collect()
    };
    // A few f32 operations per component, which the GPU may fuse: 1e-5
    // absolute + 1e-5 relative. The counters are exact.
    close("positions, velocities, masses", &floats(&result), &floats(&expected), 1e-5, 1e-5)?;
    let bounces = |ps: &[particles::Particle]| -> Vec<u32> { ps.iter().map(|p| p.bounces).collect() };
    same("bounces", &bounces(&result), &bounces(&expected))
}

async fn params_uniform(gpu: &Gpu) -> Outcome {
    let kernel = params_uniform::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(23);
    // The buffers are longer than `count`: the tail must stay untouched.
    let (len, count) = (128usize, 100usize);
    let samples: Vec<[f32; 4]> = (0..len).map(|_| [0; 4].map(|_| rng.f32_in(-4.0, 4.0))).collect();
    let samples_buffer = gpu.storage(&samples)?;
    for flip in [0, 1] {
        let params = params_uniform::Params {
            count: count as u32,
            scale: 0.75,
            offset: [-1.5, 2.25],
            weights: [0.5, -1.0, 2.0, 0.125],
            mask: 0b1011_0110,
            delta: [-7, 1 << 20, -(1 << 30)],
            flip,
            ..Default::default()
        };
        let params_buffer = gpu.uniform(params)?;
        let (weighted, codes) = (gpu.zeroed::<f32>(len)?, gpu.zeroed::<i32>(len)?);
        let bindings = params_uniform::Bindings {
            params: params_buffer.as_uniform(),
            samples: samples_buffer.as_storage(),
            weighted: weighted.as_storage_mut(),
            codes: codes.as_storage_mut(),
        };
        gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(len as u32))).await?;

        let mut expected_weighted = vec![0f32; len];
        let mut expected_codes = vec![0i32; len];
        for i in 0..count {
            let s: [f32; 4] = std::array::from_fn(|j| samples[i][j] * params.scale + params.offset[j % 2]);
            expected_weighted[i] = (0..4).fold(0.0, |acc, j| acc + s[j] * params.weights[j]);
            let code = (i as u32 & params.mask) as i32 + params.delta[i % 3];
            expected_codes[i] = if flip != 0 { -code } else { code };
        }
        // A scale, an offset and a 4-term dot product: 1e-5 absolute + 1e-5 relative.
        close(&format!("weighted (flip {flip})"), &read(&weighted).await?, &expected_weighted, 1e-5, 1e-5)?;
        same(&format!("codes (flip {flip})"), &read(&codes).await?, &expected_codes)?;
    }
    Ok(())
}

async fn lookup_table(gpu: &Gpu) -> Outcome {
    let kernel = lookup_table::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    // A permutation of the 16 nibbles, with junk above the low nibble that the
    // shader masks off.
    let permutation = [0xe, 4, 0xd, 1, 2, 0xf, 0xb, 8, 3, 0xa, 6, 0xc, 5, 9, 0, 7];
    let entries: [[u32; 4]; 4] = std::array::from_fn(|r| std::array::from_fn(|c| permutation[r * 4 + c] | 0xabc0));
    let table = lookup_table::Table { entries, salt: 0x5a5a_a5a5, ..Default::default() };
    let mut rng = Rng::new(31);
    let words: Vec<u32> = (0..1000).map(|_| rng.next_u32()).collect();
    let (table_buffer, words_buffer, out) =
        (gpu.uniform(table)?, gpu.storage(&words)?, gpu.zeroed::<u32>(words.len())?);
    let bindings = lookup_table::Bindings {
        table: table_buffer.as_uniform(),
        words: words_buffer.as_storage(),
        out: out.as_storage_mut(),
    };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(words.len() as u32))).await?;

    let expected: Vec<u32> = words
        .iter()
        .map(|w| {
            let w = w ^ table.salt;
            (0..8).fold(0, |acc, k| acc | (permutation[((w >> (4 * k)) & 0xf) as usize] << (4 * k)))
        })
        .collect();
    same("substituted", &read(&out).await?, &expected)
}

async fn transform(gpu: &Gpu) -> Outcome {
    let kernel = transform::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    // Column-major, as WGSL stores matrices: a rotation about z by 90
    // degrees, a scale and a translation. The mat3x3 columns' fourth slot is
    // padding; a value there must not leak into results.
    let model = [[0.0, 2.0, 0.0, 0.0], [-2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.0], [1.0, -3.0, 4.0, 1.0]];
    let normal = [[0.0, 1.0, 0.0, 1000.0], [-1.0, 0.0, 0.0, 1000.0], [0.0, 0.0, 1.0, 1000.0]];
    let uniforms = transform::Transform { model, normal, light: [0.6, 0.0, 0.8], ambient: 0.1 };
    let mut rng = Rng::new(41);
    let n = 500;
    let points: Vec<[f32; 4]> =
        (0..n).map(|_| [rng.f32_in(-5.0, 5.0), rng.f32_in(-5.0, 5.0), rng.f32_in(-5.0, 5.0), 1.0]).collect();
    // array<vec3<f32>> has a 16-byte stride: the fourth float is padding.
    let normals: Vec<[f32; 4]> = (0..n)
        .map(|_| {
            let v = rng.vec3_in(-1.0, 1.0);
            [v[0], v[1], v[2], -1000.0]
        })
        .collect();
    let uniform_buffer = gpu.uniform(uniforms)?;
    let (points_buffer, normals_buffer) = (gpu.storage(&points)?, gpu.storage(&normals)?);
    let (moved, turned, light) = (gpu.zeroed::<[f32; 4]>(n)?, gpu.zeroed::<[f32; 4]>(n)?, gpu.zeroed::<f32>(n)?);
    let bindings = transform::Bindings {
        transform: uniform_buffer.as_uniform(),
        points: points_buffer.as_storage(),
        normals: normals_buffer.as_storage(),
        moved: moved.as_storage_mut(),
        turned: turned.as_storage_mut(),
        light: light.as_storage_mut(),
    };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;

    let mut expected_moved = Vec::new();
    let mut expected_turned = Vec::new();
    let mut expected_light = Vec::new();
    for (p, v) in points.iter().zip(&normals) {
        expected_moved.extend((0..4).map(|r| (0..4).fold(0.0, |acc, c| acc + model[c][r] * p[c])));
        let t: [f32; 3] = std::array::from_fn(|r| (0..3).fold(0.0, |acc, c| acc + normal[c][r] * v[c]));
        expected_turned.extend(t);
        let lit = (0..3).fold(0.0, |acc, j| acc + t[j] * uniforms.light[j]);
        expected_light.push(uniforms.ambient + lit.max(0.0));
    }
    // Sums of at most four products: 1e-5 absolute + 1e-5 relative. Only the
    // xyz of each vec3 result is defined.
    close("moved", &read(&moved).await?.concat(), &expected_moved, 1e-5, 1e-5)?;
    let turned: Vec<f32> = read(&turned).await?.iter().flat_map(|t| [t[0], t[1], t[2]]).collect();
    close("turned", &turned, &expected_turned, 1e-5, 1e-5)?;
    close("light", &read(&light).await?, &expected_light, 1e-5, 1e-5)
}

async fn two_stage(gpu: &Gpu) -> Outcome {
    // Two entry points: no module-level pipeline(); one type per kernel.
    let normalize = two_stage::NormalizeRows::pipeline(&gpu.device, &Default::default()).await.at("normalize_rows")?;
    let sums = two_stage::ColumnSums::pipeline(&gpu.device, &Default::default()).await.at("column_sums")?;
    ensure!(
        two_stage::NORMALIZE_ROWS_WORKGROUP_SIZE == [64, 1, 1] && two_stage::COLUMN_SUMS_WORKGROUP_SIZE == [32, 1, 1],
        "workgroup sizes"
    );
    let (rows, cols) = (70usize, 23usize);
    let mut rng = Rng::new(43);
    let mut matrix: Vec<f32> = (0..rows * cols).map(|_| rng.f32_in(-3.0, 3.0)).collect();
    // An all-zero row takes the shader's other branch.
    matrix[5 * cols..6 * cols].fill(0.0);
    let shape = gpu.uniform(two_stage::Shape { rows: rows as u32, cols: cols as u32 })?;
    let (matrix_buffer, norms, col_sums) = (gpu.storage(&matrix)?, gpu.zeroed::<f32>(rows)?, gpu.zeroed::<f32>(cols)?);
    let first = two_stage::NormalizeRowsBindings {
        shape: shape.as_uniform(),
        matrix: matrix_buffer.as_storage_mut(),
        row_norms: norms.as_storage_mut(),
    };
    let second = two_stage::ColumnSumsBindings {
        shape: shape.as_uniform(),
        matrix: matrix_buffer.as_storage_mut(),
        col_sums: col_sums.as_storage_mut(),
    };
    // The second dispatch sees the first one's writes.
    gpu.run(|pass| {
        normalize.dispatch(pass, &first, Threads::x(rows as u32))?;
        sums.dispatch(pass, &second, Threads::x(cols as u32))
    })
    .await?;

    let mut expected_norms = Vec::with_capacity(rows);
    for row in matrix.chunks_mut(cols) {
        let norm = row.iter().fold(0.0, |acc, x| acc + x.abs());
        if norm > 0.0 {
            row.iter_mut().for_each(|x| *x /= norm);
        }
        expected_norms.push(norm);
    }
    let expected_sums: Vec<f32> = (0..cols).map(|c| (0..rows).fold(0.0, |acc, r| acc + matrix[r * cols + c])).collect();
    // Sequential sums as on the CPU, and divisions WGSL allows 2.5 ulp:
    // 1e-5 absolute + 1e-5 relative.
    close("row norms", &read(&norms).await?, &expected_norms, 1e-5, 1e-5)?;
    close("normalized matrix", &read(&matrix_buffer).await?, &matrix, 1e-5, 1e-5)?;
    close("column sums", &read(&col_sums).await?, &expected_sums, 1e-5, 1e-5)
}
