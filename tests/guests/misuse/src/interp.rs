//! An interpreter for API call sequences on `u32` buffers, kept against a
//! CPU model of every buffer's contents, mapping and liveness.
//!
//! Each argument is one sequence of `;`-separated ops, run on a fresh
//! device. Slots name buffers; an op on an empty slot prints `skip`.
//!
//! | op | call |
//! |---|---|
//! | `new S LEN USAGE[|USAGE..] [m]` | `create_buffer::<u32>`, `m`: mapped at creation |
//! | `init S V,V.. USAGE` | `create_buffer_init` (`-` is no values) |
//! | `write S AT V,V..` | `slice(AT..).write` (elements) |
//! | `qwrite S BYTE V,V..` | `queue.write_buffer` at a byte offset |
//! | `read S A B` | `slice(A..B).read`, compared with the model |
//! | `map S r|w A B` | `slice(A..B).map_async` |
//! | `get S A B` | `slice(A..B).get_mapped_range`, compared with the model |
//! | `put S A V,V..` | `slice(A..).write_mapped` |
//! | `unmap S`, `destroy S`, `drop S` | `unmap`, `destroy`, dropping the handle |
//! | `copy S D SRC DST SIZE` | `copy_buffer_to_buffer` (bytes), finish, submit |
//! | `clear S OFFSET SIZE|-` | `clear_buffer` (bytes), finish, submit |
//! | `dispatch S X Y Z` | adds 1 to `v[id.x]` for each invocation, buffer bound at 0 |
//! | `nopipe S` | a dispatch with no pipeline set |
//! | `mapdrop S r|w A B`, `readdrop S A B`, `writedrop S AT V,V..` | `map_async` / `read` / `write` polled once by hand and dropped (a cancelled future) |
//! | `mapdestroy S r|w A B`, `readdestroy S A B` | `map_async` / `read` joined with a `destroy` of the buffer |
//! | `mapunmap S r|w A B` | `map_async` joined with an `unmap` (which aborts a pending map) |
//! | `readread S A B C D` | `slice(A..B).read` joined with `slice(C..D).read` |
//! | `copyx S D SRC DST SIZE` | `copy`, then `destroy S` at once, with the copy in flight |
//! | `huge S USAGE` | `create_buffer` of 64 GiB, more than the machine's memory: the host fails it, or the guest where it is over `maxBufferSize` |
//! | `hugetex S` | `create_texture` of 256 GiB (8192² × 256 `rgba32float`) |
//!
//! The device has the adapter's limits, so that `huge` reaches the host.
//! After each op that can leave a map behind, the buffer's `map_state` must
//! be the model's (unmapped after a dropped, aborted or destroyed map).
//! Output, one line per op: `ok`, `err <Error variant>`, `skip`, or
//! `mismatch <what>` when the SDK and the model disagree: a read that
//! differs, a call the model says must fail that succeeded, or one it says
//! must succeed that failed. Failed calls must have no effect. Each
//! sequence starts with `seq <n>` and ends with `end <n>`.

use std::collections::BTreeMap;

use std::task::Poll;

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BindGroupLayout, Buffer, BufferDescriptor, BufferInitDescriptor, BufferUsages,
    ComputePipeline, ComputePipelineDescriptor, Device, DeviceDescriptor, Error, Extent3d, MapMode, MapState, Queue,
    ShaderModuleDescriptor, ShaderSource, TextureDescriptor, TextureFormat, TextureUsages,
};

use crate::{Context, join2, poll_once_and_drop, variant};

/// Bytes of a `huge` buffer: more than this machine's memory.
const HUGE: u64 = 64 << 30;

const INCREMENT: &str = "
@group(0) @binding(0) var<storage, read_write> v: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
    if id.x < arrayLength(&v) { v[id.x] += 1u; }
}";

struct Model {
    buffer: Buffer<u32>,
    data: Vec<u32>,
    usage: BufferUsages,
    destroyed: bool,
    /// Mode and element range of the current mapping.
    mapping: Option<(MapMode, u64, u64)>,
}

struct Interp {
    device: Device,
    queue: Queue,
    slots: BTreeMap<u32, Model>,
    pipeline: Option<(ComputePipeline, BindGroupLayout)>,
}

/// What the model says about an op before it runs.
#[derive(PartialEq)]
enum Expect {
    Fail,
    Succeed,
    Unknown,
}

