//! Tuned, tested `f32` compute kernels for [`wasi_webgpu`] guests: the
//! building blocks of ML inference and training.
//!
//! | Operation | Method |
//! |---|---|
//! | Tiled matrix product, batched, with transposed operands (64 × 64 or 128 × 128 tiles: [`Tiling`]) | [`Ops::matmul`] |
//! | `nn.Linear`, `x · Wᵀ + b`, with a fused activation | [`Ops::linear`] |
//! | Sum or max along an axis of a 2D (or 1D) tensor | [`Ops::reduce`], [`Ops::sum`], [`Ops::max`] |
//! | Inclusive and exclusive prefix sums | [`Ops::scan`] |
//! | Softmax per row | [`Ops::softmax`] |
//! | Layer normalisation per row, and fused with a residual add | [`Ops::layer_norm`], [`Ops::add_layer_norm`] |
//! | BERT embeddings (word + position + token type) fused with their LayerNorm | [`Ops::embedding`] |
//! | Multi-head self-attention over a padded, masked batch (one fused kernel) | [`Ops::attention`] |
//! | Masked mean pooling and L2 normalisation | [`Ops::mean_pool`] |
//! | The transformer ops over f16 storage (devices with `shader-f16`) | [`Ops::matmul`], [`Ops::linear`], [`Ops::add_layer_norm`], [`Ops::embedding`], [`Ops::attention`], [`Ops::mean_pool`] over `Buffer<F16>` ([`Element`]) |
//! | Elementwise `a + b`, `a * b`, ReLU, GELU (exact and tanh), row-broadcast bias | [`Ops::add`], [`Ops::mul`], [`Ops::relu`], [`Ops::gelu_erf`], [`Ops::gelu_tanh`], [`Ops::bias_add`] |
//! | For training: ReLU's gradient, `y += αx`, `y *= α` | [`Ops::relu_backward`], [`Ops::axpy`], [`Ops::scale`] |
//! | In place: `a += b`, ReLU, GELU | [`Ops::add_in_place`], [`Ops::relu_in_place`], [`Ops::gelu_in_place`], [`Ops::gelu_tanh_in_place`], [`Ops::gelu_erf_in_place`] |
//!
//! Add it with `cargo add wasi-webgpu wasi-webgpu-ops`; the crate's README
//! has the table of every op's arguments and shapes.
//!
//! Tensors are [`Buffer<f32>`](wasi_webgpu::Buffer)s holding row-major
//! matrices (token ids and attention masks are `Buffer<u32>`); the buffers need [`BufferUsages::STORAGE`](wasi_webgpu::BufferUsages::STORAGE).
//! The kernels are WGSL files compiled and validated at build time by
//! [`#[wasi_webgpu::shader]`](wasi_webgpu::shader).
//!
//! # Prepare once, encode many times
//!
//! An operation is prepared by an async method of [`Ops`], which checks the
//! shapes against the buffers, compiles the pipelines it needs (once per
//! [`Ops`]: they are cached), and creates its shape uniforms, scratch
//! buffers and bind groups. The resulting [`Op`] records its dispatches into
//! any [`ComputePass`] with [`Op::encode`], which allocates nothing and calls
//! the host only to set pipelines and bind groups and to dispatch, so a
//! training step of many operations is one pass and one submit:
//!
//! ```no_run
//! use wasi_webgpu::{BufferInitDescriptor, BufferUsages};
//! use wasi_webgpu_ops::{MatmulDesc, Ops};
//!
//! #[wasi_webgpu::main]
//! async fn run() -> Result<(), wasi_webgpu_ops::Error> {
//!     let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
//!     let (device, queue) = adapter.request_device(&Default::default()).await?;
//!     let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
//!     let a = device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[1.0f32; 6], usage })?;
//!     let b = device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[2.0f32; 12], usage })?;
//!     let c = device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[0.0f32; 8], usage })?;
//!     let bias = device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[0.5f32; 4], usage })?;
//!     let out = device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[0.0f32; 8], usage })?;
//!
//!     let ops = Ops::new(&device);
//!     // c = a (2 x 3) * b (3 x 4); out = relu(c + bias)
//!     let matmul = ops.matmul(&MatmulDesc::new(2, 4, 3), &a, &b, &c).await?;
//!     let add_bias = ops.bias_add(&c, &bias, &out).await?;
//!     let relu = ops.relu(&out, &c).await?;
//!
//!     let mut encoder = device.create_command_encoder(&Default::default());
//!     let mut pass = encoder.begin_compute_pass(&Default::default());
//!     for op in [&matmul, &add_bias, &relu] {
//!         op.encode(&mut pass)?;
//!     }
//!     pass.end();
//!     queue.submit([encoder.finish().await?])?;
//!     assert_eq!(c.read().await?, [6.5; 8]);
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! [`Op::submit`] and [`Ops::run`] are the one-call forms: they record into
//! a pass of their own and submit it.
//!
//! # Shapes and buffers
//!
//! Shapes are counted in elements. A buffer may be longer than its shape
//! needs (so buffers sized for the largest batch serve smaller ones); the
//! elements past the shape are neither read nor written. Elementwise
//! operations, which have no shape but their buffers', need buffers of equal
//! length. A shape a buffer cannot hold, or that breaks a limit, is an
//! [`Error`] when the operation is prepared; nothing reaches the GPU.
//!
//! A storage binding holds at most the device's
//! `max_storage_buffer_binding_size` bytes (128 MiB by default), less than
//! a buffer may (`max_buffer_size`). [`Ops::sum`], [`Ops::max`] and
//! [`Ops::reduce`] of a 1D array and [`Ops::scan`] bind larger buffers in
//! pieces and combine the pieces' results; the other operations bind their
//! buffers whole, so each must fit one binding, or preparing fails with
//! [`Error::BindingSize`], which names the argument. Every buffer needs
//! `STORAGE` usage ([`Error::Usage`] otherwise).
//!
//! # Aliasing
//!
//! An op's output must not be one of its inputs: WebGPU does not let one
//! dispatch read a buffer through one binding while writing it through
//! another. Passing one `&Buffer` as both (`ops.gelu(&z, &z)`) is
//! [`Error::Aliased`] when the op is prepared, naming the two parameters
//! and, where there is one, the in-place op that does what was meant:
//! [`Ops::add_in_place`], [`Ops::relu_in_place`], [`Ops::gelu_in_place`]
//! (= [`Ops::gelu_tanh_in_place`]), [`Ops::gelu_erf_in_place`];
//! [`Ops::axpy`] and [`Ops::scale`] update their buffer in place already.
//! Inputs may be the same buffer (`ops.add(&a, &a, &out)`). Buffers are
//! compared by [`Buffer::id`](wasi_webgpu::Buffer::id), so two handles of
//! one buffer (`&z` and `&z.clone()`) are the same buffer too. A conflict
//! the SDK still finds when the op is recorded or run is
//! [`Error::Conflict`], and nothing runs. Each op's documentation says which
//! of its arguments may alias.
//!
//! # The CPU device
//!
//! On the in-guest CPU device ([`Instance::cpu_adapter`](wasi_webgpu::Instance::cpu_adapter),
//! [`Device::is_cpu`](wasi_webgpu::Device::is_cpu)) every operation is
//! prepared by the same methods, with the same shape checks and typed errors
//! (a buffer without `STORAGE`, or one a GPU could not bind whole, fails when
//! the op is prepared there too), and runs as plain Rust over the buffers'
//! guest memory when [`Op::submit`] or [`Ops::run`] is called, in order; it
//! has finished when they return. A CPU device has no passes, so
//! [`Op::encode`] of its ops is [`wasi_webgpu::Error::CpuDevice`]. Matrix
//! products (and [`Ops::linear`], and attention's two products per head)
//! are a cache-blocked GEMM over packed panels with a 4 × 8 register tile, in
//! f32x4 SIMD128 on wasm32 (enabled per function, so the crate needs no
//! target flags; engines running wasi:webgpu validate SIMD128); elsewhere
//! the same code is portable Rust. Each op is one step:
//! [`Op::dispatch_count`] is 1 (0 for empty shapes). Aliasing is checked as
//! on a GPU: [`Error::Aliased`] when preparing, and nothing is written. Sums on the CPU device are formed in another order
//! than on the GPU (8 interleaved partial sums; prefix sums in `f64`), within
//! the same tolerances.
//!
//! # Precision
//!
//! Everything computes in `f32`, the ops over f16 storage too (an
//! [`Element`] of `F16`: the transformer ops take `Buffer<f32>` or
//! `Buffer<F16>`): they widen each value on load, so each stored result is
//! within one f16 ulp (2⁻¹⁰ relative) of the f32 result of the same f16
//! inputs ([`Ops::add_layer_norm`] and [`Ops::embedding`] also store the row
//! they normalise as f16 first). The one exception is asked for:
//! [`Ops::matmul`] and [`Ops::linear`] over f16 with [`Accumulate::F16`] sum
//! in f16, whose error grows with the length of the sums (see
//! [`Accumulate`]).
//! Sums (matmul's dot products, reductions,
//! scans, softmax and layernorm's statistics) are formed in a different order
//! from a sequential loop, so they differ from one in the last bits; the
//! tests state their tolerances. [`Ops::gelu`] is the tanh approximation,
//! `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` (also named
//! [`Ops::gelu_tanh`]); [`Ops::gelu_erf`] and [`Activation::GeluErf`] are
//! exact GELU, `0.5 x (1 + erf(x / √2))`, with an f32 `erf` within 1 ulp
//! (about 6e-8; the tests measure GELU within `1e-7 + 2.5e-7 |x|` of f64).

