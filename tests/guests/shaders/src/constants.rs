//! Pipeline-overridable constants through the generated `Overrides` struct:
//! defaults, a required one, a numeric @id, a bool, and the workgroup size.

use crate::{Context, Gpu, GpuExt, Outcome, checks, ensure, read, same};
use wasi_webgpu::Threads;

checks![overrides_required_is_an_error, overrides_defaults, overrides_all_set];

#[wasi_webgpu::shader(path = "shaders/overrides.wgsl")]
mod overrides {}

async fn overrides_required_is_an_error(gpu: &Gpu) -> Outcome {
    // `gain` has no default: the error must say which constant is missing.
    match overrides::pipeline(&gpu.device, &Default::default()).await {
        Ok(_) => Err("pipeline without `gain` succeeded".into()),
        Err(e) if e.to_string().contains("gain") => Ok(()),
        Err(e) => Err(format!("error does not name `gain`: {e}")),
    }
}

/// Runs the kernel on 1000 inputs and checks it against the CPU with the
/// given values of its constants.
async fn check(gpu: &Gpu, set: &overrides::Overrides, block: u32, gain: f32, bias: i32, negate: bool) -> Outcome {
    let kernel = overrides::pipeline(&gpu.device, set).await.at("pipeline")?;
    ensure!(kernel.workgroup_size() == [block, 1, 1], "workgroup size {:?}, expected {block}", kernel.workgroup_size());
    // Quarters in [-125, 125): with these gains and biases every result is
    // exact in f32, so the comparison is exact.
    let n = 1000u32;
    let input: Vec<f32> = (0..n).map(|i| (i as f32 - 500.0) / 4.0).collect();
    let (input_buffer, output, groups) =
        (gpu.storage(&input)?, gpu.zeroed::<f32>(n as usize)?, gpu.zeroed::<u32>(n as usize)?);
    let bindings = overrides::Bindings {
        input: input_buffer.as_storage(),
        output: output.as_storage_mut(),
        groups: groups.as_storage_mut(),
    };
    gpu.run(|pass| kernel.dispatch(pass, &bindings, Threads::x(n))).await?;

    let expected: Vec<f32> = input.iter().map(|&x| if negate { -x } else { x } * gain + bias as f32).collect();
    same("output", &read(&output).await?, &expected)?;
    // The workgroup each invocation ran in shows the size really used.
    same("workgroups", &read(&groups).await?, &(0..n).map(|i| i / block).collect::<Vec<_>>())
}

async fn overrides_defaults(gpu: &Gpu) -> Outcome {
    let set = overrides::Overrides { gain: Some(1.5), ..Default::default() };
    check(gpu, &set, 64, 1.5, -5, false).await
}

async fn overrides_all_set(gpu: &Gpu) -> Outcome {
    let set = overrides::Overrides { block: Some(32), gain: Some(-0.25), bias: Some(3), negate: Some(true) };
    check(gpu, &set, 32, -0.25, 3, true).await
}
