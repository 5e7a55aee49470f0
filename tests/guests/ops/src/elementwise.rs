//! Elementwise operations over 1, 7, 1000 and 4099 elements (neither a
//! multiple of the 256-invocation workgroup), and the in-place forms over 7
//! and 1,048,583 (past a million, odd). Additions and products are
//! exactly rounded in IEEE f32 on both sides, so those compare bit for bit.

use wasi_webgpu_ops::Ops;

use crate::{Context, Gpu, OpsContext, Outcome, Rng, buffer, checks, close, ensure, exact, poisoned, run, within};

checks![add_mul, relu_and_backward, gelu_tanh_approximation, bias_add_rows, axpy_and_scale, in_place_forms];

const SIZES: [usize; 4] = [1, 7, 1000, 4099];

async fn add_mul(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(5);
    for n in SIZES {
        let (a, b) = (rng.vec(n, -10.0, 10.0), rng.vec(n, -10.0, 10.0));
        let (a_buffer, b_buffer, out) = (buffer(gpu, &a)?, buffer(gpu, &b)?, poisoned(gpu, n)?);
        let sum = run(gpu, &ops.add(&a_buffer, &b_buffer, &out).await.at("add")?, &out).await?;
        exact(&format!("add of {n}"), &sum, &a.iter().zip(&b).map(|(x, y)| x + y).collect::<Vec<_>>())?;
        let product = run(gpu, &ops.mul(&a_buffer, &b_buffer, &out).await.at("mul")?, &out).await?;
        exact(&format!("mul of {n}"), &product, &a.iter().zip(&b).map(|(x, y)| x * y).collect::<Vec<_>>())?;
    }
    Ok(())
}

async fn relu_and_backward(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(6);
    for n in SIZES {
        let (x, grad) = (rng.vec(n, -1.0, 1.0), rng.vec(n, -5.0, 5.0));
        let (x_buffer, grad_buffer, out) = (buffer(gpu, &x)?, buffer(gpu, &grad)?, poisoned(gpu, n)?);
        let relu = run(gpu, &ops.relu(&x_buffer, &out).await.at("relu")?, &out).await?;
        exact(&format!("relu of {n}"), &relu, &x.iter().map(|v| v.max(0.0)).collect::<Vec<_>>())?;
        let op = ops.relu_backward(&grad_buffer, &x_buffer, &out).await.at("relu_backward")?;
        let backward = run(gpu, &op, &out).await?;
        let expected: Vec<f32> = x.iter().zip(&grad).map(|(&v, &g)| if v > 0.0 { g } else { 0.0 }).collect();
        exact(&format!("relu_backward of {n}"), &backward, &expected)?;
    }
    Ok(())
}

/// The tanh formula in f64. Tolerance: 1e-6 absolute + 1e-5 relative, for
/// the GPU's `exp` (WGSL allows 3 + 2|x| ULP) and the f32 cube.
async fn gelu_tanh_approximation(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(7);
    for n in SIZES {
        // Wide enough that the tanh saturates at both ends, where a naive
        // tanh gives NaN.
        let mut x = rng.vec(n, -4.0, 4.0);
        if n > 7 {
            x[0] = -90.0;
            x[1] = 90.0;
            x[2] = 0.0;
        }
        let (x_buffer, out) = (buffer(gpu, &x)?, poisoned(gpu, n)?);
        let gelu = run(gpu, &ops.gelu(&x_buffer, &out).await.at("gelu")?, &out).await?;
        let expected: Vec<f64> = x
            .iter()
            .map(|&v| {
                let v = f64::from(v);
                0.5 * v * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (v + 0.044715 * v * v * v)).tanh())
            })
            .collect();
        close(&format!("gelu of {n}"), &gelu, &expected, 1e-6, 1e-5)?;
    }
    Ok(())
}

