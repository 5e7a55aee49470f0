//! The API around the kernels: many ops in one pass, ops recorded again
//! after their inputs change, empty shapes, and the errors bad shapes and
//! buffers give (before anything reaches the GPU).

use wasi_webgpu::BufferUsages;
use wasi_webgpu_ops::{Error, MatmulDesc, Ops, ReduceDesc, RowsDesc, ScanKind, Tiling};

use crate::{Context, Gpu, OpsContext, Outcome, Rng, buffer, checks, close, ensure, expect_err, poisoned};

checks![
    layer_chain_in_one_pass,
    grids_past_the_dispatch_limit_fold,
    ops_record_again_with_new_inputs,
    empty_shapes_dispatch_nothing,
    bad_shapes_are_errors,
    aliased_buffers_are_an_error,
    errors_name_the_call_and_argument
];

/// softmax(relu(x W + b)) for a batch of 5 rows of 19 features into 23
/// outputs: four ops in one compute pass and one submit. On the CPU device,
/// which has no passes, encoding is an error and `Ops::run` runs the chain.
async fn layer_chain_in_one_pass(gpu: &Gpu) -> Outcome {
    let (batch, inputs, outputs) = (5usize, 19usize, 23usize);
    let mut rng = Rng::new(91);
    let (x, w, b) =
        (rng.vec(batch * inputs, -1.0, 1.0), rng.vec(inputs * outputs, -1.0, 1.0), rng.vec(outputs, -1.0, 1.0));
    let (x_buffer, w_buffer, b_buffer) = (buffer(gpu, &x)?, buffer(gpu, &w)?, buffer(gpu, &b)?);
    let (h, hb, hr, y) = (
        poisoned(gpu, batch * outputs)?,
        poisoned(gpu, batch * outputs)?,
        poisoned(gpu, batch * outputs)?,
        poisoned(gpu, batch * outputs)?,
    );
    let ops = Ops::new(&gpu.device);
    let chain = [
        ops.matmul(&MatmulDesc::new(batch as u32, outputs as u32, inputs as u32), &x_buffer, &w_buffer, &h)
            .await
            .at("matmul")?,
        ops.bias_add(&h, &b_buffer, &hb).await.at("bias_add")?,
        ops.relu(&hb, &hr).await.at("relu")?,
        ops.softmax(&RowsDesc::new(batch as u32, outputs as u32), &hr, &y).await.at("softmax")?,
    ];
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    if gpu.device.is_cpu() {
        for op in &chain {
            expect_err!(op.encode(&mut pass), Error::Gpu { source: wasi_webgpu::Error::CpuDevice { .. }, .. });
        }
        pass.end();
        ensure!(y.read().await.at("read")?[0].is_nan(), "encoding a CPU op ran it");
        ops.run(&gpu.queue, &chain.each_ref()).await.at("run")?;
    } else {
        for op in &chain {
            op.encode(&mut pass).at(op.name())?;
        }
        pass.end();
        gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    }

    let mut expected = Vec::new();
    for r in 0..batch {
        let z: Vec<f64> = (0..outputs)
            .map(|c| {
                let dot: f64 = (0..inputs).map(|i| f64::from(x[r * inputs + i]) * f64::from(w[i * outputs + c])).sum();
                (dot + f64::from(b[c])).max(0.0)
            })
            .collect();
        let peak = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = z.iter().map(|v| (v - peak).exp()).sum();
        expected.extend(z.iter().map(|v| (v - peak).exp() / total));
    }
    // Tolerance: 1e-6 absolute + 1e-5 relative (19-term dot products, exp).
    close("softmax(relu(xW + b))", &y.read().await.at("read")?, &expected, 1e-6, 1e-5)
}