pub async fn run(sequences: &[String]) -> Result<(), String> {
    for (n, sequence) in sequences.iter().enumerate() {
        println!("seq {n}");
        let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await.at("adapter")?;
        let descriptor = DeviceDescriptor { required_limits: adapter.limits(), ..Default::default() };
        let (device, queue) = adapter.request_device(&descriptor).await.at("device")?;
        let mut interp = Interp { device, queue, slots: BTreeMap::new(), pipeline: None };
        for op in sequence.split(';').map(str::trim).filter(|op| !op.is_empty()) {
            match interp.op(op).await {
                Ok(line) => println!("{line}"),
                Err(why) => println!("bad-op {op:?}: {why}"),
            }
        }
        println!("end {n}");
    }
    Ok(())
}

fn num<T: std::str::FromStr>(token: Option<&str>) -> Result<T, String> {
    let token = token.ok_or("missing argument")?;
    token.parse().map_err(|_| format!("not a number: {token}"))
}

fn values(token: Option<&str>) -> Result<Vec<u32>, String> {
    match token.ok_or("missing values")? {
        "-" => Ok(Vec::new()),
        list => list.split(',').map(|v| num(Some(v))).collect(),
    }
}

fn usages(token: Option<&str>) -> Result<BufferUsages, String> {
    let mut usage = BufferUsages::empty();
    for name in token.ok_or("missing usage")?.split('|') {
        usage |= match name {
            "MAP_READ" => BufferUsages::MAP_READ,
            "MAP_WRITE" => BufferUsages::MAP_WRITE,
            "COPY_SRC" => BufferUsages::COPY_SRC,
            "COPY_DST" => BufferUsages::COPY_DST,
            "INDEX" => BufferUsages::INDEX,
            "VERTEX" => BufferUsages::VERTEX,
            "UNIFORM" => BufferUsages::UNIFORM,
            "STORAGE" => BufferUsages::STORAGE,
            "INDIRECT" => BufferUsages::INDIRECT,
            "QUERY_RESOLVE" => BufferUsages::QUERY_RESOLVE,
            "NONE" => BufferUsages::empty(),
            other => return Err(format!("unknown usage {other}")),
        };
    }
    Ok(usage)
}

/// `data[a..b]` if that is a valid range.
fn range(data: &[u32], a: u64, b: u64) -> Option<&[u32]> {
    (a <= b && b <= data.len() as u64).then(|| &data[a as usize..b as usize])
}

