//! WGSL's math builtins, through their Rust names.

use wasi_webgpu::Threads;
use wasi_webgpu::{Vec4, clamp, dot, global_id, kernel, max, min, select, vec4};

use crate::{Both, Outcome, Rng, close, same};

/// The float tolerance of the transcendental functions: `|got - exact| <=
/// ABS + REL * |exact|`, what Vulkan's precision rules and the CPU's libm
/// leave between them on these ranges.
const ABS: f32 = 2e-6;
const REL: f32 = 4e-6;

#[kernel(workgroup_size = 64)]
fn float_math(x: &[f32], y: &[f32], out: &mut [f32]) {
    let i = global_id().x as usize;
    if i < x.len() {
        let a = x[i];
        let b = y[i];
        let o = 16 * i;
        out[o] = a.min(b);
        out[o + 1] = a.max(b);
        out[o + 2] = a.clamp(-0.5, 0.5);
        out[o + 3] = a.abs();
        out[o + 4] = b.sqrt();
        out[o + 5] = a.exp();
        out[o + 6] = b.ln();
        out[o + 7] = b.powf(a);
        out[o + 8] = a.sin();
        out[o + 9] = a.cos();
        out[o + 10] = a.tanh();
        out[o + 11] = a.mul_add(b, 0.25);
        out[o + 12] = select(a, b, a < b);
        out[o + 13] = min(a, 0.0) + max(b, 1.0) + clamp(a * b, -1.0, 1.0);
        out[o + 14] = dot(vec4(a, b, 1.0, 2.0), vec4(b, a, 0.5, -1.0));
        out[o + 15] = select(-1.0, 1.0, a > 0.0 && b > 1.0);
    }
}

