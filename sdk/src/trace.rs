//! An opt-in record of the compute work a [`Device`] does (cargo feature
//! `trace`), so that the same work can be replayed outside the guest.
//!
//! While [`Device::start_trace`] is on, the SDK records every buffer the
//! device creates (size, usage, label), the contents written into buffers
//! (through a mapping, at creation or by
//! [`Queue::write_buffer`](crate::Queue::write_buffer);
//! writes over [`TraceOptions::max_kept_bytes`] keep only their size),
//! shader modules (their WGSL), bind group layouts, pipeline layouts,
//! compute pipelines (module, entry point, override constants, layout) and
//! bind groups, and, per compute pass, the `set_pipeline`,
//! `set_bind_group` and `dispatch_workgroups` calls that reached the host
//! (the SDK skips redundant ones). [`Trace::to_json`] exports the last
//! passes with just the objects and writes they need.
//!
//! Not recorded: indirect dispatches, copies, clears, textures, samplers
//! and render work. A write through a mapping counts as written at once.
//! One device per thread is traced at a time.
//!
//! The benchmark harness (`tests/bench`) replays such a trace with the
//! native `wgpu` crate to time the guest's exact dispatches natively.
//! Without the feature nothing of this is compiled.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::bind_group_layout::{BindGroupLayoutShared, LayoutOrigin};
use crate::device::DeviceShared;
use crate::{BindingType, BufferBindingType, BufferUsages, Device};

/// What [`Device::start_trace`] keeps.
#[derive(Debug, Clone, Copy)]
pub struct TraceOptions {
    /// Writes of at most this many bytes keep their contents (uniforms,
    /// token ids, masks, biases); larger ones keep only their size, which is
    /// all a timing replay needs. `u64::MAX` keeps everything.
    pub max_kept_bytes: u64,
}

impl Default for TraceOptions {
    fn default() -> Self {
        Self { max_kept_bytes: 256 << 10 }
    }
}

/// A recorded trace; see the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct Trace {
    events: Vec<Event>,
    blob: Vec<u8>,
}

#[derive(Debug, Clone)]
enum Event {
    Buffer { id: u64, size: u64, usage: u32, label: Option<String> },
    Write { buffer: u64, offset: u64, len: u64, kept: Option<u64> },
    Module { id: u64, label: Option<String>, wgsl: Rc<str> },
    Layout { id: u64, entries: Vec<LayoutEntry> },
    DerivedLayout { id: u64, pipeline: u64, index: u32 },
    PipelineLayout { id: u64, groups: Vec<u64> },
    Pipeline { id: u64, module: u64, entry_point: Option<String>, constants: Vec<(String, f64)>, layout: Option<u64> },
    BindGroup { id: u64, layout: u64, entries: Vec<(u32, u64, u64, Option<u64>)> },
    Pass(Vec<Command>),
}

#[derive(Debug, Clone)]
struct LayoutEntry {
    binding: u32,
    kind: &'static str,
    dynamic: bool,
    min_size: Option<u64>,
}

#[derive(Debug, Clone)]
enum Command {
    SetPipeline(u64),
    SetBindGroup(u32, u64, Vec<u32>),
    Dispatch(u32, u32, u32),
}

/// Kinds of object, so that ids from different allocations never mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Buffer,
    Module,
    Layout,
    PipelineLayout,
    Pipeline,
    BindGroup,
}

/// The trace being recorded on one device.
pub(crate) struct Recorder {
    device: *const DeviceShared,
    options: TraceOptions,
    next: u64,
    /// Object key → id. The key is the address of the object's shared
    /// state (a pipeline's: the SDK's pipeline id); an address freed and
    /// reused is overwritten at the new object's creation, so live objects
    /// always map right.
    ids: HashMap<(Kind, usize), u64>,
    pass: Option<Vec<Command>>,
    trace: Trace,
}

