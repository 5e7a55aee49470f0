//! A corpus of WGSL kernels (`shaders/*.wgsl`), each used through the typed
//! bindings `#[wasi_webgpu::shader]` generates and checked against the same
//! computation on the CPU: integers exactly, floats within the tolerance each
//! check states. Each check prints `check <name> ... ok` or `... FAILED: <why>`;
//! arguments select checks by substring. The integration test `shaders` runs it.

mod atomics;
mod constants;
mod layout;
mod math;
mod workgroup;

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use bytemuck::Pod;
use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, ComputePass, Device, Queue};

/// What a check gets: a device of its own, so one check's leftovers cannot
/// hide or cause another's failure.
pub struct Gpu {
    pub device: Device,
    pub queue: Queue,
}

pub type Outcome = Result<(), String>;
pub type Check = for<'a> fn(&'a Gpu) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// Lists check functions as `(name, Check)` pairs.
#[macro_export]
macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        pub const CHECKS: &[(&str, $crate::Check)] = &[$((stringify!($name), |gpu| Box::pin($name(gpu)))),*];
    };
}

/// Fails the check with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Turns an SDK error into a check failure that names the call.
pub trait Context<T> {
    fn at(self, what: &str) -> Result<T, String>;
}

impl<T> Context<T> for wasi_webgpu::Result<T> {
    fn at(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

impl Gpu {
    /// A storage buffer holding `contents`, readable back.
    pub fn storage<T: Pod>(&self, contents: &[T]) -> Result<Buffer<T>, String> {
        let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
        self.device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage }).at("storage buffer")
    }

    /// A storage buffer of `len` zeroed elements, readable back.
    pub fn zeroed<T: Pod>(&self, len: usize) -> Result<Buffer<T>, String> {
        self.storage(&vec![T::zeroed(); len])
    }

    /// A uniform buffer holding `value`.
    pub fn uniform<T: Pod>(&self, value: T) -> Result<Buffer<T>, String> {
        let usage = BufferUsages::UNIFORM;
        self.device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[value], usage }).at("uniform")
    }

    /// Records one compute pass with `record` and submits it; reads wait for it.
    pub async fn run(&self, record: impl FnOnce(&mut ComputePass<'_>) -> wasi_webgpu::Result<()>) -> Outcome {
        let mut encoder = self.device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        record(&mut pass).at("dispatch")?;
        pass.end();
        self.queue.submit([encoder.finish().await.at("finish")?]).at("submit")
    }
}

/// Reads a buffer back.
pub async fn read<T: Pod>(buffer: &Buffer<T>) -> Result<Vec<T>, String> {
    buffer.read().await.at("read")
}

/// Fails at the first element where the GPU's result differs from the CPU's.
pub fn same<T: PartialEq + Debug>(what: &str, gpu: &[T], cpu: &[T]) -> Outcome {
    ensure!(gpu.len() == cpu.len(), "{what}: {} elements, expected {}", gpu.len(), cpu.len());
    match gpu.iter().zip(cpu).position(|(g, c)| g != c) {
        Some(i) => Err(format!("{what}[{i}]: GPU {:?}, CPU {:?}", gpu[i], cpu[i])),
        None => Ok(()),
    }
}

/// Fails at the first element where `|gpu - cpu| > abs + rel * |cpu|`.
pub fn close(what: &str, gpu: &[f32], cpu: &[f32], abs: f32, rel: f32) -> Outcome {
    ensure!(gpu.len() == cpu.len(), "{what}: {} elements, expected {}", gpu.len(), cpu.len());
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        // Written so that a NaN on either side fails.
        if (g - c).abs() <= abs + rel * c.abs() {
            continue;
        }
        return Err(format!("{what}[{i}]: GPU {g}, CPU {c}, beyond {abs} + {rel} * |CPU|"));
    }
    Ok(())
}

/// A small deterministic generator (xorshift32) for test inputs.
pub struct Rng(u32);

impl Rng {
    pub fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// Uniform in `[lo, hi)`, with 24 bits of resolution.
    pub fn f32_in(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next_u32() >> 8) as f32 / (1u32 << 24) as f32
    }

    pub fn vec3_in(&mut self, lo: f32, hi: f32) -> [f32; 3] {
        [self.f32_in(lo, hi), self.f32_in(lo, hi), self.f32_in(lo, hi)]
    }
}

async fn gpu() -> wasi_webgpu::Result<Gpu> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    Ok(Gpu { device, queue })
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let checks = [atomics::CHECKS, workgroup::CHECKS, layout::CHECKS, math::CHECKS, constants::CHECKS].concat();
    let (mut passed, mut failed) = (0, 0);
    for (name, check) in checks {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let outcome = match gpu().await {
            Ok(gpu) => check(&gpu).await,
            Err(e) => Err(format!("no device: {e}")),
        };
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("check {name} ... ok");
            }
            Err(why) => {
                failed += 1;
                println!("check {name} ... FAILED: {why}");
            }
        }
    }
    println!("shaders: {passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err(format!("{failed} checks failed")) }
}