pub async fn math_builtins(both: &Both<'_>) -> Outcome {
    let n = 256;
    let mut rng = Rng::new(30);
    let x: Vec<f32> = (0..n).map(|_| rng.f32_in(-3.0, 3.0)).collect();
    let y: Vec<f32> = (0..n).map(|_| rng.f32_in(0.01, 4.0)).collect();
    let expected: Vec<f32> = x
        .iter()
        .zip(&y)
        .flat_map(|(&a, &b)| {
            [
                a.min(b),
                a.max(b),
                a.clamp(-0.5, 0.5),
                a.abs(),
                b.sqrt(),
                a.exp(),
                b.ln(),
                b.powf(a),
                a.sin(),
                a.cos(),
                a.tanh(),
                a.mul_add(b, 0.25),
                if a < b { b } else { a },
                a.min(0.0) + b.max(1.0) + (a * b).clamp(-1.0, 1.0),
                a * b + b * a + 0.5 - 2.0,
                if a > 0.0 && b > 1.0 { 1.0 } else { -1.0 },
            ]
        })
        .collect();
    both.each(async |on| {
        let (xb, yb) = (on.storage(&x)?, on.storage(&y)?);
        let mut out = on.zeroed::<f32>(16 * n)?;
        on.at(float_math::launch(&on.device, &xb, &yb, &mut out, Threads::x(n as u32)).await)?;
        let got = on.read(&out).await?;
        for (k, name) in [
            "min",
            "max",
            "clamp",
            "abs",
            "sqrt",
            "exp",
            "ln",
            "powf",
            "sin",
            "cos",
            "tanh",
            "mul_add",
            "select",
            "min+max+clamp",
            "dot",
            "select bool",
        ]
        .iter()
        .enumerate()
        {
            let g: Vec<f32> = got.iter().skip(k).step_by(16).copied().collect();
            let e: Vec<f32> = expected.iter().skip(k).step_by(16).copied().collect();
            close(name, &g, &e, ABS, REL)?;
        }
        Ok(())
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn int_math(a: &[i32], b: &[i32], u: &[u32], out: &mut [i32], uout: &mut [u32]) {
    let i = global_id().x as usize;
    if i < a.len() {
        let x = a[i];
        let y = b[i];
        let p = u[i];
        out[4 * i] = x.min(y);
        out[4 * i + 1] = x.max(y);
        out[4 * i + 2] = x.abs() + clamp(y, -10, 10);
        out[4 * i + 3] = select(x, y, x > y);
        uout[2 * i] = p.min(1000).max(10);
        uout[2 * i + 1] = dot(wasi_webgpu::vec2(p, 2u32), wasi_webgpu::vec2(3u32, p));
    }
}

pub async fn integer_math_builtins(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(31);
    let a: Vec<i32> = (0..200).map(|_| rng.i32_in(-500, 500)).collect();
    let b: Vec<i32> = (0..200).map(|_| rng.i32_in(-500, 500)).collect();
    let u: Vec<u32> = (0..200).map(|_| rng.next_u32() % 5000).collect();
    let expected: Vec<i32> = a
        .iter()
        .zip(&b)
        .flat_map(|(&x, &y)| [x.min(y), x.max(y), x.abs() + y.clamp(-10, 10), if x > y { y } else { x }])
        .collect();
    let uexpected: Vec<u32> = u.iter().flat_map(|&p| [p.clamp(10, 1000), 5 * p]).collect();
    both.each(async |on| {
        let (ab, bb, ub) = (on.storage(&a)?, on.storage(&b)?, on.storage(&u)?);
        let (mut out, mut uout) = (on.zeroed::<i32>(800)?, on.zeroed::<u32>(400)?);
        on.at(int_math::launch(&on.device, &ab, &bb, &ub, &mut out, &mut uout, Threads::x(200)).await)?;
        same("i32", &on.read(&out).await?, &expected)?;
        same("u32", &on.read(&uout).await?, &uexpected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn vector_math(v: &[Vec4<f32>], out: &mut [Vec4<f32>]) {
    let i = global_id().x as usize;
    if i < v.len() {
        let p = v[i];
        let q = p.abs().max(Vec4::splat(0.5)).sqrt().min(Vec4::splat(1.5));
        let r = p.sin() * p.cos() + p.tanh() - p.clamp(Vec4::splat(-1.0), Vec4::splat(1.0));
        let s = q.ln().exp() + q.powf(Vec4::splat(2.0)) + p.mul_add(q, r);
        let len = s.length();
        out[i] = s.normalize() * len + vec4(p.dot(q), 0.0, 0.0, 0.0);
    }
}

pub async fn vector_math_builtins(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(32);
    let v: Vec<Vec4<f32>> = (0..128)
        .map(|_| vec4(rng.f32_in(-2.0, 2.0), rng.f32_in(-2.0, 2.0), rng.f32_in(-2.0, 2.0), rng.f32_in(-2.0, 2.0)))
        .collect();
    let expected: Vec<f32> = v
        .iter()
        .flat_map(|p| {
            let p = p.to_array();
            let q = p.map(|c| c.abs().max(0.5).sqrt().min(1.5));
            let r: Vec<f32> = (0..4).map(|k| p[k].sin() * p[k].cos() + p[k].tanh() - p[k].clamp(-1.0, 1.0)).collect();
            let s: Vec<f32> = (0..4).map(|k| q[k].ln().exp() + q[k].powf(2.0) + p[k].mul_add(q[k], r[k])).collect();
            let d: f32 = (0..4).map(|k| p[k] * q[k]).sum();
            [s[0] + d, s[1], s[2], s[3]]
        })
        .collect();
    both.each(async |on| {
        let vb = on.storage(&v)?;
        let mut out = on.zeroed::<Vec4<f32>>(v.len())?;
        on.at(vector_math::launch(&on.device, &vb, &mut out, Threads::x(v.len() as u32)).await)?;
        let got: Vec<f32> = on.read(&out).await?.iter().flat_map(|v| v.to_array()).collect();
        // normalize * length and a sum of several transcendentals: a few ulps more.
        close("out", &got, &expected, 4.0 * ABS, 4.0 * REL)
    })
    .await
}