thread_local! {
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// Runs `f` on the recorder if `device` is being traced.
pub(crate) fn with(device: &Rc<DeviceShared>, f: impl FnOnce(&mut Recorder)) {
    RECORDER.with_borrow_mut(|slot| {
        if let Some(recorder) = slot.as_mut().filter(|r| std::ptr::eq(r.device, Rc::as_ptr(device))) {
            f(recorder);
        }
    });
}

impl Recorder {
    fn new_id(&mut self, kind: Kind, key: usize) -> u64 {
        self.next += 1;
        self.ids.insert((kind, key), self.next);
        self.next
    }

    fn id(&self, kind: Kind, key: usize) -> u64 {
        // 0: an object made before the trace started; the export refuses it.
        self.ids.get(&(kind, key)).copied().unwrap_or(0)
    }

    pub(crate) fn buffer(&mut self, object: usize, size: u64, usage: BufferUsages, label: Option<&str>) {
        let id = self.new_id(Kind::Buffer, object);
        let event = Event::Buffer { id, size, usage: usage.bits(), label: label.map(str::to_owned) };
        self.trace.events.push(event);
    }

    pub(crate) fn write(&mut self, buffer: usize, offset: u64, bytes: &[u8]) {
        let buffer = self.id(Kind::Buffer, buffer);
        let len = bytes.len() as u64;
        let kept = (len <= self.options.max_kept_bytes).then(|| {
            let at = self.trace.blob.len() as u64;
            self.trace.blob.extend_from_slice(bytes);
            at
        });
        self.trace.events.push(Event::Write { buffer, offset, len, kept });
    }

    pub(crate) fn module(&mut self, object: usize, label: Option<&str>, wgsl: &str) {
        let id = self.new_id(Kind::Module, object);
        self.trace.events.push(Event::Module { id, label: label.map(str::to_owned), wgsl: Rc::from(wgsl) });
    }

    pub(crate) fn layout(&mut self, layout: &Rc<BindGroupLayoutShared>) {
        let id = self.new_id(Kind::Layout, Rc::as_ptr(layout) as usize);
        let event = match &layout.origin {
            LayoutOrigin::Explicit(entries) => Event::Layout {
                id,
                entries: entries
                    .iter()
                    .filter_map(|e| match e.ty {
                        BindingType::Buffer { ty, has_dynamic_offset, min_binding_size } => Some(LayoutEntry {
                            binding: e.binding,
                            kind: match ty {
                                BufferBindingType::Uniform => "uniform",
                                BufferBindingType::Storage { read_only: true } => "read-only-storage",
                                BufferBindingType::Storage { read_only: false } => "storage",
                            },
                            dynamic: has_dynamic_offset,
                            min_size: min_binding_size.map(|n| n.get()),
                        }),
                        // Textures and samplers are not traced: compute
                        // replays bind buffers only.
                        _ => None,
                    })
                    .collect(),
            },
            // Recorded by `derived_layout`, which knows the pipeline.
            LayoutOrigin::Derived { .. } => return,
        };
        self.trace.events.push(event);
    }

    /// A layout the host derived for group `index` of an `auto` pipeline.
    pub(crate) fn derived_layout(&mut self, layout: &Rc<BindGroupLayoutShared>, pipeline: u64, index: u32) {
        let pipeline = self.id(Kind::Pipeline, pipeline as usize);
        let id = self.new_id(Kind::Layout, Rc::as_ptr(layout) as usize);
        self.trace.events.push(Event::DerivedLayout { id, pipeline, index });
    }

    pub(crate) fn pipeline_layout(&mut self, object: usize, groups: &[Rc<BindGroupLayoutShared>]) {
        let groups = groups.iter().map(|g| self.id(Kind::Layout, Rc::as_ptr(g) as usize)).collect();
        let id = self.new_id(Kind::PipelineLayout, object);
        self.trace.events.push(Event::PipelineLayout { id, groups });
    }

    /// `object` is the SDK's pipeline id.
    pub(crate) fn pipeline(
        &mut self,
        object: u64,
        module: usize,
        entry_point: Option<&str>,
        constants: &[(&str, f64)],
        layout: Option<usize>,
    ) {
        let module = self.id(Kind::Module, module);
        let layout = layout.map(|l| self.id(Kind::PipelineLayout, l));
        let id = self.new_id(Kind::Pipeline, object as usize);
        self.trace.events.push(Event::Pipeline {
            id,
            module,
            entry_point: entry_point.map(str::to_owned),
            constants: constants.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            layout,
        });
    }

    /// `entries`: binding, buffer address, offset, size.
    pub(crate) fn bind_group(
        &mut self,
        object: usize,
        layout: &Rc<BindGroupLayoutShared>,
        entries: impl Iterator<Item = (u32, usize, u64, Option<u64>)>,
    ) {
        let layout = self.id(Kind::Layout, Rc::as_ptr(layout) as usize);
        let entries = entries.map(|(b, buffer, o, s)| (b, self.id(Kind::Buffer, buffer), o, s)).collect();
        let id = self.new_id(Kind::BindGroup, object);
        self.trace.events.push(Event::BindGroup { id, layout, entries });
    }

    pub(crate) fn begin_pass(&mut self) {
        self.pass = Some(Vec::new());
    }

    /// `pipeline` is the SDK's pipeline id.
    pub(crate) fn set_pipeline(&mut self, pipeline: u64) {
        let id = self.id(Kind::Pipeline, pipeline as usize);
        if let Some(pass) = &mut self.pass {
            pass.push(Command::SetPipeline(id));
        }
    }

    pub(crate) fn set_bind_group(&mut self, index: u32, group: usize, offsets: &[u32]) {
        let id = self.id(Kind::BindGroup, group);
        if let Some(pass) = &mut self.pass {
            pass.push(Command::SetBindGroup(index, id, offsets.to_vec()));
        }
    }

    pub(crate) fn dispatch(&mut self, x: u32, y: u32, z: u32) {
        if let Some(pass) = &mut self.pass {
            pass.push(Command::Dispatch(x, y, z));
        }
    }

    pub(crate) fn end_pass(&mut self) {
        if let Some(pass) = self.pass.take() {
            self.trace.events.push(Event::Pass(pass));
        }
    }
}

impl Device {
    /// Starts recording this device's compute work into a [`Trace`]
    /// (replacing any trace being recorded on any device of this thread).
    /// Objects created before the call are unknown to the trace, so start
    /// it right after creating the device.
    pub fn start_trace(&self, options: TraceOptions) {
        let recorder = Recorder {
            device: Rc::as_ptr(&self.shared),
            options,
            next: 0,
            ids: HashMap::new(),
            pass: None,
            trace: Trace::default(),
        };
        RECORDER.set(Some(recorder));
    }

    /// Stops recording and returns what was recorded; `None` when this
    /// device was not being traced.
    pub fn stop_trace(&self) -> Option<Trace> {
        RECORDER.with_borrow_mut(|slot| {
            if slot.as_ref().is_some_and(|r| std::ptr::eq(r.device, Rc::as_ptr(&self.shared))) {
                slot.take().map(|r| r.trace)
            } else {
                None
            }
        })
    }

    /// [`Trace::to_json`] of the trace recorded so far, recording on: the
    /// last `passes` compute passes. Exporting in place copies nothing but
    /// what the passes need.
    pub fn trace_json(&self, passes: usize) -> Result<(String, Vec<u8>), TraceError> {
        let mut out = Err(TraceError::NotTracing);
        with(&self.shared, |r| out = r.trace.to_json(passes));
        out
    }
}

/// Why [`Trace::to_json`] cannot export.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The device is not being traced.
    #[error("the device is not being traced (Device::start_trace)")]
    NotTracing,
    /// The trace has fewer compute passes than asked for.
    #[error("the trace has {have} compute passes, {wanted} asked for")]
    Passes {
        /// Passes recorded.
        have: usize,
        /// Passes asked for.
        wanted: usize,
    },
    /// A pass uses an object created before the trace started.
    #[error("the passes use a {0} created before the trace started")]
    Untraced(&'static str),
}

impl Trace {
    /// How many compute passes were recorded.
    pub fn pass_count(&self) -> usize {
        self.events.iter().filter(|e| matches!(e, Event::Pass(_))).count()
    }

    /// The last `passes` compute passes as JSON, with the objects they use
    /// and the writes into their buffers made before the last of them, plus
    /// the bytes the kept writes refer to (`"blob"`: an offset into them,
    /// or `null` when only the size was kept).
    ///
    /// ```text
    /// {"version": 1,
    ///  "buffers": [{"id", "size", "usage" (WebGPU's bits), "label"}],
    ///  "modules": [{"id", "label", "wgsl"}],
    ///  "layouts": [{"id", "entries": [{"binding", "kind": "uniform" | "storage" | "read-only-storage", "dynamic", "min_size"}]}],
    ///  "pipeline_layouts": [{"id", "groups": [layout ids]}],
    ///  "pipelines": [{"id", "module", "entry_point", "constants": [[name, value]], "layout": id or null (auto)}],
    ///  "derived_layouts": [{"id", "pipeline", "index"}],
    ///  "bind_groups": [{"id", "layout", "entries": [{"binding", "buffer", "offset", "size"}]}],
    ///  "writes": [{"buffer", "offset", "len", "blob"}],
    ///  "passes": [[{"op": "pipeline", "id"} | {"op": "bind_group", "index", "id", "offsets"} | {"op": "dispatch", "x", "y", "z"}]]}
    /// ```
    pub fn to_json(&self, passes: usize) -> Result<(String, Vec<u8>), TraceError> {
        let pass_at: Vec<usize> =
            self.events.iter().enumerate().filter(|(_, e)| matches!(e, Event::Pass(_))).map(|(i, _)| i).collect();
        if passes == 0 || pass_at.len() < passes {
            return Err(TraceError::Passes { have: pass_at.len(), wanted: passes });
        }
        let chosen = &pass_at[pass_at.len() - passes..];
        let last = chosen[passes - 1];
        let (mut pipelines, mut groups) = (Vec::new(), Vec::new());
        for &i in chosen {
            let Event::Pass(commands) = &self.events[i] else { continue };
            for command in commands {
                match command {
                    Command::SetPipeline(id) => pipelines.push(*id),
                    Command::SetBindGroup(_, id, _) => groups.push(*id),
                    Command::Dispatch(..) => {}
                }
            }
        }
        let mut need = std::collections::HashSet::new();
        // Walk back from the last pass: an object's dependencies were
        // created before it.
        need.extend(pipelines.iter().chain(&groups).copied());
        for event in self.events[..last].iter().rev() {
            match event {
                Event::Pipeline { id, module, layout, .. } if need.contains(id) => {
                    need.insert(*module);
                    need.extend(*layout);
                }
                Event::PipelineLayout { id, groups } if need.contains(id) => need.extend(groups.iter().copied()),
                Event::DerivedLayout { id, pipeline, .. } if need.contains(id) => {
                    need.insert(*pipeline);
                }
                Event::BindGroup { id, layout, entries } if need.contains(id) => {
                    need.insert(*layout);
                    need.extend(entries.iter().map(|e| e.1));
                }
                _ => {}
            }
        }
        if need.contains(&0) {
            return Err(TraceError::Untraced("pipeline, bind group or buffer"));
        }
        let mut blob = Vec::new();
        let mut parts: [Vec<String>; 9] = Default::default();
        let [buffers, modules, layouts, pipeline_layouts, pipelines, derived, bind_groups, writes, passes_out] =
            &mut parts;
        for event in &self.events[..=last] {
            match event {
                Event::Buffer { id, size, usage, label } if need.contains(id) => buffers.push(format!(
                    r#"{{"id":{id},"size":{size},"usage":{usage},"label":{}}}"#,
                    opt_str(label.as_deref())
                )),
                Event::Write { buffer, offset, len, kept } if need.contains(buffer) => {
                    let at = kept.map(|k| {
                        let at = blob.len();
                        blob.extend_from_slice(&self.blob[k as usize..(k + len) as usize]);
                        at
                    });
                    writes.push(format!(
                        r#"{{"buffer":{buffer},"offset":{offset},"len":{len},"blob":{}}}"#,
                        at.map_or("null".to_owned(), |a| a.to_string())
                    ));
                }
                Event::Module { id, label, wgsl } if need.contains(id) => modules.push(format!(
                    r#"{{"id":{id},"label":{},"wgsl":{}}}"#,
                    opt_str(label.as_deref()),
                    json_str(wgsl)
                )),
                Event::Layout { id, entries } if need.contains(id) => {
                    let entries: Vec<String> = entries
                        .iter()
                        .map(|e| {
                            format!(
                                r#"{{"binding":{},"kind":"{}","dynamic":{},"min_size":{}}}"#,
                                e.binding,
                                e.kind,
                                e.dynamic,
                                e.min_size.map_or("null".to_owned(), |n| n.to_string())
                            )
                        })
                        .collect();
                    layouts.push(format!(r#"{{"id":{id},"entries":[{}]}}"#, entries.join(",")));
                }
                Event::DerivedLayout { id, pipeline, index } if need.contains(id) => {
                    derived.push(format!(r#"{{"id":{id},"pipeline":{pipeline},"index":{index}}}"#));
                }
                Event::PipelineLayout { id, groups } if need.contains(id) => {
                    pipeline_layouts.push(format!(r#"{{"id":{id},"groups":{groups:?}}}"#));
                }
                Event::Pipeline { id, module, entry_point, constants, layout } if need.contains(id) => {
                    let constants: Vec<String> =
                        constants.iter().map(|(k, v)| format!("[{},{}]", json_str(k), json_f64(*v))).collect();
                    pipelines.push(format!(
                        r#"{{"id":{id},"module":{module},"entry_point":{},"constants":[{}],"layout":{}}}"#,
                        opt_str(entry_point.as_deref()),
                        constants.join(","),
                        layout.map_or("null".to_owned(), |l| l.to_string())
                    ));
                }
                Event::BindGroup { id, layout, entries } if need.contains(id) => {
                    let entries: Vec<String> = entries
                        .iter()
                        .map(|(binding, buffer, offset, size)| {
                            format!(
                                r#"{{"binding":{binding},"buffer":{buffer},"offset":{offset},"size":{}}}"#,
                                size.map_or("null".to_owned(), |s| s.to_string())
                            )
                        })
                        .collect();
                    bind_groups.push(format!(r#"{{"id":{id},"layout":{layout},"entries":[{}]}}"#, entries.join(",")));
                }
                _ => {}
            }
        }
        for &i in chosen {
            let Event::Pass(commands) = &self.events[i] else { continue };
            let commands: Vec<String> = commands
                .iter()
                .map(|c| match c {
                    Command::SetPipeline(id) => format!(r#"{{"op":"pipeline","id":{id}}}"#),
                    Command::SetBindGroup(index, id, offsets) => {
                        format!(r#"{{"op":"bind_group","index":{index},"id":{id},"offsets":{offsets:?}}}"#)
                    }
                    Command::Dispatch(x, y, z) => format!(r#"{{"op":"dispatch","x":{x},"y":{y},"z":{z}}}"#),
                })
                .collect();
            passes_out.push(format!("[{}]", commands.join(",\n")));
        }
        let names = [
            "buffers",
            "modules",
            "layouts",
            "pipeline_layouts",
            "pipelines",
            "derived_layouts",
            "bind_groups",
            "writes",
            "passes",
        ];
        let mut json = String::from("{\"version\":1");
        for (name, items) in names.iter().zip(&parts) {
            let _ = write!(json, ",\n\"{name}\":[\n{}\n]", items.join(",\n"));
        }
        json.push_str("}\n");
        Ok((json, blob))
    }
}

fn opt_str(s: Option<&str>) -> String {
    s.map_or("null".to_owned(), json_str)
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_f64(v: f64) -> String {
    if v.is_finite() { format!("{v:?}") } else { "null".to_owned() }
}
