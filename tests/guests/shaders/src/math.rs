//! Arithmetic kernels: vector geometry, bit manipulation, signed integers,
//! vec4 elementwise math, transcendental functions and a 2D image filter.

use crate::{Context, Gpu, GpuExt, Outcome, Rng, checks, close, ensure, read, same};
use wasi_webgpu::Threads;

checks![vector_math, bits, int_math, saxpy_vec4, transcendental, blur];

#[wasi_webgpu::shader(path = "shaders/vector_math.wgsl")]
mod vector_math {}

#[wasi_webgpu::shader(path = "shaders/bits.wgsl")]
mod bits {}

#[wasi_webgpu::shader(path = "shaders/int_math.wgsl")]
mod int_math {}

#[wasi_webgpu::shader(path = "shaders/saxpy_vec4.wgsl")]
mod saxpy_vec4 {}

#[wasi_webgpu::shader(path = "shaders/transcendental.wgsl")]
mod transcendental {}

#[wasi_webgpu::shader(path = "shaders/blur.wgsl")]
mod blur {}

fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn scaled(a: [f32; 3], s: f32) -> [f32; 3] {
    a.map(|x| x * s)
}

async fn vector_math(gpu: &Gpu) -> Outcome {
    let kernel = vector_math::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(47);
    let n = 777;
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    while a.len() < n {
        let (va, vb) = (rng.vec3_in(-2.0, 2.0), rng.vec3_in(-2.0, 2.0));
        // Keep away from the edges of the dot product's sign and of
        // normalize's domain, where rounding could decide the result.
        if dot(va, vb).abs() > 1e-3 && dot(va, va) > 1e-3 && dot(vb, vb) > 1e-3 {
            a.push(va);
            b.push(vb);
        }
    }
    let pad = |v: &Vec<[f32; 3]>| -> Vec<[f32; 4]> { v.iter().map(|v| [v[0], v[1], v[2], 0.0]).collect() };
    let (a_buffer, b_buffer) = (gpu.storage(&pad(&a))?, gpu.storage(&pad(&b))?);
    let out = gpu.zeroed::<vector_math::Geometry>(n)?;
    let bindings =
        vector_math::Bindings { a: a_buffer.as_storage(), b: b_buffer.as_storage(), out: out.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;

    let expected: Vec<vector_math::Geometry> = a
        .iter()
        .zip(&b)
        .map(|(&va, &vb)| {
            let d = dot(va, vb);
            let n = scaled(vb, 1.0 / dot(vb, vb).sqrt());
            let t = [0.25, 0.5, 0.75];
            let diff: [f32; 3] = std::array::from_fn(|j| va[j] - vb[j]);
            vector_math::Geometry {
                cross_ab: [va[1] * vb[2] - va[2] * vb[1], va[2] * vb[0] - va[0] * vb[2], va[0] * vb[1] - va[1] * vb[0]],
                dot_ab: d,
                unit_a: scaled(va, 1.0 / dot(va, va).sqrt()),
                length_b: dot(vb, vb).sqrt(),
                mixed: std::array::from_fn(|j| va[j] * (1.0 - t[j]) + vb[j] * t[j]),
                distance_ab: dot(diff, diff).sqrt(),
                clamped: va.map(|x| x.clamp(-1.0, 1.0)),
                faces_forward: (d > 0.0) as u32,
                reflected: std::array::from_fn(|j| va[j] - 2.0 * dot(n, va) * n[j]),
                max_component: va.iter().zip(&vb).map(|(x, y)| x.max(*y)).fold(f32::MIN, f32::max),
            }
        })
        .collect();
    let result = read(&out).await?;
    let floats = |g: &[vector_math::Geometry]| -> Vec<f32> {
        g.iter()
            .flat_map(|g| {
                (g.cross_ab.into_iter().chain([g.dot_ab]).chain(g.unit_a).chain([g.length_b]).chain(g.mixed))
                    .chain([g.distance_ab])
                    .chain(g.reflected)
            })
            .collect()
    };
    // Products, sums and square roots (WGSL allows inverseSqrt 2 ulp, length
    // and normalize inherit from it) on values below 12: 1e-5 absolute + 1e-5
    // relative. clamp, select and max are exact.
    close("geometry", &floats(&result), &floats(&expected), 1e-5, 1e-5)?;
    let exact = |g: &[vector_math::Geometry]| -> Vec<([f32; 3], u32, f32)> {
        g.iter().map(|g| (g.clamped, g.faces_forward, g.max_component)).collect()
    };
    same("clamped, faces_forward, max_component", &exact(&result), &exact(&expected))
}

async fn bits(gpu: &Gpu) -> Outcome {
    let kernel = bits::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(53);
    let mut words = vec![0, 1, u32::MAX, 0x8000_0000, 0x0001_0000, 0xdead_beef];
    words.extend((0..507).map(|i| rng.next_u32() >> (i % 32)));
    let (input, out) = (gpu.storage(&words)?, gpu.zeroed::<bits::Bits>(words.len())?);
    let bindings = bits::Bindings { words: input.as_storage(), out: out.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(words.len() as u32))).await?;

    let expected: Vec<bits::Bits> = words
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let i = i as u32;
            bits::Bits {
                ones: w.count_ones(),
                reversed: w.reverse_bits(),
                leading: if w == 0 { u32::MAX } else { 31 - w.leading_zeros() },
                trailing: if w == 0 { u32::MAX } else { w.trailing_zeros() },
                field: (w >> 5) & ((1 << 11) - 1),
                inserted: (w & !(0xff << 20)) | ((i & 0xff) << 20),
                rotated: w.rotate_left(i),
                mixed: (w ^ (w >> 7)) & !(w << 3),
            }
        })
        .collect();
    same("bits", &read(&out).await?, &expected)
}