#![deny(missing_docs)]

use std::cell::RefCell;
use std::future::Future;

use wasi_webgpu::{Adapter, Buffer, BufferInitDescriptor, BufferUsages, ComputePass, Device, Limits, Queue, Threads};

mod accumulate;
mod args;
mod attention;
#[cfg(feature = "bert")]
pub mod bert;
mod cpu;
mod element;
mod elementwise;
mod error;
mod large;
mod linear;
mod matmul;
mod reduce;
mod rows;
mod scan;
mod tiling;
mod transformer;

pub use accumulate::Accumulate;
pub use attention::AttentionDesc;
pub use element::Element;
pub use error::{Error, Result};
pub use linear::{Activation, LinearDesc};
pub use matmul::MatmulDesc;
pub use reduce::{ReduceDesc, Reduction};
pub use rows::{LayerNormDesc, RowsDesc};
pub use scan::ScanKind;
pub use tiling::{LARGE_MIN_TILES, Tiling};
pub use transformer::{EmbeddingDesc, PoolDesc, SequenceDesc};

/// One recorded dispatch of an [`Op`] on a GPU.
pub(crate) type GpuStep = Box<dyn Fn(&mut ComputePass<'_>) -> wasi_webgpu::Result<()>>;

/// One step of an [`Op`] on the CPU device: Rust run at submit.
type CpuStep = Box<dyn Fn() -> Result<()>>;

/// An [`Op`]'s work: dispatches on a GPU, Rust closures on the CPU device.
/// An `Op` holds steps of one kind only, the kind of its device.
enum Step {
    Gpu(GpuStep),
    Cpu(CpuStep),
}

/// A prepared operation: its buffers, shapes, scratch buffers and bind groups
/// are fixed, so it can be recorded any number of times without allocating.
///
/// Made by the methods of [`Ops`]. It keeps the buffers it uses alive. Reads
/// and writes of those buffers between recordings are fine: an `Op` holds no
/// data of its own besides shape uniforms and scratch space.
pub struct Op {
    name: &'static str,
    device: Device,
    steps: Vec<Step>,
}

impl Op {
    fn new(name: &'static str, device: &Device) -> Self {
        Self { name, device: device.clone(), steps: Vec::new() }
    }

    /// What the operation is, e.g. `"matmul"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How many dispatches [`encode`](Self::encode) records: 0 for an
    /// operation on empty tensors, more than 1 for multi-pass ones. On the
    /// CPU device, the number of steps [`submit`](Self::submit) runs: 0 for
    /// empty tensors, else 1.
    pub fn dispatch_count(&self) -> usize {
        self.steps.len()
    }

    /// Records the operation's dispatches into `pass`, after whatever the
    /// pass holds already; later dispatches see its results.
    ///
    /// Fails as [`ComputePass::dispatch_workgroups`] does; a conflict
    /// between its bindings there is [`Error::Conflict`] (an input that is
    /// the output failed when the op was prepared, as [`Error::Aliased`]).
    /// Dispatches of a
    /// multi-pass operation before the failing one stay recorded; they only
    /// write the operation's scratch buffers.
    ///
    /// An operation of the CPU device has no dispatches to record (the CPU
    /// device has no passes): encoding it is
    /// [`wasi_webgpu::Error::CpuDevice`]; run it with
    /// [`submit`](Self::submit) or [`Ops::run`].
    pub fn encode(&self, pass: &mut ComputePass<'_>) -> Result<()> {
        if self.device.is_cpu() {
            return Err(Error::from(wasi_webgpu::Error::CpuDevice { operation: "Op::encode" }).in_op(self.name));
        }
        for step in &self.steps {
            match step {
                Step::Gpu(step) => step(pass).map_err(|e| self.conflict(e.into()))?,
                Step::Cpu(_) => unreachable!("a GPU op holds GPU steps only"),
            }
        }
        Ok(())
    }

    /// Names the op in an SDK error while recording it, and in a conflict
    /// between its bindings that preparing did not see rather than a
    /// binding number.
    fn conflict(&self, error: Error) -> Error {
        self.named_conflict(error).in_op(self.name)
    }

    /// A conflict between the op's bindings named by the op; other errors
    /// as they are.
    fn named_conflict(&self, error: Error) -> Error {
        match error {
            Error::Gpu { op: "", source: source @ wasi_webgpu::Error::UsageConflict { .. } } => {
                Error::Conflict { op: self.name, source: Box::new(source) }
            }
            error => error,
        }
    }

    /// Records the operation into a compute pass of its own and submits it.
    /// Reading an output buffer afterwards waits for the GPU.
    ///
    /// On the CPU device, runs the operation in the guest before returning.
    pub async fn submit(&self, queue: &Queue) -> Result<()> {
        run(&self.device, queue, &[self]).await
    }

    /// Adds a GPU dispatch.
    fn push(&mut self, step: GpuStep) {
        debug_assert!(!self.device.is_cpu(), "{}: a GPU step on the CPU device", self.name);
        self.steps.push(Step::Gpu(step));
    }

    /// Adds a step of the CPU device.
    fn push_cpu(&mut self, step: CpuStep) {
        debug_assert!(self.device.is_cpu(), "{}: a CPU step on a GPU device", self.name);
        self.steps.push(Step::Cpu(step));
    }
}

impl core::fmt::Debug for Op {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Op").field("name", &self.name).field("dispatches", &self.steps.len()).finish()
    }
}