impl Interp {
    async fn op(&mut self, op: &str) -> Result<String, String> {
        let mut t = op.split_whitespace();
        let name = t.next().ok_or("empty op")?;
        let slot: u32 = num(t.next())?;
        if let Some(line) = self.concurrent_op(name, slot, &mut t).await {
            return line;
        }
        match name {
            "new" => {
                let len: u64 = num(t.next())?;
                let usage = usages(t.next())?;
                let mapped = t.next() == Some("m");
                let created = self.device.create_buffer::<u32>(&BufferDescriptor {
                    label: None,
                    len,
                    usage,
                    mapped_at_creation: mapped,
                });
                Ok(match created {
                    Ok(buffer) => {
                        let mapping = mapped.then_some((MapMode::Write, 0, len));
                        let data = vec![0; len as usize];
                        self.slots.insert(slot, Model { buffer, data, usage, destroyed: false, mapping });
                        "ok".into()
                    }
                    Err(e) => err(&e),
                })
            }
            "init" => {
                let contents = values(t.next())?;
                let usage = usages(t.next())?;
                let created =
                    self.device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &contents, usage });
                Ok(match created {
                    Ok(buffer) => {
                        let model = Model { buffer, data: contents, usage, destroyed: false, mapping: None };
                        self.slots.insert(slot, model);
                        "ok".into()
                    }
                    Err(e) => err(&e),
                })
            }
            _ if !self.slots.contains_key(&slot) => Ok("skip".into()),
            "write" => {
                let at: u64 = num(t.next())?;
                let vals = values(t.next())?;
                let m = &self.slots[&slot];
                let expect = if m.destroyed || m.mapping.is_some() { Expect::Fail } else { Expect::Unknown };
                let result = m.buffer.slice(at..).write(&vals).await;
                let m = self.slots.get_mut(&slot).unwrap();
                judge(expect, result, |()| store(&mut m.data, at, &vals))
            }
            "qwrite" => {
                let byte: u64 = num(t.next())?;
                let vals = values(t.next())?;
                let m = &self.slots[&slot];
                let fits = byte.is_multiple_of(4) && range(&m.data, byte / 4, byte / 4 + vals.len() as u64).is_some();
                let expect = if m.destroyed || m.mapping.is_some() || !m.usage.contains(BufferUsages::COPY_DST) {
                    Expect::Fail
                } else if fits {
                    Expect::Succeed
                } else {
                    Expect::Fail
                };
                let result = self.queue.write_buffer(&m.buffer, byte, &vals);
                let m = self.slots.get_mut(&slot).unwrap();
                judge(expect, result, |()| store(&mut m.data, byte / 4, &vals))
            }
            "read" => {
                let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
                let m = &self.slots[&slot];
                let readable = m.usage.intersects(BufferUsages::MAP_READ | BufferUsages::COPY_SRC);
                let expect = if m.destroyed || m.mapping.is_some() {
                    Expect::Fail
                } else if range(&m.data, a, b).is_some_and(|r| r.is_empty() || readable) {
                    Expect::Succeed
                } else {
                    Expect::Fail
                };
                let result = m.buffer.slice(a..b).read().await;
                judge(expect, result, |got| compare("read", &got, range(&m.data, a, b)))
            }
            "map" => {
                let mode = match t.next() {
                    Some("r") => MapMode::Read,
                    Some("w") => MapMode::Write,
                    other => return Err(format!("map mode {other:?}")),
                };
                let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
                let m = &self.slots[&slot];
                let expect = if m.destroyed || m.mapping.is_some() { Expect::Fail } else { Expect::Unknown };
                let result = m.buffer.slice(a..b).map_async(mode).await;
                let m = self.slots.get_mut(&slot).unwrap();
                judge(expect, result, |()| {
                    m.mapping = Some((mode, a, b));
                    Ok("ok".into())
                })
            }
            "get" => {
                let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
                let m = &self.slots[&slot];
                let expect = match m.mapping {
                    _ if m.destroyed => Expect::Fail,
                    None => Expect::Fail,
                    Some((_, ma, mb)) if ma <= a && a <= b && b <= mb => Expect::Succeed,
                    Some(_) => Expect::Fail,
                };
                let result = m.buffer.slice(a..b).get_mapped_range();
                judge(expect, result, |got| compare("get", &got, range(&m.data, a, b)))
            }
            "put" => {
                let a: u64 = num(t.next())?;
                let vals = values(t.next())?;
                let m = &self.slots[&slot];
                let end = a + vals.len() as u64;
                let expect = match m.mapping {
                    _ if m.destroyed => Expect::Fail,
                    Some((MapMode::Write, ma, mb)) if ma <= a && end <= mb => Expect::Succeed,
                    _ => Expect::Fail,
                };
                let result = m.buffer.slice(a..end).write_mapped(&vals);
                let m = self.slots.get_mut(&slot).unwrap();
                judge(expect, result, |()| store(&mut m.data, a, &vals))
            }
            "unmap" => {
                let m = self.slots.get_mut(&slot).unwrap();
                let result = m.buffer.unmap();
                judge(Expect::Succeed, result, |()| {
                    m.mapping = None;
                    Ok("ok".into())
                })
            }
            "destroy" => {
                let m = self.slots.get_mut(&slot).unwrap();
                m.buffer.destroy();
                m.destroyed = true;
                m.mapping = None;
                Ok("ok".into())
            }
            "drop" => {
                self.slots.remove(&slot);
                Ok("ok".into())
            }
            "copy" | "copyx" => {
                let dst: u32 = num(t.next())?;
                let (src_off, dst_off, size): (u64, u64, u64) = (num(t.next())?, num(t.next())?, num(t.next())?);
                let (Some(s), Some(d)) = (self.slots.get(&slot), self.slots.get(&dst)) else {
                    return Ok("skip".into());
                };
                let expect = if s.destroyed || d.destroyed || s.mapping.is_some() || d.mapping.is_some() {
                    Expect::Fail
                } else {
                    Expect::Unknown
                };
                let result = async {
                    let mut encoder = self.device.create_command_encoder(&Default::default());
                    encoder.copy_buffer_to_buffer(&s.buffer, src_off, &d.buffer, dst_off, size)?;
                    self.queue.submit([encoder.finish().await?])
                }
                .await;
                let words = range(&s.data, src_off / 4, src_off.saturating_add(size) / 4).map(<[u32]>::to_vec);
                if name == "copyx" {
                    // The copy is in flight; WebGPU frees the memory once it is done.
                    s.buffer.destroy();
                }
                if name == "copyx"
                    && let Some(s) = self.slots.get_mut(&slot)
                {
                    s.destroyed = true;
                    s.mapping = None;
                }
                let d = self.slots.get_mut(&dst).unwrap();
                judge(expect, result, |()| {
                    let words = words.ok_or("copy from outside the source succeeded")?;
                    store(&mut d.data, dst_off / 4, &words)
                })
            }
            "clear" => {
                let offset: u64 = num(t.next())?;
                let size: Option<u64> = match t.next() {
                    Some("-") => None,
                    token => Some(num(token)?),
                };
                let m = &self.slots[&slot];
                let expect = if m.destroyed || m.mapping.is_some() { Expect::Fail } else { Expect::Unknown };
                let result = async {
                    let mut encoder = self.device.create_command_encoder(&Default::default());
                    encoder.clear_buffer(&m.buffer, offset, size)?;
                    self.queue.submit([encoder.finish().await?])
                }
                .await;
                let m = self.slots.get_mut(&slot).unwrap();
                judge(expect, result, |()| {
                    let end = size.map_or(m.data.len() as u64 * 4, |s| offset + s);
                    m.data.get_mut((offset / 4) as usize..(end / 4) as usize).ok_or("clear outside")?.fill(0);
                    Ok("ok".into())
                })
            }
            "dispatch" | "nopipe" => {
                let (x, y, z): (u32, u32, u32) =
                    if name == "dispatch" { (num(t.next())?, num(t.next())?, num(t.next())?) } else { (1, 1, 1) };
                if self.pipeline.is_none() {
                    let module = self
                        .device
                        .create_shader_module(ShaderModuleDescriptor {
                            label: None,
                            source: ShaderSource::Wgsl(INCREMENT.into()),
                        })
                        .await
                        .map_err(|e| format!("module: {e}"))?;
                    let pipeline = self
                        .device
                        .create_compute_pipeline(&ComputePipelineDescriptor::new(&module))
                        .await
                        .map_err(|e| format!("pipeline: {e}"))?;
                    let layout = pipeline.get_bind_group_layout(0).map_err(|e| format!("layout: {e}"))?;
                    self.pipeline = Some((pipeline, layout));
                }
                let (pipeline, layout) = self.pipeline.as_ref().unwrap();
                let m = &self.slots[&slot];
                let expect =
                    if m.destroyed || m.mapping.is_some() || name == "nopipe" { Expect::Fail } else { Expect::Unknown };
                let result = async {
                    let entries = [BindGroupEntry { binding: 0, resource: m.buffer.as_entire_binding() }];
                    let group = self.device.create_bind_group(&BindGroupDescriptor::new(layout, &entries))?;
                    let mut encoder = self.device.create_command_encoder(&Default::default());
                    {
                        let mut pass = encoder.begin_compute_pass(&Default::default());
                        if name == "dispatch" {
                            pass.set_pipeline(pipeline)?;
                        }
                        pass.set_bind_group(0, &group, &[])?;
                        pass.dispatch_workgroups(x, y, z)?;
                    }
                    self.queue.submit([encoder.finish().await?])
                }
                .await;
                let m = self.slots.get_mut(&slot).unwrap();
                judge(expect, result, |()| {
                    let reach = (64 * u64::from(x)).min(m.data.len() as u64) as usize;
                    for v in &mut m.data[..reach] {
                        *v = v.wrapping_add(y.wrapping_mul(z));
                    }
                    Ok("ok".into())
                })
            }
            other => Err(format!("unknown op {other}")),
        }
    }
}