/// WGSL's `/`: truncating, with x / 0 = x and MIN / -1 = MIN.
fn wgsl_div(x: i32, y: i32) -> i32 {
    if y == 0 { x } else { x.wrapping_div(y) }
}

/// WGSL's `%`: the dividend's sign, with x % 0 = 0 and MIN % -1 = 0.
fn wgsl_rem(x: i32, y: i32) -> i32 {
    if y == 0 { 0 } else { x.wrapping_rem(y) }
}

async fn int_math(gpu: &Gpu) -> Outcome {
    let kernel = int_math::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut rng = Rng::new(59);
    let edges = [(-7, 2), (7, -2), (-7, -2), (i32::MIN, -1), (i32::MIN, 1), (-5, 0), (i32::MAX, 2), (-1, 31)];
    let mut pairs: Vec<int_math::Pair> = edges.iter().map(|&(x, y)| int_math::Pair { x, y }).collect();
    pairs.extend((0..242).map(|i| {
        // Mostly small magnitudes, some full-range, signs mixed.
        let x = if i % 5 == 0 { rng.next_u32() as i32 } else { (rng.next_u32() % 20_001) as i32 - 10_000 };
        let y = (rng.next_u32() % 201) as i32 - 100;
        int_math::Pair { x, y }
    }));
    let (input, out) = (gpu.storage(&pairs)?, gpu.zeroed::<int_math::IntResults>(pairs.len())?);
    let bindings = int_math::Bindings { pairs: input.as_storage(), out: out.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(pairs.len() as u32))).await?;

    let expected: Vec<int_math::IntResults> = pairs
        .iter()
        .map(|&int_math::Pair { x, y }| int_math::IntResults {
            quotient: wgsl_div(x, y),
            remainder: wgsl_rem(x, y),
            product: x.wrapping_mul(y),
            difference: x.wrapping_sub(y),
            shifted: x >> (y as u32 & 31),
            magnitude: x.wrapping_abs(),
            sign_x: x.signum(),
            clamped: x.clamp(-1000, 1000 + (y & 255)),
        })
        .collect();
    same("results", &read(&out).await?, &expected)
}

async fn saxpy_vec4(gpu: &Gpu) -> Outcome {
    let kernel = saxpy_vec4::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let alpha = [1.5, -0.75, 3.0, -2.0];
    let mut rng = Rng::new(61);
    let n = 1000;
    let x: Vec<[f32; 4]> = (0..n).map(|_| [0; 4].map(|_| rng.f32_in(-8.0, 8.0))).collect();
    let y: Vec<[f32; 4]> = (0..n).map(|_| [0; 4].map(|_| rng.f32_in(-8.0, 8.0))).collect();
    let coefficients = gpu.uniform(saxpy_vec4::Coefficients { alpha })?;
    let (x_buffer, y_buffer) = (gpu.storage(&x)?, gpu.storage(&y)?);
    let (sum, parts) = (gpu.zeroed::<[f32; 4]>(n)?, gpu.zeroed::<[f32; 4]>(n)?);
    let bindings = saxpy_vec4::Bindings {
        coefficients: coefficients.as_uniform(),
        x: x_buffer.as_storage(),
        y: y_buffer.as_storage(),
        sum: sum.as_storage_mut(),
        parts: parts.as_storage_mut(),
    };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;

    let expected: Vec<f32> =
        x.iter().zip(&y).flat_map(|(x, y)| (0..4).map(move |j| alpha[j].mul_add(x[j], y[j]))).collect();
    let sum = read(&sum).await?;
    // WGSL lets fma round like a separate multiply and add: within an ulp of
    // |alpha * x| + |y| < 40, so 1e-5 absolute + 1e-6 relative.
    close("alpha * x + y", &sum.concat(), &expected, 1e-5, 1e-6)?;
    // fract, floor, abs and sign of the GPU's own sums: floor, abs and sign
    // exact, fract (x - floor(x) in WGSL) within 1e-6.
    let parts = read(&parts).await?;
    for (i, (s, p)) in sum.iter().zip(&parts).enumerate() {
        let sign = if s[3] > 0.0 {
            1.0
        } else if s[3] < 0.0 {
            -1.0
        } else {
            0.0
        };
        ensure!(
            (p[0] - (s[0] - s[0].floor())).abs() <= 1e-6 && p[1] == s[1].floor() && p[2] == s[2].abs() && p[3] == sign,
            "parts[{i}]: GPU {p:?} from sum {s:?}"
        );
    }
    Ok(())
}

