//! Instance, adapter, device, limits, features and error scopes.

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BufferDescriptor, BufferUsages, ComputePipelineDescriptor, DeviceDescriptor,
    Error, ErrorFilter, Features, Instance, Limits, PowerPreference, RequestAdapterOptions, ShaderModuleDescriptor,
    ShaderSource,
};

use crate::{Context, Gpu, Outcome, checks, ensure, expect_err};

checks![
    adapter_options,
    adapter_facts,
    device_defaults,
    device_with_adapter_limits,
    device_request_errors,
    error_scopes
];

async fn adapter_options(_: &Gpu) -> Outcome {
    for power_preference in [PowerPreference::None, PowerPreference::LowPower, PowerPreference::HighPerformance] {
        let options = RequestAdapterOptions { power_preference, force_fallback_adapter: false };
        Instance::default().request_adapter(&options).await.at("request_adapter")?;
    }
    // A fallback adapter may or may not exist; either answer must be typed.
    let fallback = RequestAdapterOptions { force_fallback_adapter: true, ..Default::default() };
    match Instance::new().request_adapter(&fallback).await {
        Ok(_) | Err(Error::NoAdapter) => {}
        Err(e) => return Err(format!("fallback adapter: {e}")),
    }
    Ok(())
}

async fn adapter_facts(gpu: &Gpu) -> Outcome {
    let limits = gpu.adapter.limits();
    // WebGPU guarantees every adapter at least the default limits.
    limits.check_within(&limits).at("check_within(self)")?;
    Limits::default().check_within(&limits).at("defaults within adapter")?;
    let info = gpu.adapter.get_info();
    ensure!(info.subgroup_min_size <= info.subgroup_max_size, "subgroup sizes {info:?}");
    for (name, flag) in gpu.adapter.features().iter() {
        ensure!(flag.name().is_some(), "feature {name} has no WebGPU name");
    }
    Ok(())
}

async fn device_defaults(gpu: &Gpu) -> Outcome {
    ensure!(gpu.device.limits() == Limits::default(), "default device limits {:?}", gpu.device.limits());
    ensure!(gpu.device.features() == Features::empty(), "default device features {:?}", gpu.device.features());
    Ok(())
}

async fn device_with_adapter_limits(gpu: &Gpu) -> Outcome {
    let descriptor = DeviceDescriptor {
        label: Some("everything"),
        required_features: gpu.adapter.features(),
        required_limits: gpu.adapter.limits(),
    };
    let (device, _queue) = gpu.adapter.request_device(&descriptor).await.at("request_device")?;
    ensure!(device.limits() == gpu.adapter.limits(), "device limits differ from the requested ones");
    ensure!(device.features() == gpu.adapter.features(), "device features differ from the requested ones");
    Ok(())
}

async fn device_request_errors(gpu: &Gpu) -> Outcome {
    let missing = Features::all() - gpu.adapter.features();
    let (_, feature) = missing.iter().next().ok_or("the adapter has every feature")?;
    let descriptor = DeviceDescriptor { required_features: feature, ..Default::default() };
    expect_err!(gpu.adapter.request_device(&descriptor).await, Error::UnsupportedFeature(_));

    let mut limits = gpu.adapter.limits();
    limits.max_buffer_size += 1;
    let descriptor = DeviceDescriptor { required_limits: limits, ..Default::default() };
    expect_err!(gpu.adapter.request_device(&descriptor).await, Error::LimitExceeded { name: "maxBufferSize", .. });
    let mut limits = gpu.adapter.limits();
    limits.min_storage_buffer_offset_alignment /= 2;
    let descriptor = DeviceDescriptor { required_limits: limits, ..Default::default() };
    expect_err!(
        gpu.adapter.request_device(&descriptor).await,
        Error::LimitExceeded { name: "minStorageBufferOffsetAlignment", .. }
    );
    Ok(())
}

async fn error_scopes(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    expect_err!(device.pop_error_scope().await, Error::ErrorScopeStackEmpty);

    // Nothing fails inside the scope: it captures nothing.
    device.push_error_scope(ErrorFilter::Validation);
    let captured = device.pop_error_scope().await.at("pop_error_scope")?;
    ensure!(captured.is_none(), "empty scope captured {captured:?}");

    // A bind group that does not fit an auto layout: only the host knows
    // the derived layout, and it reports to the innermost validation scope.
    let module = device
        .create_shader_module(ShaderModuleDescriptor {
            label: Some("one group"),
            source: ShaderSource::Wgsl(
                "@group(0) @binding(0) var<storage, read_write> v: array<u32>;
                 @compute @workgroup_size(1) fn main() { v[0] = 1u; }"
                    .into(),
            ),
        })
        .await
        .at("create_shader_module")?;
    let pipeline = device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("pipeline")?;
    let layout = pipeline.get_bind_group_layout(0).at("get_bind_group_layout")?;
    let uniform = device
        .create_buffer::<u32>(&BufferDescriptor { len: 4, usage: BufferUsages::UNIFORM, ..Default::default() })
        .at("uniform buffer")?;
    device.push_error_scope(ErrorFilter::OutOfMemory);
    device.push_error_scope(ErrorFilter::Validation);
    let entries = [BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() }];
    let _unfit = device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)).at("create_bind_group")?;
    let validation = device.pop_error_scope().await.at("pop validation")?;
    let out_of_memory = device.pop_error_scope().await.at("pop out-of-memory")?;
    ensure!(matches!(validation, Some(Error::Validation(_))), "validation scope got {validation:?}");
    ensure!(out_of_memory.is_none(), "out-of-memory scope got {out_of_memory:?}");
    device.push_error_scope(ErrorFilter::Internal);
    ensure!(device.pop_error_scope().await.at("pop internal")?.is_none(), "internal scope captured an error");
    expect_err!(device.pop_error_scope().await, Error::ErrorScopeStackEmpty);
    Ok(())
}