/// The limits to request for a device the ops run at the adapter's scale
/// on: the adapter's largest buffer and storage binding (WebGPU's defaults,
/// 256 MiB and 128 MiB, hold only small models and matrices) and its
/// workgroup memory (matmul takes deeper tiles where there is more than
/// 16 KiB), and WebGPU's defaults for every other limit.
///
/// ```no_run
/// # async fn demo() -> Result<(), wasi_webgpu::Error> {
/// let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
/// let required_limits = wasi_webgpu_ops::required_limits(&adapter);
/// let descriptor = wasi_webgpu::DeviceDescriptor { required_limits, ..Default::default() };
/// let (device, queue) = adapter.request_device(&descriptor).await?;
/// # let _ = (device, queue); Ok(()) }
/// ```
pub fn required_limits(adapter: &Adapter) -> Limits {
    let supported = adapter.limits();
    Limits {
        max_buffer_size: supported.max_buffer_size,
        max_storage_buffer_binding_size: supported.max_storage_buffer_binding_size,
        max_compute_workgroup_storage_size: supported.max_compute_workgroup_storage_size,
        ..Limits::default()
    }
}

/// The operations on one [`Device`], with their compiled pipelines.
///
/// Pipelines are compiled on first use and cached, so preparing a second
/// operation of a kind costs only its uniforms and bind groups. A cheap
/// object: create one per device and keep it.
pub struct Ops {
    device: Device,
    kernels: Kernels,
}

