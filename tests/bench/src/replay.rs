//! Replays a guest's dispatch trace (`wasi_webgpu::trace`, written by the
//! minilm bench guest) with the native `wgpu` crate: the same WGSL, pipelines,
//! layouts, bind groups and dispatches, so native and guest time exactly the
//! same GPU work.
//!
//! Buffers get the contents the trace kept (uniforms, ids, masks, and with
//! the guest's `full=1` the weights too); ranges whose contents were not
//! kept are filled with small deterministic values, which cost the GPU the
//! same time.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use serde_json::Value;

use crate::native::{self, Native};

/// A trace set up on a native device, ready to run.
pub struct Replay {
    device: wgpu::Device,
    queue: wgpu::Queue,
    buffers: HashMap<u64, wgpu::Buffer>,
    labels: HashMap<String, u64>,
    pipelines: HashMap<u64, wgpu::ComputePipeline>,
    groups: HashMap<u64, wgpu::BindGroup>,
    commands: Vec<Command>,
    /// Whether some contents were not in the trace (filled with stand-ins).
    pub filled: bool,
    pub dispatches: usize,
}

enum Command {
    Pipeline(u64),
    BindGroup(u32, u64, Vec<u32>),
    Dispatch(u32, u32, u32),
}

fn u(v: &Value, key: &str) -> Result<u64> {
    v.get(key).and_then(Value::as_u64).with_context(|| format!("trace: {key} missing in {v}"))
}

fn list<'a>(v: &'a Value, key: &str) -> Result<&'a Vec<Value>> {
    v.get(key).and_then(Value::as_array).with_context(|| format!("trace: no {key} list"))
}