/// More workgroups than one dispatch dimension takes (65535) are numbered
/// over a second dimension: 70000 rows reduced one workgroup each, and an
/// elementwise op over 256 * 65535 + 1 elements.
async fn grids_past_the_dispatch_limit_fold(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let rows = 70_000;
    let x: Vec<f32> = (0..rows).map(|i| (i % 1000) as f32 - 500.0).collect();
    let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, rows)?);
    let op = ops.max(&ReduceDesc::new(rows as u32, 1, 1), &input, &output).await.at("max")?;
    crate::exact("max of 70000 rows of 1", &crate::run(gpu, &op, &output).await?, &x)?;

    let n = 256 * 65_535 + 1;
    let mut rng = Rng::new(93);
    let y: Vec<f32> = (0..n).map(|_| rng.f32_in(-1.0, 1.0)).collect();
    let y_buffer = buffer(gpu, &y)?;
    let op = ops.scale(3.0, &y_buffer).await.at("scale")?;
    let scaled = crate::run(gpu, &op, &y_buffer).await?;
    crate::exact(&format!("scale of {n}"), &scaled, &y.iter().map(|v| 3.0 * v).collect::<Vec<_>>())
}

/// An op's bind groups stay bound to its buffers: writing new inputs and
/// recording the same op again computes on the new data.
async fn ops_record_again_with_new_inputs(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(92);
    let n = 1000;
    let (input, output) = (poisoned(gpu, n)?, poisoned(gpu, 1)?);
    let sum = ops.sum(&ReduceDesc::vector(n as u32), &input, &output).await.at("sum")?;
    for round in 0..3 {
        // Integers: the sums are exact.
        let x: Vec<f32> = (0..n).map(|_| (rng.next_u32() % 100) as f32).collect();
        gpu.queue.write_buffer(&input, 0, &x).at("write")?;
        ops.run(&gpu.queue, &[&sum]).await.at("run")?;
        let total = output.read().await.at("read")?[0];
        let expected: f32 = x.iter().sum();
        ensure!(total == expected, "round {round}: sum {total}, expected {expected}");
    }
    Ok(())
}

async fn empty_shapes_dispatch_nothing(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let (one, other) = (buffer(gpu, &[1.0])?, buffer(gpu, &[2.0])?);
    let (empty, empty_out) = (buffer(gpu, &[])?, buffer(gpu, &[])?);
    let prepared = [
        ops.matmul(&MatmulDesc::new(0, 5, 5), &one, &one, &other).await.at("matmul m = 0")?,
        ops.matmul(&MatmulDesc::new(1, 1, 1).batched(0), &one, &one, &other).await.at("matmul batch 0")?,
        ops.relu(&empty, &empty_out).await.at("relu of nothing")?,
        ops.scan(ScanKind::Inclusive, &empty, &empty_out).await.at("scan of nothing")?,
        ops.softmax(&RowsDesc::new(0, 10), &one, &other).await.at("softmax of no rows")?,
        ops.sum(&ReduceDesc::new(0, 10, 1), &one, &other).await.at("sum of no rows")?,
    ];
    for op in &prepared {
        ensure!(op.dispatch_count() == 0, "{} records {} dispatches", op.name(), op.dispatch_count());
        op.submit(&gpu.queue).await.at(op.name())?;
    }
    ensure!(other.read().await.at("read")? == [2.0], "an empty op wrote its output");
    Ok(())
}