impl Ops {
    /// Operations on `device`. Compiles nothing yet.
    pub fn new(device: &Device) -> Self {
        Self { device: device.clone(), kernels: Kernels::default() }
    }

    /// The device the operations run on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Records `ops` in order into one compute pass and submits it. On the
    /// CPU device, runs them in order in the guest; the first failing one
    /// stops the rest.
    pub async fn run(&self, queue: &Queue, ops: &[&Op]) -> Result<()> {
        run(&self.device, queue, ops).await
    }

    /// A uniform buffer holding `params`.
    fn uniform<T: bytemuck::Pod>(&self, label: &'static str, params: T) -> Result<Buffer<T>> {
        Ok(self.device.create_buffer_init(&BufferInitDescriptor {
            label: Some(label),
            contents: &[params],
            usage: BufferUsages::UNIFORM,
        })?)
    }

    /// A scratch storage buffer of `len` elements, for partial results.
    fn scratch(&self, label: &'static str, len: u64) -> Result<Buffer<f32>> {
        Ok(self.device.create_buffer(&wasi_webgpu::BufferDescriptor {
            label: Some(label),
            len,
            usage: BufferUsages::STORAGE,
            mapped_at_creation: false,
        })?)
    }

    /// The threads to dispatch for `workgroups` workgroups of size
    /// `workgroup_size` numbered over a 2D grid: x up to the per-dimension
    /// limit, then y. The kernels number workgroups `y * x_count + x` and
    /// skip those past the end.
    fn grid(&self, op: &'static str, workgroups: u64, workgroup_size: [u32; 3]) -> Result<Threads> {
        let max = u64::from(self.device.limits().max_compute_workgroups_per_dimension);
        let x = workgroups.min(max);
        let y = workgroups.div_ceil(max.max(1));
        if y > max {
            return Err(Error::Shape {
                op,
                reason: format!("{workgroups} workgroups exceed the dispatch limit of {max} x {max}"),
            });
        }
        Ok(Threads([x as u32 * workgroup_size[0], y as u32 * workgroup_size[1], 1]))
    }
}