/// Small values that keep every activation finite: ±1/64 in 127 steps.
fn stand_in(len: usize, seed: u64) -> Vec<u8> {
    (0..len / 4)
        .flat_map(|i| {
            let h = (i as u64 ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57;
            ((h as f32 - 63.0) / (64.0 * 63.0)).to_le_bytes()
        })
        .collect()
}

impl Replay {
    /// Loads `json` (and its `bin` blob) and creates every object on a
    /// device of `native`'s adapter with the adapter's buffer limits.
    pub fn load(native: &Native, json: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(json).with_context(|| format!("failed to read {}", json.display()))?;
        let blob = std::fs::read(json.with_extension("bin")).unwrap_or_default();
        let trace: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", json.display()))?;
        ensure!(trace.get("version").and_then(Value::as_u64) == Some(1), "trace version is not 1");
        let (device, queue) = native.large_device()?;
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);

        let mut buffers = HashMap::new();
        let mut labels = HashMap::new();
        for b in list(&trace, "buffers")? {
            let id = u(b, "id")?;
            let usage = wgpu::BufferUsages::from_bits_truncate(u(b, "usage")? as u32)
                | wgpu::BufferUsages::COPY_DST
                | wgpu::BufferUsages::COPY_SRC;
            // MAP_READ combines only with COPY_DST; such buffers are not bound.
            let usage = if usage.contains(wgpu::BufferUsages::MAP_READ) {
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST
            } else {
                usage
            };
            let size = u(b, "size")?;
            buffers.insert(
                id,
                device.create_buffer(&wgpu::BufferDescriptor { label: None, size, usage, mapped_at_creation: false }),
            );
            if let Some(label) = b.get("label").and_then(Value::as_str) {
                labels.insert(label.to_owned(), id);
            }
        }
        let mut filled = false;
        for w in list(&trace, "writes")? {
            let (id, offset, len) = (u(w, "buffer")?, u(w, "offset")?, u(w, "len")? as usize);
            let buffer = buffers.get(&id).context("trace: a write to an unknown buffer")?;
            match w.get("blob").and_then(Value::as_u64) {
                Some(at) => {
                    let bytes = blob.get(at as usize..at as usize + len).context("trace: blob too short")?;
                    queue.write_buffer(buffer, offset, bytes);
                }
                None => {
                    filled = true;
                    queue.write_buffer(buffer, offset, &stand_in(len, id));
                }
            }
        }
        // Buffers never written hold zeros in the guest too (WebGPU zeroes
        // new buffers): activations, and the token type ids.

        let mut modules = HashMap::new();
        for m in list(&trace, "modules")? {
            let wgsl = m.get("wgsl").and_then(Value::as_str).context("trace: module without wgsl")?;
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: m.get("label").and_then(Value::as_str),
                source: wgpu::ShaderSource::Wgsl(wgsl.into()),
            });
            modules.insert(u(m, "id")?, module);
        }
        let mut layouts = HashMap::new();
        for l in list(&trace, "layouts")? {
            let entries = list(l, "entries")?
                .iter()
                .map(|e| {
                    let ty = match e.get("kind").and_then(Value::as_str) {
                        Some("uniform") => wgpu::BufferBindingType::Uniform,
                        Some("storage") => wgpu::BufferBindingType::Storage { read_only: false },
                        Some("read-only-storage") => wgpu::BufferBindingType::Storage { read_only: true },
                        other => bail!("trace: binding kind {other:?}"),
                    };
                    Ok(wgpu::BindGroupLayoutEntry {
                        binding: u(e, "binding")? as u32,
                        visibility: wgpu::ShaderStages::COMPUTE,
                        ty: wgpu::BindingType::Buffer {
                            ty,
                            has_dynamic_offset: e.get("dynamic").and_then(Value::as_bool).unwrap_or(false),
                            min_binding_size: e.get("min_size").and_then(Value::as_u64).and_then(NonZeroU64::new),
                        },
                        count: None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let layout =
                device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: None, entries: &entries });
            layouts.insert(u(l, "id")?, layout);
        }
        let mut pipeline_layouts = HashMap::new();
        for p in list(&trace, "pipeline_layouts")? {
            let groups = list(p, "groups")?
                .iter()
                .map(|g| g.as_u64().and_then(|g| layouts.get(&g)).context("trace: unknown layout"))
                .map(|l| l.map(Some))
                .collect::<Result<Vec<_>>>()?;
            let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: None,
                bind_group_layouts: &groups,
                immediate_size: 0,
            });
            pipeline_layouts.insert(u(p, "id")?, layout);
        }
        let mut pipelines = HashMap::new();
        for p in list(&trace, "pipelines")? {
            let constants: Vec<(String, f64)> = list(p, "constants")?
                .iter()
                .map(|c| Some((c.get(0)?.as_str()?.to_owned(), c.get(1)?.as_f64()?)))
                .collect::<Option<_>>()
                .context("trace: bad constants")?;
            let constants: Vec<(&str, f64)> = constants.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let layout = match p.get("layout").and_then(Value::as_u64) {
                Some(l) => Some(pipeline_layouts.get(&l).context("trace: unknown pipeline layout")?),
                None => None,
            };
            let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: None,
                layout,
                module: modules.get(&u(p, "module")?).context("trace: unknown module")?,
                entry_point: p.get("entry_point").and_then(Value::as_str),
                compilation_options: wgpu::PipelineCompilationOptions { constants: &constants, ..Default::default() },
                cache: None,
            });
            pipelines.insert(u(p, "id")?, pipeline);
        }
        for d in list(&trace, "derived_layouts")? {
            let pipeline = pipelines.get(&u(d, "pipeline")?).context("trace: unknown pipeline")?;
            layouts.insert(u(d, "id")?, pipeline.get_bind_group_layout(u(d, "index")? as u32));
        }
        let mut groups = HashMap::new();
        for g in list(&trace, "bind_groups")? {
            let entries = list(g, "entries")?
                .iter()
                .map(|e| {
                    let buffer = buffers.get(&u(e, "buffer")?).context("trace: unknown buffer")?;
                    Ok(wgpu::BindGroupEntry {
                        binding: u(e, "binding")? as u32,
                        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer,
                            offset: u(e, "offset")?,
                            size: e.get("size").and_then(Value::as_u64).and_then(NonZeroU64::new),
                        }),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let layout = layouts.get(&u(g, "layout")?).context("trace: unknown layout")?;
            groups.insert(
                u(g, "id")?,
                device.create_bind_group(&wgpu::BindGroupDescriptor { label: None, layout, entries: &entries }),
            );
        }
        let mut commands = Vec::new();
        for pass in list(&trace, "passes")? {
            for c in pass.as_array().context("trace: a pass is not a list")? {
                commands.push(match c.get("op").and_then(Value::as_str) {
                    Some("pipeline") => Command::Pipeline(u(c, "id")?),
                    Some("bind_group") => Command::BindGroup(
                        u(c, "index")? as u32,
                        u(c, "id")?,
                        list(c, "offsets")?.iter().filter_map(|o| o.as_u64().map(|o| o as u32)).collect(),
                    ),
                    Some("dispatch") => Command::Dispatch(u(c, "x")? as u32, u(c, "y")? as u32, u(c, "z")? as u32),
                    other => bail!("trace: command {other:?}"),
                });
            }
        }
        if let Some(error) = pollster::block_on(scope.pop()) {
            bail!("replaying {}: {error}", json.display());
        }
        let dispatches = commands.iter().filter(|c| matches!(c, Command::Dispatch(..))).count();
        Ok(Self { device, queue, buffers, labels, pipelines, groups, commands, filled, dispatches })
    }

    /// Records the trace's dispatches into one pass, submits, waits.
    fn forward(&self) -> Result<()> {
        let mut encoder = self.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            self.encode(&mut pass);
        }
        self.queue.submit([encoder.finish()]);
        native::wait(&self.device)
    }

    fn encode(&self, pass: &mut wgpu::ComputePass<'_>) {
        for command in &self.commands {
            match command {
                Command::Pipeline(id) => pass.set_pipeline(&self.pipelines[id]),
                Command::BindGroup(index, id, offsets) => pass.set_bind_group(*index, &self.groups[id], offsets),
                Command::Dispatch(x, y, z) => pass.dispatch_workgroups(*x, *y, *z),
            }
        }
    }

    /// `warmup` untimed forwards, then `repeat` timed ones: record + submit
    /// + `poll(Wait)`, what the guest times.
    pub fn time(&self, warmup: u64, repeat: u64) -> Result<Vec<Duration>> {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let samples = native::timed(warmup.max(1), repeat, || self.forward())?;
        if let Some(error) = pollster::block_on(scope.pop()) {
            bail!("native replay failed: {error}");
        }
        Ok(samples)
    }

    /// [`time`](Self::time), each forward followed by a read of the first
    /// `len` floats of the buffer labelled `label` (copy + map + copy out),
    /// inside the timed region.
    pub fn time_with_read(&self, label: &str, len: usize, warmup: u64, repeat: u64) -> Result<Vec<Duration>> {
        let id = self.labels.get(label).with_context(|| format!("the trace has no buffer labelled {label:?}"))?;
        let source = &self.buffers[id];
        let bytes = (len as u64 * 4).div_ceil(wgpu::COPY_BUFFER_ALIGNMENT) * wgpu::COPY_BUFFER_ALIGNMENT;
        let staging = native::staging(&self.device, bytes);
        native::timed(warmup.max(1), repeat, || {
            let mut encoder = self.device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                self.encode(&mut pass);
            }
            encoder.copy_buffer_to_buffer(source, 0, &staging, 0, bytes);
            self.queue.submit([encoder.finish()]);
            let (sender, receiver) = std::sync::mpsc::channel();
            staging.slice(..).map_async(wgpu::MapMode::Read, move |result| {
                let _ = sender.send(result);
            });
            native::wait(&self.device)?;
            receiver.recv().context("map callback dropped")??;
            let values = bytemuck::cast_slice::<u8, f32>(&staging.slice(..).get_mapped_range()).to_vec();
            staging.unmap();
            std::hint::black_box(values);
            Ok(())
        })
    }

    /// The first `len` floats of the buffer labelled `label`.
    pub fn read_f32(&self, label: &str, len: usize) -> Result<Vec<f32>> {
        let id = self.labels.get(label).with_context(|| format!("the trace has no buffer labelled {label:?}"))?;
        let source = &self.buffers[id];
        let staging = native::staging(&self.device, source.size());
        let words = native::read_u32(&self.device, &self.queue, source, &staging)?;
        ensure!(words.len() >= len, "{label} holds {} floats, {len} wanted", words.len());
        Ok(words[..len].iter().map(|w| f32::from_bits(*w)).collect())
    }
}