fn mode(token: Option<&str>) -> Result<MapMode, String> {
    match token {
        Some("r") => Ok(MapMode::Read),
        Some("w") => Ok(MapMode::Write),
        other => Err(format!("map mode {other:?}")),
    }
}

impl Model {
    fn state(&self) -> MapState {
        if self.mapping.is_some() { MapState::Mapped } else { MapState::Unmapped }
    }

    /// `line`, or a mismatch when the buffer's map state is not the model's.
    fn settled(&self, line: String) -> String {
        match self.buffer.map_state() {
            actual if actual == self.state() => line,
            actual => format!("mismatch: the buffer is {actual:?}, the model has it {:?} ({line})", self.state()),
        }
    }
}

impl Interp {
    /// The ops that cancel, join or destroy mid-flight, and creations the
    /// host fails; `None` for any other op.
    async fn concurrent_op(
        &mut self,
        name: &str,
        slot: u32,
        t: &mut std::str::SplitWhitespace<'_>,
    ) -> Option<Result<String, String>> {
        let result = match name {
            "huge" => self.huge(t),
            "hugetex" => Ok(
                match self.device.create_texture(&TextureDescriptor {
                    size: Extent3d { width: 8192, height: 8192, depth_or_array_layers: 256 },
                    format: TextureFormat::Rgba32Float,
                    usage: TextureUsages::COPY_DST | TextureUsages::TEXTURE_BINDING,
                    ..Default::default()
                }) {
                    Err(e @ Error::OutOfMemory(_)) => err(&e),
                    other => format!("mismatch: a 256 GiB texture gave {other:?}"),
                },
            ),
            _ if !self.slots.contains_key(&slot) => {
                return matches!(
                    name,
                    "mapdrop"
                        | "readdrop"
                        | "writedrop"
                        | "mapdestroy"
                        | "readdestroy"
                        | "mapunmap"
                        | "readread"
                        | "copyx"
                )
                .then(|| Ok("skip".into()));
            }
            "mapdrop" => self.mapdrop(slot, t),
            "readdrop" => self.readdrop(slot, t),
            "writedrop" => self.writedrop(slot, t),
            "mapdestroy" => self.mapdestroy(slot, t).await,
            "readdestroy" => self.readdestroy(slot, t).await,
            "mapunmap" => self.mapunmap(slot, t).await,
            "readread" => self.readread(slot, t).await,
            _ => return None,
        };
        Some(result)
    }