/// Prepares an operation: `prepare`'s result, with an SDK error inside it
/// named by the public call `op`.
async fn named<T>(op: &'static str, prepare: impl Future<Output = Result<T>>) -> Result<T> {
    prepare.await.map_err(|e| e.in_op(op))
}

/// Records `ops` into one pass on a fresh encoder and submits it; on the
/// CPU device, runs their steps in order. An SDK error names the op, or
/// `run` for several.
async fn run(device: &Device, queue: &Queue, ops: &[&Op]) -> Result<()> {
    let name = match ops {
        [op] => op.name,
        _ => "run",
    };
    record_and_submit(device, queue, ops).await.map_err(|e| e.in_op(name))
}

async fn record_and_submit(device: &Device, queue: &Queue, ops: &[&Op]) -> Result<()> {
    if device.is_cpu() {
        for op in ops {
            if !op.device.is_cpu() {
                return Err(wasi_webgpu::Error::DeviceMismatch("Ops::run").into());
            }
            for step in &op.steps {
                match step {
                    // Unnamed here, like the GPU's submit: `run` names it.
                    Step::Cpu(step) => step().map_err(|e| op.named_conflict(e))?,
                    Step::Gpu(_) => unreachable!("a CPU op holds CPU steps only"),
                }
            }
        }
        return Ok(());
    }
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    for op in ops {
        op.encode(&mut pass)?;
    }
    pass.end();
    queue.submit([encoder.finish().await?])?;
    Ok(())
}

/// The compiled pipelines, by kind and variant, filled on first use.
#[derive(Default)]
struct Kernels {
    matmul: matmul::Kernels,
    large: large::Kernels,
    elementwise: elementwise::Kernels,
    reduce_rows: [RefCell<Option<reduce::wgsl::ReduceRows>>; 2],
    reduce_cols: [RefCell<Option<reduce::wgsl::ReduceCols>>; 2],
    rows: rows::Kernels,
    scan: scan::Kernels,
    transformer: transformer::Kernels,
    attention: attention::Kernels,
}

/// The pipeline in `cell`, compiled by `compile` the first time.
async fn cached<K: Clone>(
    cell: &RefCell<Option<K>>,
    compile: impl Future<Output = wasi_webgpu::Result<K>>,
) -> Result<K> {
    if let Some(kernel) = cell.borrow().as_ref() {
        return Ok(kernel.clone());
    }
    let kernel = compile.await?;
    *cell.borrow_mut() = Some(kernel.clone());
    Ok(kernel)
}

/// Checks that `buffer` holds at least `needed` elements.
fn check_len<T: bytemuck::Pod>(op: &'static str, buffer: &'static str, actual: &Buffer<T>, needed: u64) -> Result<()> {
    if actual.len() < needed {
        return Err(Error::TooSmall { op, buffer, len: actual.len(), needed });
    }
    Ok(())
}

/// A shape's element count, which the kernels index with `u32`.
fn elements(op: &'static str, what: &str, factors: &[u64]) -> Result<u64> {
    factors
        .iter()
        .try_fold(1u64, |acc, &f| acc.checked_mul(f))
        .filter(|&n| n <= u64::from(u32::MAX))
        .ok_or_else(|| Error::Shape { op, reason: format!("{what} has more than 2^32 - 1 elements") })
}
