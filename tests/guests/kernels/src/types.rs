//! Scalar types, vectors, fixed arrays, `#[gpu]` helpers and generic kernels.

use wasi_webgpu::Threads;
use wasi_webgpu::{IVec4, UVec2, Vec2, Vec3, Vec4, global_id, gpu, kernel, select, vec2, vec4};

use crate::{Both, Outcome, Rng, close, same};

#[kernel(workgroup_size = 64)]
fn scalars(flag: bool, scale: f32, offset: i32, step: u32, f: &mut [f32], i: &mut [i32], u: &mut [u32]) {
    let k = global_id().x as usize;
    if k < f.len() {
        let on: bool = flag && k % 2 == 0;
        let x: f32 = k as f32 * scale;
        let y: i32 = k as i32 * offset - 7;
        let z: u32 = k as u32 * step + on as u32;
        f[k] = select(-x, x, on);
        i[k] = y;
        u[k] = z;
    }
}

pub async fn scalar_types(both: &Both<'_>) -> Outcome {
    let n = 130;
    let (scale, offset, step) = (0.25f32, -3i32, 5u32);
    let ef: Vec<f32> = (0..n).map(|k| if k % 2 == 0 { k as f32 * scale } else { -(k as f32 * scale) }).collect();
    let ei: Vec<i32> = (0..n).map(|k| k as i32 * offset - 7).collect();
    let eu: Vec<u32> = (0..n).map(|k| k as u32 * step + u32::from(k % 2 == 0)).collect();
    both.each(async |on| {
        let (mut f, mut i, mut u) = (on.zeroed::<f32>(n)?, on.zeroed::<i32>(n)?, on.zeroed::<u32>(n)?);
        on.at(
            scalars::launch(&on.device, true, scale, offset, step, &mut f, &mut i, &mut u, Threads::x(n as u32)).await
        )?;
        same("f32", &on.read(&f).await?, &ef)?;
        same("i32", &on.read(&i).await?, &ei)?;
        same("u32", &on.read(&u).await?, &eu)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn vectors(
    shift: Vec4<f32>,
    a: &[Vec4<f32>],
    b: &[Vec2<f32>],
    ints: &[IVec4],
    out: &mut [Vec4<f32>],
    iout: &mut [IVec4],
) {
    let i = global_id().x as usize;
    if i < a.len() {
        let p = a[i];
        let q = b[i];
        let r = vec4(q.x, q.y, -q.x, 2.0) * p + shift - p / 4.0;
        let s = Vec3::new(r.x, r.y, r.z) * 2.0 + Vec3::splat(1.0);
        let t = vec2(s.z, s.x) - q * q.y;
        out[i] = vec4(s.x + t.x, s.y - t.y, -s.z, r.w * 0.5);
        let n = ints[i];
        iout[i] = (n * 3 + IVec4::splat(-2)) % vec4(7, 5, 3, 2) - n / 2;
    }
}

/// Vector `+ - *` and `/` by 4 are exact; `/` is by a power of two.
pub async fn vector_operators(both: &Both<'_>) -> Outcome {
    let n = 100;
    let mut rng = Rng::new(20);
    let a: Vec<Vec4<f32>> = (0..n)
        .map(|_| vec4(rng.f32_in(-4.0, 4.0), rng.f32_in(-4.0, 4.0), rng.f32_in(-4.0, 4.0), rng.f32_in(-4.0, 4.0)))
        .collect();
    let b: Vec<Vec2<f32>> = (0..n).map(|_| vec2(rng.f32_in(-2.0, 2.0), rng.f32_in(-2.0, 2.0))).collect();
    let ints: Vec<IVec4> = (0..n)
        .map(|_| vec4(rng.i32_in(-100, 100), rng.i32_in(-100, 100), rng.i32_in(-100, 100), rng.i32_in(-100, 100)))
        .collect();
    let shift = vec4(1.0f32, -2.0, 0.5, 8.0);
    let expected: Vec<f32> = (0..n)
        .flat_map(|i| {
            let (p, q) = (a[i], b[i]);
            let r = [
                q.x * p.x + shift.x - p.x / 4.0,
                q.y * p.y + shift.y - p.y / 4.0,
                -q.x * p.z + shift.z - p.z / 4.0,
                2.0 * p.w + shift.w - p.w / 4.0,
            ];
            let s = [r[0] * 2.0 + 1.0, r[1] * 2.0 + 1.0, r[2] * 2.0 + 1.0];
            let t = [s[2] - q.x * q.y, s[0] - q.y * q.y];
            [s[0] + t[0], s[1] - t[1], -s[2], r[3] * 0.5]
        })
        .collect();
    let iexpected: Vec<i32> = ints
        .iter()
        .flat_map(|n| {
            let m = [7, 5, 3, 2];
            [n.x, n.y, n.z, n.w].into_iter().zip(m).map(|(c, m)| (c * 3 - 2) % m - c / 2).collect::<Vec<_>>()
        })
        .collect();
    both.each(async |on| {
        let (ab, bb, ib) = (on.storage(&a)?, on.storage(&b)?, on.storage(&ints)?);
        let mut out = on.zeroed::<Vec4<f32>>(n)?;
        let mut iout = on.zeroed::<IVec4>(n)?;
        on.at(vectors::launch(&on.device, shift, &ab, &bb, &ib, &mut out, &mut iout, Threads::x(n as u32)).await)?;
        let got: Vec<f32> = on.read(&out).await?.iter().flat_map(|v| v.to_array()).collect();
        // fma contraction may fuse `q * p + shift` on the GPU: allow one rounding.
        close("vec4", &got, &expected, 2e-6, 2e-6)?;
        let igot: Vec<i32> = on.read(&iout).await?.iter().flat_map(|v| v.to_array()).collect();
        same("ivec4", &igot, &iexpected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn arrays(a: &[u32], out: &mut [u32]) {
    let i = global_id().x as usize;
    if i < a.len() {
        let weights = [3u32, 1, 4, 1, 5];
        let mut window = [0u32; 5];
        for k in 0..5 {
            window[k] = a[(i + k) % a.len()] * weights[k];
        }
        let mut best = 0u32;
        for k in 0..5 {
            best = best.max(window[k]);
        }
        out[i] = best + window[i % 5];
    }
}

pub async fn fixed_arrays(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(21);
    let a: Vec<u32> = (0..333).map(|_| rng.next_u32() % 1000).collect();
    let weights = [3u32, 1, 4, 1, 5];
    let expected: Vec<u32> = (0..a.len())
        .map(|i| {
            let window: Vec<u32> = (0..5).map(|k| a[(i + k) % a.len()] * weights[k]).collect();
            window.iter().max().copied().unwrap_or(0) + window[i % 5]
        })
        .collect();
    both.each(async |on| {
        let ab = on.storage(&a)?;
        let mut out = on.zeroed::<u32>(a.len())?;
        on.at(arrays::launch(&on.device, &ab, &mut out, Threads::x(a.len() as u32)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}

/// Squares; a helper the kernel below calls.
#[gpu]
fn square(x: i32) -> i32 {
    x * x
}

/// A helper calling a helper.
#[gpu]
fn dist2(a: i32, b: i32) -> i32 {
    square(a) + square(b)
}

#[kernel(workgroup_size = 64)]
fn with_helpers(xs: &[i32], out: &mut [i32]) {
    let i = global_id().x as usize;
    if i < xs.len() {
        out[i] = dist2(xs[i], i as i32) - square(3);
    }
}

pub async fn gpu_helpers(both: &Both<'_>) -> Outcome {
    let xs: Vec<i32> = (0..200).map(|k| 50 - k).collect();
    // The helpers are ordinary Rust functions too.
    let expected: Vec<i32> = xs.iter().enumerate().map(|(i, &x)| dist2(x, i as i32) - square(3)).collect();
    let plain: Vec<i32> = xs.iter().enumerate().map(|(i, &x)| x * x + (i * i) as i32 - 9).collect();
    same("helpers as plain Rust", &expected, &plain)?;
    both.each(async |on| {
        let xb = on.storage(&xs)?;
        let mut out = on.zeroed::<i32>(xs.len())?;
        on.at(with_helpers::launch(&on.device, &xb, &mut out, Threads::x(xs.len() as u32)).await)?;
        same("out", &on.read(&out).await?, &plain)
    })
    .await
}

#[kernel(workgroup_size = 64, types(T = [f32, i32, u32]))]
fn axpy<T>(a: T, x: &[T], y: &mut [T]) {
    let i = global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

pub async fn generic_kernels(both: &Both<'_>) -> Outcome {
    let n = 150;
    let xf: Vec<f32> = (0..n).map(|k| k as f32 * 0.5).collect();
    let xi: Vec<i32> = (0..n).map(|k| k as i32 - 75).collect();
    let xu: Vec<u32> = (0..n).map(|k| k as u32 * 7).collect();
    both.each(async |on| {
        let (xfb, xib, xub) = (on.storage(&xf)?, on.storage(&xi)?, on.storage(&xu)?);
        let mut yf = on.storage(&vec![1.0f32; n])?;
        let mut yi = on.storage(&vec![-2i32; n])?;
        let mut yu = on.storage(&vec![3u32; n])?;
        on.at(axpy_f32::launch(&on.device, 4.0, &xfb, &mut yf, Threads::x(n as u32)).await)?;
        on.at(axpy_i32::launch(&on.device, -3, &xib, &mut yi, Threads::x(n as u32)).await)?;
        on.at(axpy_u32::launch(&on.device, 5, &xub, &mut yu, Threads::x(n as u32)).await)?;
        same("f32", &on.read(&yf).await?, &xf.iter().map(|x| 4.0 * x + 1.0).collect::<Vec<_>>())?;
        same("i32", &on.read(&yi).await?, &xi.iter().map(|x| -3 * x - 2).collect::<Vec<_>>())?;
        same("u32", &on.read(&yu).await?, &xu.iter().map(|x| 5 * x + 3).collect::<Vec<_>>())
    })
    .await
}

#[kernel(workgroup_size = (8, 8))]
fn grid(width: u32, out: &mut [UVec2]) {
    let id = global_id();
    if id.x < width && (id.y * width + id.x) < out.len() as u32 {
        out[(id.y * width + id.x) as usize] = vec2(id.x, id.y) * 2u32 + wasi_webgpu::workgroup_id().x;
    }
}

/// Two-dimensional launches: `global_id().y` and workgroups along x.
pub async fn two_dimensional_launch(both: &Both<'_>) -> Outcome {
    let (w, h) = (20u32, 13u32);
    let expected: Vec<UVec2> = (0..h).flat_map(|y| (0..w).map(move |x| vec2(x * 2 + x / 8, y * 2 + x / 8))).collect();
    both.each(async |on| {
        let mut out = on.zeroed::<UVec2>((w * h) as usize)?;
        on.at(grid::launch(&on.device, w, &mut out, Threads::xy(w, h)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}

/// A `#[derive(GpuType)]` struct as a kernel's buffer element.
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable, wasi_webgpu::GpuType)]
#[repr(C)]
pub struct Particle {
    pub pos: Vec4<f32>,
    pub vel: Vec4<f32>,
    pub mass: f32,
    pub _pad: [f32; 3],
}

#[kernel(workgroup_size = 64)]
fn particle_step(dt: f32, ps: &mut [Particle], energy: &mut [f32]) {
    let i = global_id().x as usize;
    if i < ps.len() {
        let mut p = ps[i];
        p.vel.y = p.vel.y - 9.75 * dt;
        p.pos = p.pos + p.vel * dt;
        ps[i] = Particle { pos: p.pos, vel: p.vel, mass: p.mass * 2.0, _pad: [0.0; 3] };
        energy[i] = 0.5 * p.mass * p.vel.dot(p.vel);
    }
}

pub async fn gpu_type_structs(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(22);
    let mut random_vec = || vec4(rng.f32_in(-5.0, 5.0), rng.f32_in(-5.0, 5.0), rng.f32_in(-5.0, 5.0), 0.0);
    let ps: Vec<Particle> = (0..100)
        .map(|k| Particle { pos: random_vec(), vel: random_vec(), mass: 1.0 + k as f32 / 8.0, _pad: [0.0; 3] })
        .collect();
    let dt = 0.125f32;
    let expected: Vec<(Particle, f32)> = ps
        .iter()
        .map(|p| {
            let mut vel = p.vel;
            vel.y -= 9.75 * dt;
            let pos = p.pos + vel * dt;
            (Particle { pos, vel, mass: p.mass * 2.0, _pad: [0.0; 3] }, 0.5 * p.mass * vel.dot(vel))
        })
        .collect();
    let flat = |p: &Particle| [p.pos.to_array(), p.vel.to_array(), [p.mass, 0.0, 0.0, 0.0]].concat();
    let expected_ps: Vec<f32> = expected.iter().flat_map(|(p, _)| flat(p)).collect();
    let expected_energy: Vec<f32> = expected.iter().map(|&(_, e)| e).collect();
    both.each(async |on| {
        let mut pb = on.storage(&ps)?;
        let mut eb = on.zeroed::<f32>(ps.len())?;
        on.at(particle_step::launch(&on.device, dt, &mut pb, &mut eb, Threads::x(ps.len() as u32)).await)?;
        let got: Vec<f32> = on.read(&pb).await?.iter().flat_map(flat).collect();
        // `pos + vel * dt` may be fused on the GPU: one rounding apart.
        close("particles", &got, &expected_ps, 1e-6, 1e-6)?;
        close("energy", &on.read(&eb).await?, &expected_energy, 1e-5, 1e-6)
    })
    .await
}