async fn transcendental(gpu: &Gpu) -> Outcome {
    let kernel = transcendental::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let n = 1000;
    // Evenly spaced over [-4, 4], ends included.
    let xs: Vec<f32> = (0..n).map(|i| -4.0 + 8.0 * i as f32 / (n - 1) as f32).collect();
    let (input, rows) = (gpu.storage(&xs)?, gpu.zeroed::<transcendental::Row>(n)?);
    let bindings = transcendental::Bindings { xs: input.as_storage(), rows: rows.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n as u32))).await?;
    let rows = read(&rows).await?;

    // The CPU reference is f64 math on the same f32 arguments the shader
    // builds. Tolerances follow WGSL's accuracy requirements, with slack:
    type Column = (&'static str, fn(&transcendental::Row) -> f32, fn(f32, f32) -> f64, f32, f32);
    let columns: [Column; 8] = [
        // exp: 3 + 2|x| ulp, |x| <= 4: 11 ulp < 2e-6 relative.
        ("exp", |r| r.exp_x, |x, _| f64::from(x).exp(), 0.0, 2e-6),
        // log: 2^-21 absolute on [0.5, 2], else 3 ulp.
        ("log", |r| r.log_x, |_, p| f64::from(p).ln(), 4.8e-7, 4e-7),
        // sqrt: inherits 1 / inverseSqrt: 2.5 + 2 ulp < 1e-6 relative.
        ("sqrt", |r| r.sqrt_x, |_, p| f64::from(p).sqrt(), 0.0, 1e-6),
        // sin, cos: 2^-11 absolute on [-pi, pi].
        ("sin", |r| r.sin_x, |x, _| f64::from(x * (std::f32::consts::PI / 4.0)).sin(), 4.9e-4, 0.0),
        ("cos", |r| r.cos_x, |x, _| f64::from(x * (std::f32::consts::PI / 4.0)).cos(), 4.9e-4, 0.0),
        // tanh: inherits from sinh / cosh, i.e. from exp: 1e-5 absolute.
        ("tanh", |r| r.tanh_x, |x, _| f64::from(x).tanh(), 1e-5, 0.0),
        // pow: inherits exp2(y * log2(x)): 1e-5 relative for results below 9.
        ("pow", |r| r.pow_x, |_, p| f64::from(p).powf(1.5), 0.0, 1e-5),
        // atan2: 4096 ulp, 4.9e-4 relative.
        ("atan2", |r| r.atan2_x, |x, p| f64::from(x).atan2(f64::from(p)), 1e-6, 4.9e-4),
    ];
    for (name, gpu_value, cpu_value, abs, rel) in columns {
        let got: Vec<f32> = rows.iter().map(gpu_value).collect();
        let expected: Vec<f32> = xs.iter().map(|&x| cpu_value(x, x.abs() + 0.125) as f32).collect();
        close(name, &got, &expected, abs, rel)?;
    }
    Ok(())
}

async fn blur(gpu: &Gpu) -> Outcome {
    let kernel = blur::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    ensure!(blur::MAIN_WORKGROUP_SIZE == [8, 8, 1], "workgroup size {:?}", blur::MAIN_WORKGROUP_SIZE);
    // Neither side is a multiple of 8.
    let (width, height) = (45usize, 31usize);
    let mut rng = Rng::new(67);
    let src: Vec<f32> = (0..width * height).map(|_| rng.f32_in(0.0, 1.0)).collect();
    let image = gpu.uniform(blur::Image { width: width as u32, height: height as u32 })?;
    let (src_buffer, dst_buffer) = (gpu.storage(&src)?, gpu.zeroed::<f32>(width * height)?);
    let bindings =
        blur::Bindings { image: image.as_uniform(), src: src_buffer.as_storage(), dst: dst_buffer.as_storage_mut() };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::xy(width as u32, height as u32))).await?;

    let texel =
        |x: i64, y: i64| src[y.clamp(0, height as i64 - 1) as usize * width + x.clamp(0, width as i64 - 1) as usize];
    let mut expected = vec![0f32; width * height];
    for y in 0..height as i64 {
        for x in 0..width as i64 {
            let mut sum = 0f32;
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    sum += ((2 - dx.abs()) * (2 - dy.abs())) as f32 * texel(x + dx, y + dy);
                }
            }
            expected[y as usize * width + x as usize] = sum / 16.0;
        }
    }
    // Nine weighted terms in [0, 4] summed in the same order, maybe fused:
    // 1e-6 absolute + 1e-6 relative.
    close("blurred", &read(&dst_buffer).await?, &expected, 1e-6, 1e-6)
}