    fn huge(&mut self, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let usage = usages(t.next())?;
        let created = self.device.create_buffer::<u32>(&BufferDescriptor {
            label: None,
            len: HUGE / 4,
            usage,
            mapped_at_creation: false,
        });
        Ok(match created {
            // Over an adapter's `maxBufferSize` (lavapipe's is 2 GiB) the
            // guest refuses it, as it does a bad usage; within it, the host
            // cannot allocate it. `misuse`'s memory-limited test makes the
            // host fail buffers within lavapipe's limit.
            Err(e @ (Error::OutOfMemory(_) | Error::OverLimit { .. } | Error::InvalidUsage { .. })) => err(&e),
            Err(e) => format!("mismatch: a 64 GiB buffer failed with {e:?}"),
            // Kept out of the model, whose data would be 64 GiB.
            Ok(buffer) => format!("mismatch: a 64 GiB buffer was created: {buffer:?}"),
        })
    }

    /// What the model says about `slice(a..b).map_async` on `m`.
    fn map_expect(m: &Model) -> Expect {
        if m.destroyed || m.mapping.is_some() { Expect::Fail } else { Expect::Unknown }
    }

    fn mapdrop(&mut self, slot: u32, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let mode = mode(t.next())?;
        let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
        let m = self.slots.get_mut(&slot).unwrap();
        let expect = Self::map_expect(m);
        Ok(match poll_once_and_drop(m.buffer.slice(a..b).map_async(mode)) {
            Poll::Pending => m.settled("ok dropped".into()),
            Poll::Ready(result) => {
                let line = judge(expect, result, |()| {
                    m.mapping = Some((mode, a, b));
                    Ok("ok".into())
                })?;
                m.settled(line)
            }
        })
    }

    fn readdrop(&mut self, slot: u32, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
        let m = &self.slots[&slot];
        let expect = if m.destroyed || m.mapping.is_some() { Expect::Fail } else { Expect::Unknown };
        Ok(match poll_once_and_drop(m.buffer.slice(a..b).read()) {
            Poll::Pending => m.settled("ok dropped".into()),
            Poll::Ready(result) => m.settled(judge(expect, result, |got| compare("read", &got, range(&m.data, a, b)))?),
        })
    }

    fn writedrop(&mut self, slot: u32, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let at: u64 = num(t.next())?;
        let vals = values(t.next())?;
        let m = self.slots.get_mut(&slot).unwrap();
        let expect = if m.destroyed || m.mapping.is_some() { Expect::Fail } else { Expect::Unknown };
        Ok(match poll_once_and_drop(m.buffer.slice(at..).write(&vals)) {
            // Only a write through a map waits; dropped, it wrote nothing.
            Poll::Pending => m.settled("ok dropped".into()),
            Poll::Ready(result) => {
                let line = judge(expect, result, |()| store(&mut m.data, at, &vals))?;
                m.settled(line)
            }
        })
    }