async fn bad_shapes_are_errors(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let (six, twelve, out) = (buffer(gpu, &[0.0; 6])?, buffer(gpu, &[0.0; 12])?, poisoned(gpu, 8)?);
    // 2x3 * 3x4 fits; 2x4 * 4x4 needs 8 elements of A and 16 of B.
    ops.matmul(&MatmulDesc::new(2, 4, 3), &six, &twelve, &out).await.at("fitting matmul")?;
    expect_err!(
        ops.matmul(&MatmulDesc::new(2, 4, 4), &six, &twelve, &out).await,
        Error::TooSmall { op: "matmul", buffer: "a", len: 6, needed: 8 }
    );
    expect_err!(
        ops.matmul(&MatmulDesc::new(2, 4, 3).batched(2), &six, &twelve, &out).await,
        Error::TooSmall { buffer: "a", needed: 12, .. }
    );
    // Batch entries of C overlapping.
    expect_err!(
        ops.matmul(&MatmulDesc::new(1, 2, 3).batched(2).strides(3, 6, 1), &six, &twelve, &out).await,
        Error::Shape { op: "matmul", .. }
    );
    // 65536 tiles of 64 (or 128) columns: one more than a dispatch dimension
    // holds. Auto picks 128 tiles for so many, so 64 ones are forced.
    let wide = gpu
        .device
        .create_buffer::<f32>(&wasi_webgpu::BufferDescriptor {
            len: 65536 * 128,
            usage: BufferUsages::STORAGE,
            ..Default::default()
        })
        .at("wide buffer")?;
    expect_err!(
        ops.matmul(&MatmulDesc::new(1, 65536 * 64, 0).with_tiling(Tiling::Tile64), &six, &twelve, &wide).await,
        Error::Shape { op: "matmul", .. }
    );
    expect_err!(
        ops.matmul(&MatmulDesc::new(1, 65536 * 128, 0), &six, &twelve, &wide).await,
        Error::Shape { op: "matmul", .. }
    );
    expect_err!(ops.add(&six, &twelve, &out).await, Error::LengthMismatch { buffer: "b", len: 12, expected: 6, .. });
    expect_err!(ops.bias_add(&twelve, &out, &twelve).await, Error::Shape { op: "bias_add", .. });
    expect_err!(ops.sum(&ReduceDesc::new(2, 3, 2), &six, &out).await, Error::Shape { op: "sum", .. });
    expect_err!(ops.max(&ReduceDesc::new(3, 0, 1), &six, &out).await, Error::Shape { op: "max", .. });
    expect_err!(ops.sum(&ReduceDesc::new(3, 4, 0), &six, &out).await, Error::TooSmall { buffer: "input", .. });
    expect_err!(ops.sum(&ReduceDesc::new(12, 1, 1), &twelve, &six).await, Error::TooSmall { buffer: "output", .. });
    expect_err!(ops.softmax(&RowsDesc::new(3, 3), &six, &out).await, Error::TooSmall { buffer: "input", .. });
    expect_err!(ops.scan(ScanKind::Exclusive, &six, &twelve).await, Error::LengthMismatch { op: "scan", .. });
    let mut desc = wasi_webgpu_ops::LayerNormDesc::new(2, 3);
    for eps in [-1.0, f32::NAN, f32::INFINITY] {
        desc.eps = eps;
        expect_err!(ops.layer_norm(&desc, &six, &six, &six, &out).await, Error::Shape { op: "layer_norm", .. });
    }
    expect_err!(
        ops.layer_norm(&wasi_webgpu_ops::LayerNormDesc::new(1, 6), &six, &buffer(gpu, &[1.0; 3])?, &six, &out).await,
        Error::TooSmall { buffer: "gamma", len: 3, needed: 6, .. }
    );
    // A buffer without STORAGE usage cannot be bound.
    let readback = gpu
        .device
        .create_buffer::<f32>(&wasi_webgpu::BufferDescriptor {
            label: None,
            len: 6,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
        .at("readback buffer")?;
    expect_err!(ops.relu(&six, &readback).await, Error::Usage { op: "relu", argument: "out", .. });
    // The device still works after all that.
    let op = ops.relu(&six, &buffer(gpu, &[0.0; 6])?).await.at("relu")?;
    op.submit(&gpu.queue).await.at("submit")
}

/// Reading and writing one buffer in one dispatch breaks WebGPU's usage
/// rules. One `&Buffer` passed as an input and as the output is refused
/// when the op is prepared, naming both parameters, for every kind of op
/// and input position, on both devices; so are two handles of one buffer
/// (a clone), which `Buffer::id` tells apart from two buffers.
async fn aliased_buffers_are_an_error(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let x = buffer(gpu, &[1.0, -2.0, 3.0])?;
    expect_err!(
        ops.relu(&x, &x).await,
        Error::Aliased { op: "relu", input: "x", output: "out", in_place: Some("relu_in_place") }
    );
    let (a, b) = (buffer(gpu, &[1.0; 6])?, buffer(gpu, &[2.0; 6])?);
    expect_err!(
        ops.matmul(&MatmulDesc::new(2, 3, 1), &a, &b, &b).await,
        Error::Aliased { op: "matmul", input: "b", output: "c", in_place: None }
    );
    expect_err!(
        ops.add(&a, &b, &a).await,
        Error::Aliased { op: "add", input: "a", output: "out", in_place: Some("add_in_place") }
    );
    expect_err!(ops.add(&a, &b, &b).await, Error::Aliased { op: "add", input: "b", output: "out", .. });
    expect_err!(ops.axpy(2.0, &a, &a).await, Error::Aliased { op: "axpy", input: "x", output: "y", .. });
    expect_err!(ops.add_in_place(&a, &a).await, Error::Aliased { op: "add_in_place", input: "b", output: "a", .. });
    expect_err!(
        ops.softmax(&RowsDesc::new(2, 3), &b, &b).await,
        Error::Aliased { op: "softmax", input: "input", output: "output", .. }
    );
    expect_err!(
        ops.sum(&ReduceDesc::new(2, 3, 1), &a, &a).await,
        Error::Aliased { op: "sum", input: "input", output: "output", .. }
    );
    expect_err!(
        ops.scan(ScanKind::Inclusive, &a, &a).await,
        Error::Aliased { op: "scan", input: "input", output: "output", .. }
    );
    let linear = wasi_webgpu_ops::LinearDesc::new(2, 3, 2);
    let (bias, y) = (buffer(gpu, &[0.0; 2])?, buffer(gpu, &[0.0; 4])?);
    expect_err!(
        ops.linear(&linear, &a, &b, &bias, &a).await,
        Error::Aliased { op: "linear", input: "input", output: "output", .. }
    );
    ops.linear(&linear, &a, &b, &bias, &y).await.at("distinct linear")?;

    // Two handles of one buffer are one buffer (`Buffer::id`): refused as
    // early, on both devices.
    expect_err!(ops.relu(&x, &x.clone()).await, Error::Aliased { op: "relu", input: "x", output: "out", .. });
    expect_err!(
        ops.matmul(&MatmulDesc::new(2, 3, 1), &a, &b, &b.clone()).await,
        Error::Aliased { op: "matmul", input: "b", output: "c", .. }
    );
    expect_err!(ops.add(&a, &b, &a.clone()).await, Error::Aliased { op: "add", input: "a", output: "out", .. });
    expect_err!(ops.axpy(2.0, &a, &a.clone()).await, Error::Aliased { op: "axpy", input: "x", output: "y", .. });
    expect_err!(
        ops.softmax(&RowsDesc::new(2, 3), &b, &b.clone()).await,
        Error::Aliased { op: "softmax", input: "input", output: "output", .. }
    );
    expect_err!(
        ops.sum(&ReduceDesc::new(2, 3, 1), &a, &a.clone()).await,
        Error::Aliased { op: "sum", input: "input", output: "output", .. }
    );
    expect_err!(
        ops.scan(ScanKind::Inclusive, &a, &a.clone()).await,
        Error::Aliased { op: "scan", input: "input", output: "output", .. }
    );
    ensure!(x.read().await.at("read")? == [1.0, -2.0, 3.0], "the aliased relu ran");
    ensure!(a.read().await.at("read")? == [1.0; 6] && b.read().await.at("read")? == [2.0; 6], "an aliased op ran");
    // A buffer read twice is fine.
    ops.add(&a, &a, &b).await.at("add")?.submit(&gpu.queue).await.at("a + a")?;
    ensure!(b.read().await.at("read")? == [2.0; 6], "a + a is not 2");
    Ok(())
}

/// What an ops user reads: the public call and the parameter, never a
/// binding number, the same on both devices. The SDK's own wording of a
/// kept source error is not checked here.
async fn errors_name_the_call_and_argument(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let z = buffer(gpu, &[0.5; 8])?;
    let message = |e: Error| {
        let text = e.to_string();
        if text.contains("binding ") && !text.contains("storage binding holds") {
            Err(format!("a binding number reaches the user: {text}"))
        } else {
            Ok(text)
        }
    };
    let expect = |text: String, wanted: &str| -> Outcome {
        ensure!(text.starts_with(wanted), "got {text:?}, expected it to start with {wanted:?}");
        Ok(())
    };
    let aliased = ops.gelu(&z, &z).await.err().ok_or("gelu(&z, &z) prepared")?;
    expect(
        message(aliased)?,
        "Ops::gelu: `x` and `out` are the same buffer, which one dispatch cannot both read and write; \
         use Ops::gelu_in_place",
    )?;
    let aliased = ops.mul(&z, &z, &z).await.err().ok_or("mul(&z, &z, &z) prepared")?;
    expect(
        message(aliased)?,
        "Ops::mul: `a` and `out` are the same buffer, which one dispatch cannot both read and write; pass distinct buffers",
    )?;

    let readback = gpu
        .device
        .create_buffer::<f32>(&wasi_webgpu::BufferDescriptor {
            label: Some("readback"),
            len: 8,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
        .at("readback buffer")?;
    let (x, bias, y) = (buffer(gpu, &[1.0; 4])?, buffer(gpu, &[0.0; 2])?, buffer(gpu, &[0.0; 4])?);
    let linear = wasi_webgpu_ops::LinearDesc::new(2, 2, 2);
    let missing = ops.linear(&linear, &x, &readback, &bias, &y).await.err().ok_or("linear prepared")?;
    ensure!(
        matches!(missing, Error::Usage { op: "linear", argument: "weight", actual } if actual == BufferUsages::MAP_READ | BufferUsages::COPY_DST),
        "linear with a MAP_READ weight: {missing:?}"
    );
    expect(
        message(missing)?,
        "Ops::linear: argument `weight` needs usage STORAGE, but the buffer has MAP_READ | COPY_DST",
    )?;
    let missing = ops.sum(&ReduceDesc::vector(8), &readback, &y).await.err().ok_or("sum prepared")?;
    expect(message(missing)?, "Ops::sum: argument `input` needs usage STORAGE")?;

    let short = ops.layer_norm(&wasi_webgpu_ops::LayerNormDesc::new(2, 4), &z, &x, &x, &y).await;
    expect(
        message(short.err().ok_or("layer_norm prepared")?)?,
        "Ops::layer_norm: `output` holds 4 elements, but the shape needs 8",
    )?;

    // Two handles of one buffer are the same buffer, refused as early.
    let clone = ops.gelu(&z, &z.clone()).await.err().ok_or("gelu of a clone prepared")?;
    expect(message(clone)?, "Ops::gelu: `x` and `out` are the same buffer")?;

    // What the SDK finds inside an op names the op too: a buffer of another
    // device when the op is prepared, and an input destroyed since (WebGPU
    // refuses destroyed buffers at submit, not when binding them) when it
    // runs, alone or with others.
    let names_the_op = |error: Error, op: &str, what: &str| -> Outcome {
        let text = message(error)?;
        ensure!(
            text.starts_with(&format!("Ops::{op}: ")) && text.contains(what),
            "got {text:?}, expected `Ops::{op}: ` and {what:?}"
        );
        Ok(())
    };
    let out = buffer(gpu, &[0.0; 8])?;
    let (other_device, _) = gpu.adapter.request_device(&Default::default()).await.at("a second device")?;
    let foreign = other_device
        .create_buffer_init(&wasi_webgpu::BufferInitDescriptor {
            label: Some("foreign"),
            contents: &[1.0f32; 8],
            usage: BufferUsages::STORAGE,
        })
        .at("a buffer of the second device")?;
    let error = ops.relu(&foreign, &out).await.err().ok_or("relu of another device's buffer prepared")?;
    ensure!(matches!(error, Error::ForeignBuffer { op: "relu", argument: "x" }), "relu of a foreign x: {error:?}");
    names_the_op(error, "relu", "argument `x` belongs to another device")?;
    let input = buffer(gpu, &[1.0; 8])?;
    let op = ops.relu(&input, &out).await.at("relu")?;
    input.destroy();
    names_the_op(
        op.submit(&gpu.queue).await.err().ok_or("relu of a buffer destroyed since ran")?,
        "relu",
        "destroyed",
    )?;
    let other = ops.relu(&out, &z).await.at("relu")?;
    let both = ops.run(&gpu.queue, &[&op, &other]).await.err().ok_or("run of a destroyed buffer's op ran")?;
    names_the_op(both, "run", "destroyed")
}
