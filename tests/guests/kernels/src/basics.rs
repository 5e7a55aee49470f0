//! Statements, operators and control flow.

use wasi_webgpu::Threads;
use wasi_webgpu::{global_id, kernel};

use crate::{Both, Outcome, Rng, close, same};

/// Inputs that cover signs, zero and the integer extremes.
fn ints(n: usize, seed: u32) -> Vec<i32> {
    let mut rng = Rng::new(seed);
    let mut v: Vec<i32> = (0..n).map(|_| rng.i32_in(-1000, 1000)).collect();
    v[..6].copy_from_slice(&[0, 1, -1, i32::MAX, i32::MIN, 7]);
    v
}

#[kernel(workgroup_size = 64)]
fn lets(a: &[i32], out: &mut [i32]) {
    let i = global_id().x as usize;
    if i < out.len() {
        let x = a[i];
        let mut acc = x * 2;
        acc += 3;
        let y = acc - x;
        acc = acc * y;
        out[i] = acc;
    }
}

pub async fn let_bindings(both: &Both<'_>) -> Outcome {
    let a = ints(300, 1);
    let expected: Vec<i32> = a
        .iter()
        .map(|&x| {
            let acc = x.wrapping_mul(2).wrapping_add(3);
            let y = acc.wrapping_sub(x);
            acc.wrapping_mul(y)
        })
        .collect();
    both.each(async |on| {
        let ab = on.storage(&a)?;
        let mut out = on.zeroed::<i32>(a.len())?;
        on.at(lets::launch(&on.device, &ab, &mut out, Threads::x(a.len() as u32)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn int_arith(a: &[i32], b: &[i32], u: &[u32], v: &[u32], si: &mut [i32], su: &mut [u32]) {
    let i = global_id().x as usize;
    if i < a.len() {
        let x = a[i];
        let y = b[i];
        si[5 * i] = x + y;
        si[5 * i + 1] = x - y;
        si[5 * i + 2] = x * y;
        si[5 * i + 3] = x / y;
        si[5 * i + 4] = x % y;
        let p = u[i];
        let q = v[i];
        su[6 * i] = p + q;
        su[6 * i + 1] = p - q;
        su[6 * i + 2] = p * q;
        su[6 * i + 3] = p / q;
        su[6 * i + 4] = p % q;
        su[6 * i + 5] = (p << (q % 32)) ^ (p >> 3) & q | !p;
    }
}

pub async fn integer_arithmetic(both: &Both<'_>) -> Outcome {
    let n = 200;
    let a = ints(n, 2);
    let mut b = ints(n, 3);
    // Division by zero and i32::MIN / -1 follow WGSL on both paths.
    b[..6].copy_from_slice(&[0, 0, 0, -1, -1, 3]);
    let mut rng = Rng::new(4);
    let u: Vec<u32> = (0..n).map(|k| if k < 3 { u32::MAX - k as u32 } else { rng.next_u32() }).collect();
    let v: Vec<u32> = (0..n).map(|k| if k < 4 { k as u32 % 2 } else { rng.next_u32() >> (k % 32) }).collect();
    let wgsl_div = |x: i32, y: i32| if y == 0 { x } else { x.wrapping_div(y) };
    let wgsl_rem = |x: i32, y: i32| if y == 0 { 0 } else { x.wrapping_rem(y) };
    let si: Vec<i32> = a
        .iter()
        .zip(&b)
        .flat_map(|(&x, &y)| [x.wrapping_add(y), x.wrapping_sub(y), x.wrapping_mul(y), wgsl_div(x, y), wgsl_rem(x, y)])
        .collect();
    let su: Vec<u32> = u
        .iter()
        .zip(&v)
        .flat_map(|(&p, &q)| {
            [
                p.wrapping_add(q),
                p.wrapping_sub(q),
                p.wrapping_mul(q),
                p.checked_div(q).unwrap_or(p),
                p.checked_rem(q).unwrap_or(0),
                (p << (q % 32)) ^ (p >> 3) & q | !p,
            ]
        })
        .collect();
    both.each(async |on| {
        let (ab, bb, ub, vb) = (on.storage(&a)?, on.storage(&b)?, on.storage(&u)?, on.storage(&v)?);
        let mut sib = on.zeroed::<i32>(si.len())?;
        let mut sub = on.zeroed::<u32>(su.len())?;
        on.at(int_arith::launch(&on.device, &ab, &bb, &ub, &vb, &mut sib, &mut sub, Threads::x(n as u32)).await)?;
        same("i32", &on.read(&sib).await?, &si)?;
        same("u32", &on.read(&sub).await?, &su)
    })
    .await
}

#[kernel(workgroup_size = 32)]
fn float_arith(a: &[f32], b: &[f32], out: &mut [f32]) {
    let i = global_id().x as usize;
    if i < a.len() {
        let x = a[i];
        let y = b[i];
        out[4 * i] = x + y;
        out[4 * i + 1] = x - y * 0.5;
        out[4 * i + 2] = -x * y;
        out[4 * i + 3] = x / y;
    }
}

/// `+ - *` are exact IEEE operations everywhere; division is correctly
/// rounded on the CPU and within 2.5 ulp on Vulkan, hence its tolerance.
pub async fn float_arithmetic(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(5);
    let a: Vec<f32> = (0..300).map(|_| rng.f32_in(-100.0, 100.0)).collect();
    let b: Vec<f32> =
        (0..300).map(|_| rng.f32_in(0.5, 50.0) * if rng.next_u32().is_multiple_of(2) { 1.0 } else { -1.0 }).collect();
    let exact: Vec<f32> = a.iter().zip(&b).flat_map(|(&x, &y)| [x + y, x - y * 0.5, -x * y]).collect();
    let quotients: Vec<f32> = a.iter().zip(&b).map(|(&x, &y)| x / y).collect();
    both.each(async |on| {
        let (ab, bb) = (on.storage(&a)?, on.storage(&b)?);
        let mut out = on.zeroed::<f32>(4 * a.len())?;
        on.at(float_arith::launch(&on.device, &ab, &bb, &mut out, Threads::x(a.len() as u32)).await)?;
        let got = on.read(&out).await?;
        let got_exact: Vec<f32> = got.chunks(4).flat_map(|c| [c[0], c[1], c[2]]).collect();
        same("+ - *", &got_exact, &exact)?;
        close("/", &got.chunks(4).map(|c| c[3]).collect::<Vec<_>>(), &quotients, 0.0, 3e-7)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn comparisons(a: &[i32], b: &[i32], f: &[f32], g: &[f32], out: &mut [u32]) {
    let i = global_id().x as usize;
    if i < a.len() {
        let x = a[i];
        let y = b[i];
        let p = f[i];
        let q = g[i];
        let mut bits = 0u32;
        if x < y {
            bits |= 1;
        }
        if x <= y {
            bits |= 2;
        }
        if x > y {
            bits |= 4;
        }
        if x >= y {
            bits |= 8;
        }
        if x == y {
            bits |= 16;
        }
        if x != y {
            bits |= 32;
        }
        if p < q {
            bits |= 64;
        }
        if p >= q {
            bits |= 128;
        }
        if (x as u32) < (y as u32) {
            bits |= 256;
        }
        out[i] = bits;
    }
}

pub async fn comparison_operators(both: &Both<'_>) -> Outcome {
    let a = ints(256, 6);
    let mut b = ints(256, 7);
    b[6..20].copy_from_slice(&a[6..20]);
    let mut rng = Rng::new(8);
    let f: Vec<f32> = (0..256).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let mut g: Vec<f32> = (0..256).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    g[..10].copy_from_slice(&f[..10]);
    let expected: Vec<u32> = (0..256)
        .map(|i| {
            let (x, y, p, q) = (a[i], b[i], f[i], g[i]);
            [x < y, x <= y, x > y, x >= y, x == y, x != y, p < q, p >= q, (x as u32) < (y as u32)]
                .iter()
                .enumerate()
                .map(|(bit, &c)| u32::from(c) << bit)
                .sum()
        })
        .collect();
    both.each(async |on| {
        let (ab, bb, fb, gb) = (on.storage(&a)?, on.storage(&b)?, on.storage(&f)?, on.storage(&g)?);
        let mut out = on.zeroed::<u32>(256)?;
        on.at(comparisons::launch(&on.device, &ab, &bb, &fb, &gb, &mut out, Threads::x(256)).await)?;
        same("bits", &on.read(&out).await?, &expected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn logic(flags: &[u32], invert: bool, out: &mut [u32]) {
    let i = global_id().x as usize;
    if i < flags.len() {
        let f = flags[i];
        let a = f & 1 == 1;
        let b = f & 2 == 2;
        let c = f & 4 == 4;
        let mut r = (a && b) || (!c && a != b);
        if invert {
            r = !r;
        }
        let both_set = a && b;
        out[i] = r as u32 + 2 * (both_set || c) as u32;
    }
}

pub async fn logical_operators(both: &Both<'_>) -> Outcome {
    let flags: Vec<u32> = (0..100).map(|i| i % 8).collect();
    let expected = |invert: bool| -> Vec<u32> {
        flags
            .iter()
            .map(|&f| {
                let (a, b, c) = (f & 1 == 1, f & 2 == 2, f & 4 == 4);
                let r = ((a && b) || (!c && a != b)) != invert;
                u32::from(r) + 2 * u32::from((a && b) || c)
            })
            .collect()
    };
    both.each(async |on| {
        let fb = on.storage(&flags)?;
        for invert in [false, true] {
            let mut out = on.zeroed::<u32>(flags.len())?;
            on.at(logic::launch(&on.device, &fb, invert, &mut out, Threads::x(100)).await)?;
            same(&format!("invert={invert}"), &on.read(&out).await?, &expected(invert))?;
        }
        Ok(())
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn casts(f: &[f32], i: &[i32], u: &mut [u32], out_i: &mut [i32], out_f: &mut [f32]) {
    let k = global_id().x as usize;
    if k < f.len() {
        let x = f[k];
        let n = i[k];
        u[3 * k] = n as u32;
        u[3 * k + 1] = x as u32;
        u[3 * k + 2] = (x > 0.0) as u32;
        out_i[2 * k] = x as i32;
        out_i[2 * k + 1] = (n as u32 >> 1) as i32;
        out_f[2 * k] = n as f32;
        out_f[2 * k + 1] = (n as u32) as f32;
    }
}

/// In-range float-to-integer casts truncate on both paths (out-of-range
/// ones differ: Rust saturates, WGSL leaves them to the implementation).
pub async fn as_casts(both: &Both<'_>) -> Outcome {
    let mut rng = Rng::new(9);
    let f: Vec<f32> = (0..128).map(|_| rng.f32_in(-1000.0, 1000.0)).collect();
    let i = ints(128, 10);
    let positive = |x: f32| if x > 0.0 { x as u32 } else { 0 };
    let eu: Vec<u32> = f.iter().zip(&i).flat_map(|(&x, &n)| [n as u32, positive(x), u32::from(x > 0.0)]).collect();
    let ei: Vec<i32> = f.iter().zip(&i).flat_map(|(&x, &n)| [x as i32, (n as u32 >> 1) as i32]).collect();
    let ef: Vec<f32> = i.iter().flat_map(|&n| [n as f32, (n as u32) as f32]).collect();
    both.each(async |on| {
        let (fb, ib) = (on.storage(&f)?, on.storage(&i)?);
        let (mut ub, mut oi, mut of) = (on.zeroed::<u32>(3 * 128)?, on.zeroed::<i32>(256)?, on.zeroed::<f32>(256)?);
        on.at(casts::launch(&on.device, &fb, &ib, &mut ub, &mut oi, &mut of, Threads::x(128)).await)?;
        let got_u = on.read(&ub).await?;
        // `x as u32` of a negative float is implementation-defined in WGSL: compare only the positive ones.
        let masked: Vec<u32> =
            got_u.iter().enumerate().map(|(k, &v)| if k % 3 == 1 && f[k / 3] <= 0.0 { 0 } else { v }).collect();
        same("u32", &masked, &eu)?;
        same("i32", &on.read(&oi).await?, &ei)?;
        same("f32", &on.read(&of).await?, &ef)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn branches(a: &[i32], out: &mut [i32]) {
    let i = global_id().x as usize;
    if i >= a.len() {
        return;
    }
    let x = a[i];
    let mut y = 0;
    if x < -500 {
        y = -1;
    } else if x < 0 {
        y = 0;
    } else if x == 0 {
        y = 100;
    } else {
        y = x % 10;
    }
    out[i] = y;
}

pub async fn if_else(both: &Both<'_>) -> Outcome {
    let a = ints(500, 11);
    let expected: Vec<i32> = a
        .iter()
        .map(|&x| match x {
            x if x < -500 => -1,
            x if x < 0 => 0,
            0 => 100,
            x => x % 10,
        })
        .collect();
    both.each(async |on| {
        let ab = on.storage(&a)?;
        let mut out = on.zeroed::<i32>(a.len())?;
        on.at(branches::launch(&on.device, &ab, &mut out, Threads::x(500)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn range_loops(n: u32, out: &mut [u32]) {
    let i = global_id().x;
    if (i as usize) < out.len() {
        let mut acc = 0u32;
        for k in 0..i % 17 {
            acc += k * k;
        }
        for k in 1..=n {
            acc = acc * 3 + k;
        }
        for k in (i % 5)..(i % 7) {
            acc ^= k << 4;
        }
        out[i as usize] = acc;
    }
}

pub async fn for_ranges(both: &Both<'_>) -> Outcome {
    let n = 5;
    let expected: Vec<u32> = (0..300u32)
        .map(|i| {
            let mut acc = 0u32;
            for k in 0..i % 17 {
                acc = acc.wrapping_add(k * k);
            }
            for k in 1..=n {
                acc = acc.wrapping_mul(3).wrapping_add(k);
            }
            for k in (i % 5)..(i % 7) {
                acc ^= k << 4;
            }
            acc
        })
        .collect();
    both.each(async |on| {
        let mut out = on.zeroed::<u32>(300)?;
        on.at(range_loops::launch(&on.device, n, &mut out, Threads::x(300)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn collatz(start: &[u32], steps: &mut [u32]) {
    let i = global_id().x as usize;
    if i < start.len() {
        let mut n = start[i];
        let mut count = 0u32;
        while n > 1 {
            if n % 2 == 0 {
                n /= 2;
            } else {
                n = 3 * n + 1;
            }
            count += 1;
        }
        steps[i] = count;
    }
}

pub async fn while_loops(both: &Both<'_>) -> Outcome {
    let start: Vec<u32> = (1..=777).collect();
    let expected: Vec<u32> = start
        .iter()
        .map(|&s| {
            let (mut n, mut c) = (s, 0);
            while n > 1 {
                n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
                c += 1;
            }
            c
        })
        .collect();
    both.each(async |on| {
        let sb = on.storage(&start)?;
        let mut out = on.zeroed::<u32>(start.len())?;
        on.at(collatz::launch(&on.device, &sb, &mut out, Threads::x(start.len() as u32)).await)?;
        same("steps", &on.read(&out).await?, &expected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn loops(limit: u32, out: &mut [u32]) {
    let i = global_id().x;
    if i as usize >= out.len() {
        return;
    }
    let mut k = 0u32;
    let mut sum = 0u32;
    loop {
        k += 1;
        if k > limit + i % 13 {
            break;
        }
        if k % 3 == 0 {
            continue;
        }
        sum += k;
    }
    out[i as usize] = sum;
}

pub async fn loop_break_continue(both: &Both<'_>) -> Outcome {
    let limit = 20;
    let expected: Vec<u32> = (0..200u32).map(|i| (1..=limit + i % 13).filter(|k| k % 3 != 0).sum()).collect();
    both.each(async |on| {
        let mut out = on.zeroed::<u32>(200)?;
        on.at(loops::launch(&on.device, limit, &mut out, Threads::x(200)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}

#[kernel(workgroup_size = 64)]
fn early(a: &[i32], out: &mut [i32]) {
    let i = global_id().x as usize;
    if i >= a.len() {
        return;
    }
    out[i] = -1;
    if a[i] < 0 {
        return;
    }
    for k in 0..10 {
        if k * k > a[i] {
            out[i] = k;
            return;
        }
    }
    out[i] = 99;
}

pub async fn early_return(both: &Both<'_>) -> Outcome {
    let a: Vec<i32> = (0..150).map(|k| k - 20).collect();
    let expected: Vec<i32> =
        a.iter().map(|&x| if x < 0 { -1 } else { (0..10).find(|k| k * k > x).unwrap_or(99) }).collect();
    both.each(async |on| {
        let ab = on.storage(&a)?;
        let mut out = on.storage(&vec![7i32; a.len()])?;
        on.at(early::launch(&on.device, &ab, &mut out, Threads::x(a.len() as u32)).await)?;
        same("out", &on.read(&out).await?, &expected)
    })
    .await
}