    async fn mapdestroy(&mut self, slot: u32, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let mode = mode(t.next())?;
        let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
        let m = self.slots.get_mut(&slot).unwrap();
        let (result, ()) = join2(m.buffer.slice(a..b).map_async(mode), async { m.buffer.destroy() }).await;
        m.destroyed = true;
        m.mapping = None;
        // The host answers a map after the guest's first poll, so the
        // destroy always comes first.
        let line = judge(Expect::Fail, result, |()| Ok("ok".into()))?;
        Ok(m.settled(line))
    }

    async fn readdestroy(&mut self, slot: u32, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
        let m = self.slots.get_mut(&slot).unwrap();
        let (result, ()) = join2(m.buffer.slice(a..b).read(), async { m.buffer.destroy() }).await;
        let line = match result {
            // A staging read submitted its copy before the destroy.
            Ok(got) => compare("read", &got, range(&m.data, a, b)).unwrap_or_else(|why| format!("mismatch: {why}")),
            Err(e) => err(&e),
        };
        m.destroyed = true;
        m.mapping = None;
        Ok(m.settled(line))
    }

    async fn mapunmap(&mut self, slot: u32, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let mode = mode(t.next())?;
        let (a, b): (u64, u64) = (num(t.next())?, num(t.next())?);
        let m = self.slots.get_mut(&slot).unwrap();
        let expect = Self::map_expect(m);
        let (mapped, unmapped) = join2(m.buffer.slice(a..b).map_async(mode), async { m.buffer.unmap() }).await;
        if let Err(e) = unmapped {
            return Ok(format!("mismatch: unmap failed with {e:?}"));
        }
        m.mapping = None;
        // A map that was not refused at once was pending, and aborted.
        let line = judge(if expect == Expect::Unknown { Expect::Fail } else { expect }, mapped, |()| Ok("ok".into()))?;
        Ok(m.settled(line))
    }

    async fn readread(&mut self, slot: u32, t: &mut std::str::SplitWhitespace<'_>) -> Result<String, String> {
        let (a, b, c, d): (u64, u64, u64, u64) = (num(t.next())?, num(t.next())?, num(t.next())?, num(t.next())?);
        let m = &self.slots[&slot];
        let (first, second) = join2(m.buffer.slice(a..b).read(), m.buffer.slice(c..d).read()).await;
        let mut words = Vec::new();
        for (result, (x, y)) in [(first, (a, b)), (second, (c, d))] {
            match result {
                Ok(got) => match compare("read", &got, range(&m.data, x, y)) {
                    Ok(line) => words.push(line),
                    Err(why) => return Ok(format!("mismatch: {why}")),
                },
                Err(e) => words.push(err(&e)),
            }
        }
        Ok(m.settled(format!("ok {}", words.join(" / "))))
    }
}

fn err(error: &Error) -> String {
    format!("err {}", variant(error))
}

/// Checks `result` against what the model expected, and on success applies
/// the op to the model with `apply`, which may itself report a mismatch.
fn judge<T>(
    expect: Expect,
    result: Result<T, Error>,
    apply: impl FnOnce(T) -> Result<String, String>,
) -> Result<String, String> {
    Ok(match result {
        Ok(_) if expect == Expect::Fail => "mismatch: succeeded, but the model says it must fail".into(),
        Ok(value) => apply(value).unwrap_or_else(|why| format!("mismatch: {why}")),
        Err(e) if expect == Expect::Succeed => {
            format!("mismatch: failed with {e:?}, but the model says it must succeed")
        }
        Err(e) => err(&e),
    })
}

/// Writes `vals` into the model at `at`; a write the SDK allowed outside
/// the buffer is a mismatch.
fn store(data: &mut [u32], at: u64, vals: &[u32]) -> Result<String, String> {
    let at = usize::try_from(at).map_err(|_| "offset out of range")?;
    let target = data.get_mut(at..at + vals.len()).ok_or("a write outside the buffer succeeded")?;
    target.copy_from_slice(vals);
    Ok("ok".into())
}

fn compare(what: &str, got: &[u32], model: Option<&[u32]>) -> Result<String, String> {
    match model {
        Some(expected) if expected == got => Ok(format!("ok {}", got.len())),
        Some(expected) => Err(format!("{what}: got {got:?}, the model has {expected:?}")),
        None => Err(format!("{what}: succeeded outside the buffer")),
    }
}