async fn bias_add_rows(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(8);
    for (rows, cols) in [(1, 1), (7, 13), (33, 65), (1, 1000), (1000, 3)] {
        let (x, bias) = (rng.vec(rows * cols, -1.0, 1.0), rng.vec(cols, -1.0, 1.0));
        let (x_buffer, bias_buffer, out) = (buffer(gpu, &x)?, buffer(gpu, &bias)?, poisoned(gpu, rows * cols)?);
        let op = ops.bias_add(&x_buffer, &bias_buffer, &out).await.at("bias_add")?;
        let expected: Vec<f32> = x.iter().enumerate().map(|(i, v)| v + bias[i % cols]).collect();
        exact(&format!("bias_add {rows}x{cols}"), &run(gpu, &op, &out).await?, &expected)?;
    }
    Ok(())
}

async fn axpy_and_scale(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(9);
    for n in SIZES {
        let (x, y) = (rng.vec(n, -1.0, 1.0), rng.vec(n, -1.0, 1.0));
        let (x_buffer, y_buffer) = (buffer(gpu, &x)?, buffer(gpu, &y)?);
        let axpy = run(gpu, &ops.axpy(-0.375, &x_buffer, &y_buffer).await.at("axpy")?, &y_buffer).await?;
        // WGSL's fma may round once or twice: 1 ULP of slack (values < 1.4).
        let expected: Vec<f64> = x.iter().zip(&y).map(|(&x, &y)| -0.375 * f64::from(x) + f64::from(y)).collect();
        close(&format!("axpy of {n}"), &axpy, &expected, 1.5e-7, 0.0)?;
        let scaled = run(gpu, &ops.scale(3.0, &y_buffer).await.at("scale")?, &y_buffer).await?;
        exact(&format!("scale of {n}"), &scaled, &axpy.iter().map(|v| 3.0 * v).collect::<Vec<_>>())?;
    }
    Ok(())
}

/// The tanh GELU in f64.
fn gelu_tanh(v: f32) -> f64 {
    let v = f64::from(v);
    0.5 * v * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (v + 0.044715 * v * v * v)).tanh())
}

/// `relu_in_place`, the three GELU in-place forms and `add_in_place`, each
/// on a fresh buffer, against references computed here: ReLU and the sum
/// bit for bit, the tanh GELU within `1e-6 + 1e-5 |ref|` of f64 (as
/// `gelu`'s), exact GELU within `1e-7 + 2.5e-7 |x|` of f64 `erf`.
async fn in_place_forms(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(10);
    for n in [7, 1_048_583] {
        let (x, y) = (rng.vec(n, -4.0, 4.0), rng.vec(n, -4.0, 4.0));
        let target = buffer(gpu, &x)?;
        let relu = run(gpu, &ops.relu_in_place(&target).await.at("relu_in_place")?, &target).await?;
        exact(&format!("relu_in_place of {n}"), &relu, &x.iter().map(|v| v.max(0.0)).collect::<Vec<_>>())?;

        let tanh: Vec<f64> = x.iter().map(|&v| gelu_tanh(v)).collect();
        for name in ["gelu_in_place", "gelu_tanh_in_place"] {
            let target = buffer(gpu, &x)?;
            let op = if name == "gelu_in_place" {
                ops.gelu_in_place(&target).await
            } else {
                ops.gelu_tanh_in_place(&target).await
            };
            let got = run(gpu, &op.at(name)?, &target).await?;
            close(&format!("{name} of {n}"), &got, &tanh, 1e-6, 1e-5)?;
        }

        let target = buffer(gpu, &x)?;
        let got = run(gpu, &ops.gelu_erf_in_place(&target).await.at("gelu_erf_in_place")?, &target).await?;
        let exact_gelu: Vec<f64> = x
            .iter()
            .map(|&v| 0.5 * f64::from(v) * (1.0 + libm::erf(f64::from(v) / std::f64::consts::SQRT_2)))
            .collect();
        within(&format!("gelu_erf_in_place of {n}"), &got, &exact_gelu, |i| 1e-7 + 2.5e-7 * f64::from(x[i]).abs())?;

        let (a, b) = (buffer(gpu, &x)?, buffer(gpu, &y)?);
        let sum = run(gpu, &ops.add_in_place(&a, &b).await.at("add_in_place")?, &a).await?;
        exact(&format!("add_in_place of {n}"), &sum, &x.iter().zip(&y).map(|(p, q)| p + q).collect::<Vec<_>>())?;
        ensure!(b.read().await.at("read b")? == y, "add_in_place of {n} wrote b");
    }
    Ok(())
}
