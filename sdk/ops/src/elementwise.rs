//! Elementwise operations: [`Ops::add`], [`Ops::mul`], [`Ops::relu`],
//! [`Ops::gelu`], [`Ops::gelu_erf`], [`Ops::gelu_tanh`], [`Ops::bias_add`], [`Ops::relu_backward`], [`Ops::axpy`],
//! [`Ops::scale`], and the in-place forms [`Ops::add_in_place`],
//! [`Ops::relu_in_place`], [`Ops::gelu_in_place`], [`Ops::gelu_tanh_in_place`], [`Ops::gelu_erf_in_place`].

use std::cell::RefCell;

use wasi_webgpu::Buffer;

use crate::args::{read, written};
use crate::cpu;
use crate::{Error, Op, Ops, Result, cached, elements};

#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/elementwise.wgsl", "src/wgsl/erf.wgsl"])]
pub(crate) mod wgsl {}

/// The `UNARY` override values of elementwise.wgsl's `unary` entry points.
const RELU: u32 = 0;
const GELU_TANH: u32 = 1;
const GELU_ERF: u32 = 2;

#[derive(Default)]
pub(crate) struct Kernels {
    add: RefCell<Option<wgsl::Add>>,
    mul: RefCell<Option<wgsl::Mul>>,
    relu: RefCell<Option<wgsl::Unary>>,
    relu_backward: RefCell<Option<wgsl::ReluBackward>>,
    gelu: RefCell<Option<wgsl::Unary>>,
    gelu_erf: RefCell<Option<wgsl::Unary>>,
    relu_in_place: RefCell<Option<wgsl::UnaryInPlace>>,
    gelu_in_place: RefCell<Option<wgsl::UnaryInPlace>>,
    gelu_erf_in_place: RefCell<Option<wgsl::UnaryInPlace>>,
    bias_add: RefCell<Option<wgsl::BiasAdd>>,
    axpy: RefCell<Option<wgsl::Axpy>>,
    scale: RefCell<Option<wgsl::Scale>>,
}

/// Checks that every buffer has the length of the first and returns it.
fn same_len(op: &'static str, buffers: &[(&'static str, &Buffer<f32>)]) -> Result<u64> {
    let (first, buffer) = buffers[0];
    let len = buffer.len();
    for &(name, other) in &buffers[1..] {
        if other.len() != len {
            return Err(Error::LengthMismatch { op, buffer: name, len: other.len(), other: first, expected: len });
        }
    }
    elements(op, first, &[len])
}

/// The argument check of a buffer bound through `$access`.
macro_rules! arg {
    (as_storage, $name:ident) => {
        read(stringify!($name), $name)
    };
    (as_storage_mut, $name:ident) => {
        written(stringify!($name), $name)
    };
}

/// Declares a prepare method per elementwise entry point: its buffers are
/// bound to the entry point's globals `x`, `y` (read) and `out` (written),
/// and the last one is the buffer written. `in_place` is the op that does
/// the same to one buffer, which an aliasing error suggests; `unary` the
/// `UNARY` override of the `unary` entry points.
macro_rules! elementwise {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $global:ident as $access:ident),*) => $kernel:ident, in_place: $in_place:expr $(, unary: $unary:expr)?;
    )*) => {
        impl Ops {
            $(
                $(#[$doc])*
                pub async fn $name(&self, $($arg: &Buffer<f32>),*) -> Result<Op> {
        crate::named(stringify!($name), async {
                    let len = same_len(stringify!($name), &[$((stringify!($arg), $arg)),*])?;
                    if len > 0 {
                        self.check_args(stringify!($name), &[$(arg!($access, $arg)),*], $in_place)?;
                    }
                    if self.device.is_cpu() {
                        return self.cpu_elementwise(stringify!($name), len, &[$($arg),*]);
                    }
                    let unary = None $(.or(Some($unary)))?;
                    self.elementwise(stringify!($name), len, 0, 0.0, unary, &self.kernels.elementwise.$name, |kernel, params| {
                        kernel.bind(
                            &self.device,
                            &wgsl::$kernel { params, $($global: $arg.$access()),* },
                        )
                    })
                    .await
                }).await
    }
            )*
        }
    };
}

elementwise! {
    /// Prepares `out = a + b`, elementwise. `a`, `b` and `out` hold the same
    /// number of elements ([`Error::LengthMismatch`] otherwise); elementwise
    /// ops see flat arrays, so any shape and layout works.
    ///
    /// Aliasing: `a` and `b` may be the same buffer (`out = 2a`); `out` must
    /// be neither ([`Error::Aliased`]): for `a += b` use [`Ops::add_in_place`].
    ///
    /// Numerics: one IEEE f32 addition per element, exactly rounded; the
    /// tests compare bit for bit with a CPU sum (1, 7, 1000, 4099 elements).
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, a: &Buffer<f32>, b: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.add(a, b, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn add(a: x as as_storage, b: y as as_storage, out: out as as_storage_mut) => AddBindings, in_place: Some("add_in_place");
    /// Prepares `out = a * b`, elementwise (the Hadamard product), over
    /// buffers of one length.
    ///
    /// Aliasing: `a` and `b` may be the same buffer (`out = a²`); `out` must
    /// be neither ([`Error::Aliased`]).
    ///
    /// Numerics: one exactly rounded f32 product per element; the tests
    /// compare bit for bit with a CPU product.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, a: &Buffer<f32>, b: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.mul(a, b, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn mul(a: x as as_storage, b: y as as_storage, out: out as as_storage_mut) => MulBindings, in_place: None;
    /// Prepares `out = max(x, 0)`, elementwise, over buffers of one length.
    ///
    /// Aliasing: `out` must not be `x` ([`Error::Aliased`]); to rectify a
    /// buffer in place use [`Ops::relu_in_place`].
    ///
    /// Numerics: exact; the tests compare bit for bit.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.relu(x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn relu(x: x as as_storage, out: out as as_storage_mut) => UnaryBindings, in_place: Some("relu_in_place"), unary: RELU;
    /// Prepares `out = x * Φ(x)` with the tanh approximation,
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`, elementwise; the same
    /// as [`Ops::gelu_tanh`]. BERT uses the exact form, [`Ops::gelu_erf`].
    ///
    /// Aliasing: `out` must not be `x` ([`Error::Aliased`]); use
    /// [`Ops::gelu_in_place`] to overwrite `x`.
    ///
    /// Numerics: computed as `x / (1 + exp(-2u))`, which saturates cleanly
    /// (no NaN at ±90); the tests hold it within `1e-6 + 1e-5 |ref|` of an
    /// f64 reference of the formula.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.gelu(x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn gelu(x: x as as_storage, out: out as as_storage_mut) => UnaryBindings, in_place: Some("gelu_in_place"), unary: GELU_TANH;
    /// Prepares exact GELU, `out = 0.5 x (1 + erf(x / √2))`, elementwise.
    ///
    /// Aliasing: `out` must not be `x` ([`Error::Aliased`]); use
    /// [`Ops::gelu_erf_in_place`] to overwrite `x`.
    ///
    /// Numerics: WGSL has no `erf`; the kernel's is within 1 ulp (about
    /// 6e-8); the tests hold GELU within `1e-7 + 2.5e-7 |x|` of f64.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.gelu_erf(x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn gelu_erf(x: x as as_storage, out: out as as_storage_mut) => UnaryBindings, in_place: Some("gelu_erf_in_place"), unary: GELU_ERF;
    /// Prepares ReLU's backward pass: `out = grad` where `x > 0`, else 0,
    /// with `x` the input of the forward ReLU and `grad` the gradient of its
    /// output, all of one length.
    ///
    /// Aliasing: `grad` and `x` may be the same buffer; `out` must be
    /// neither ([`Error::Aliased`]).
    ///
    /// Numerics: exact (a select); the tests compare bit for bit.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, grad: &Buffer<f32>, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.relu_backward(grad, x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn relu_backward(grad: y as as_storage, x: x as as_storage, out: out as as_storage_mut) => ReluBackwardBindings, in_place: None;
    /// Prepares `x = max(x, 0)` in place: [`Ops::relu`] without a second
    /// buffer.
    ///
    /// Numerics: exact; the tests compare bit for bit at 1,048,583 and 7
    /// elements.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.relu_in_place(x).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn relu_in_place(x: out as as_storage_mut) => UnaryInPlaceBindings, in_place: None, unary: RELU;
    /// Prepares GELU's tanh approximation in place, `x = gelu(x)`:
    /// [`Ops::gelu`] without a second buffer (also named
    /// [`Ops::gelu_tanh_in_place`]).
    ///
    /// Numerics: as [`Ops::gelu`]'s; the tests hold it within
    /// `1e-6 + 1e-5 |ref|` of f64 at 1,048,583 and 7 elements.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.gelu_in_place(x).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn gelu_in_place(x: out as as_storage_mut) => UnaryInPlaceBindings, in_place: None, unary: GELU_TANH;
    /// Prepares exact GELU in place, `x = 0.5 x (1 + erf(x / √2))`:
    /// [`Ops::gelu_erf`] without a second buffer.
    ///
    /// Numerics: as [`Ops::gelu_erf`]'s; the tests hold it within
    /// `1e-7 + 2.5e-7 |x|` of f64 at 1,048,583 and 7 elements.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.gelu_erf_in_place(x).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    fn gelu_erf_in_place(x: out as as_storage_mut) => UnaryInPlaceBindings, in_place: None, unary: GELU_ERF;
}

impl Ops {
    /// Prepares GELU's tanh approximation,
    /// `out = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`: [`Ops::gelu`]
    /// under the name that says which GELU it is, with its aliasing rules
    /// and numerics.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.gelu_tanh(x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn gelu_tanh(&self, x: &Buffer<f32>, out: &Buffer<f32>) -> Result<Op> {
        crate::named("gelu_tanh", async {
            const OP: &str = "gelu_tanh";
            let len = same_len(OP, &[("x", x), ("out", out)])?;
            if len > 0 {
                self.check_args(OP, &[read("x", x), written("out", out)], Some("gelu_tanh_in_place"))?;
            }
            if self.device.is_cpu() {
                return self.cpu_elementwise(OP, len, &[x, out]);
            }
            self.elementwise(OP, len, 0, 0.0, Some(GELU_TANH), &self.kernels.elementwise.gelu, |kernel, params| {
                kernel.bind(&self.device, &wgsl::UnaryBindings { params, x: x.as_storage(), out: out.as_storage_mut() })
            })
            .await
        })
        .await
    }

    /// Prepares GELU's tanh approximation in place: [`Ops::gelu_in_place`]
    /// under the name that says which GELU it is.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.gelu_tanh_in_place(x).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn gelu_tanh_in_place(&self, x: &Buffer<f32>) -> Result<Op> {
        crate::named("gelu_tanh_in_place", async {
            const OP: &str = "gelu_tanh_in_place";
            let len = same_len(OP, &[("x", x)])?;
            if len > 0 {
                self.check_args(OP, &[written("x", x)], None)?;
            }
            if self.device.is_cpu() {
                return self.cpu_elementwise(OP, len, &[x]);
            }
            let cell = &self.kernels.elementwise.gelu_in_place;
            self.elementwise(OP, len, 0, 0.0, Some(GELU_TANH), cell, |kernel, params| {
                kernel.bind(&self.device, &wgsl::UnaryInPlaceBindings { params, out: x.as_storage_mut() })
            })
            .await
        })
        .await
    }

    /// Prepares `out[r][c] = x[r][c] + bias[c]`: `x` and `out` are
    /// row-major `[rows, bias.len()]` (equal lengths, a whole number of
    /// rows, else [`Error::LengthMismatch`] or [`Error::Shape`]), and the
    /// bias is added to every row.
    ///
    /// Aliasing: `out` must be neither `x` nor `bias` ([`Error::Aliased`]);
    /// [`Ops::linear`] fuses the bias into the product instead.
    ///
    /// Numerics: one exactly rounded addition per element; the tests
    /// compare bit for bit over 1 × 1 to 1000 × 3.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, bias: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.bias_add(x, bias, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn bias_add(&self, x: &Buffer<f32>, bias: &Buffer<f32>, out: &Buffer<f32>) -> Result<Op> {
        crate::named("bias_add", async {
            const OP: &str = "bias_add";
            let len = same_len(OP, &[("x", x), ("out", out)])?;
            let cols = bias.len();
            if cols == 0 || !len.is_multiple_of(cols) {
                return Err(Error::Shape {
                    op: OP,
                    reason: format!("x holds {len} elements, which is not a whole number of rows of bias's {cols}"),
                });
            }
            let cols = elements(OP, "bias", &[cols])? as u32;
            if len == 0 {
                return Ok(Op::new(OP, &self.device));
            }
            self.check_args(OP, &[read("x", x), read("bias", bias), written("out", out)], None)?;
            if self.device.is_cpu() {
                let (x, bias, out) = (x.clone(), bias.clone(), out.clone());
                return self.cpu_op(OP, move |device| {
                    let (x, bias, mut out) = (cpu::read(device, &x)?, cpu::read(device, &bias)?, out.clone());
                    cpu::elementwise::bias_add(&x, &bias, &mut cpu::write(device, &mut out)?);
                    Ok(())
                });
            }
            self.elementwise(OP, len, cols, 0.0, None, &self.kernels.elementwise.bias_add, |kernel, params| {
                let bindings = wgsl::BiasAddBindings {
                    params,
                    x: x.as_storage(),
                    y: bias.as_storage(),
                    out: out.as_storage_mut(),
                };
                kernel.bind(&self.device, &bindings)
            })
            .await
        })
        .await
    }

    /// Prepares `y += alpha * x`, in place, over buffers of one length: an
    /// SGD step is `axpy(-learning_rate, gradient, weights)`.
    ///
    /// Aliasing: `y` is read and written; `x` must be another buffer
    /// ([`Error::Aliased`]; `y += alpha * y` is [`Ops::scale`] by
    /// `1 + alpha`).
    ///
    /// Numerics: a fused multiply-add on the GPU (WGSL's `fma` may round
    /// once or twice), a multiply and an add on the CPU device; the tests
    /// hold it within 1.5e-7 (1 ulp at these magnitudes) of f64.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, gradient: &Buffer<f32>, weights: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.axpy(-0.01, gradient, weights).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn axpy(&self, alpha: f32, x: &Buffer<f32>, y: &Buffer<f32>) -> Result<Op> {
        crate::named("axpy", async { self.accumulate("axpy", alpha, ("x", x), ("y", y)).await }).await
    }

    /// Prepares `a += b` in place, over buffers of one length: [`Ops::add`]
    /// with `a` as the output. The residual connection of a transformer
    /// block is `add_in_place(hidden, residual)`.
    ///
    /// Aliasing: `b` must be another buffer than `a` ([`Error::Aliased`];
    /// `a += a` is [`Ops::scale`] by 2).
    ///
    /// Numerics: one exactly rounded addition per element (on the GPU a
    /// fused multiply-add by 1, which rounds the same); the tests compare
    /// bit for bit at 1,048,583 and 7 elements.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, a: &Buffer<f32>, b: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.add_in_place(a, b).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_in_place(&self, a: &Buffer<f32>, b: &Buffer<f32>) -> Result<Op> {
        crate::named("add_in_place", async { self.accumulate("add_in_place", 1.0, ("b", b), ("a", a)).await }).await
    }

    /// `y += alpha * x` as the op `op`, whose parameters `x` and `y` are
    /// named as given.
    async fn accumulate(
        &self,
        op: &'static str,
        alpha: f32,
        (x_name, x): (&'static str, &Buffer<f32>),
        (y_name, y): (&'static str, &Buffer<f32>),
    ) -> Result<Op> {
        let len = same_len(op, &[(y_name, y), (x_name, x)])?;
        if len == 0 {
            return Ok(Op::new(op, &self.device));
        }
        self.check_args(op, &[read(x_name, x), written(y_name, y)], None)?;
        if self.device.is_cpu() {
            let (x, y) = (x.clone(), y.clone());
            return self.cpu_op(op, move |device| {
                let (x, mut y) = (cpu::read(device, &x)?, y.clone());
                cpu::elementwise::axpy(alpha, &x, &mut cpu::write(device, &mut y)?);
                Ok(())
            });
        }
        self.elementwise(op, len, 0, alpha, None, &self.kernels.elementwise.axpy, |kernel, params| {
            kernel.bind(&self.device, &wgsl::AxpyBindings { params, x: x.as_storage(), out: y.as_storage_mut() })
        })
        .await
    }

    /// Prepares `y *= alpha`, in place (so there is nothing to alias).
    ///
    /// Numerics: one exactly rounded product per element; the tests compare
    /// bit for bit, up to 256 × 65535 + 1 elements.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, y: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// ops.scale(0.5, y).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn scale(&self, alpha: f32, y: &Buffer<f32>) -> Result<Op> {
        crate::named("scale", async {
            const OP: &str = "scale";
            let len = same_len(OP, &[("y", y)])?;
            if len == 0 {
                return Ok(Op::new(OP, &self.device));
            }
            self.check_args(OP, &[written("y", y)], None)?;
            if self.device.is_cpu() {
                let y = y.clone();
                return self.cpu_op(OP, move |device| {
                    cpu::elementwise::scale(alpha, &mut cpu::write(device, &mut y.clone())?);
                    Ok(())
                });
            }
            self.elementwise(OP, len, 0, alpha, None, &self.kernels.elementwise.scale, |kernel, params| {
                kernel.bind(&self.device, &wgsl::ScaleBindings { params, out: y.as_storage_mut() })
            })
            .await
        })
        .await
    }

    /// The CPU device's elementwise op `name` over `buffers`: inputs, then
    /// the output last (the only buffer of an in-place op).
    fn cpu_elementwise(&self, name: &'static str, len: u64, buffers: &[&Buffer<f32>]) -> Result<Op> {
        use cpu::elementwise::{gelu_erf, gelu_tanh, map, map_in_place};
        if len == 0 {
            return Ok(Op::new(name, &self.device));
        }
        let kernel: fn(&[&[f32]], &mut [f32]) = match name {
            "add" => |x, out| cpu::elementwise::add(x[0], x[1], out),
            "mul" => |x, out| cpu::elementwise::mul(x[0], x[1], out),
            "relu" => |x, out| cpu::elementwise::relu(x[0], out),
            "gelu" | "gelu_tanh" => |x, out| map(x[0], out, gelu_tanh),
            "gelu_erf" => |x, out| map(x[0], out, gelu_erf),
            "relu_backward" => |x, out| cpu::elementwise::relu_backward(x[0], x[1], out),
            "relu_in_place" => |_, out| map_in_place(out, |v| v.max(0.0)),
            "gelu_in_place" | "gelu_tanh_in_place" => |_, out| map_in_place(out, gelu_tanh),
            "gelu_erf_in_place" => |_, out| map_in_place(out, gelu_erf),
            _ => unreachable!("no CPU kernel for the elementwise op {name}"),
        };
        let (inputs, output): (Vec<Buffer<f32>>, Buffer<f32>) = match buffers {
            [inputs @ .., output] => (inputs.iter().map(|b| (*b).clone()).collect(), (*output).clone()),
            [] => unreachable!("an elementwise op has an output"),
        };
        self.cpu_op(name, move |device| {
            // At most two inputs: no allocation per run.
            let read = |i: usize| inputs.get(i).map(|b| cpu::read(device, b)).transpose();
            let (first, second) = (read(0)?, read(1)?);
            let x: [&[f32]; 2] = [first.as_deref().unwrap_or(&[]), second.as_deref().unwrap_or(&[])];
            kernel(&x[..inputs.len()], &mut cpu::write(device, &mut output.clone())?);
            Ok(())
        })
    }

    /// The shared part: compile (once), write the uniform, bind, and record
    /// one dispatch of `len` invocations.
    #[allow(clippy::too_many_arguments)]
    async fn elementwise<K, B>(
        &self,
        op_name: &'static str,
        len: u64,
        cols: u32,
        alpha: f32,
        unary: Option<u32>,
        cell: &RefCell<Option<K>>,
        bind: impl FnOnce(&K, wasi_webgpu::Uniform<'_, wgsl::ElementwiseParams>) -> wasi_webgpu::Result<B>,
    ) -> Result<Op>
    where
        K: Kernel<Bound = B> + 'static,
        B: 'static,
    {
        let mut op = Op::new(op_name, &self.device);
        if len == 0 {
            return Ok(op);
        }
        let kernel = cached(cell, K::compile(&self.device, unary)).await?;
        let params = self.uniform("elementwise shape", wgsl::ElementwiseParams { len: len as u32, cols, alpha })?;
        let bound = bind(&kernel, params.as_uniform())?;
        let workgroup_size = kernel.workgroup_size();
        let threads = self.grid(op_name, len.div_ceil(u64::from(workgroup_size[0])), workgroup_size)?;
        op.push(Box::new(move |pass| kernel.dispatch(pass, &bound, threads)));
        Ok(op)
    }
}

/// What [`Ops::elementwise`] needs of a generated entry point type.
pub(crate) trait Kernel: Clone {
    type Bound;
    /// The pipeline, with `UNARY` set for the `unary` entry points only.
    async fn compile(device: &wasi_webgpu::Device, unary: Option<u32>) -> wasi_webgpu::Result<Self>;
    fn workgroup_size(&self) -> [u32; 3];
    fn dispatch(
        &self,
        pass: &mut wasi_webgpu::ComputePass<'_>,
        bound: &Self::Bound,
        threads: wasi_webgpu::Threads,
    ) -> wasi_webgpu::Result<()>;
}

macro_rules! kernel {
    ($($ty:ident => $bound:ident),*) => {$(
        impl Kernel for wgsl::$ty {
            type Bound = wgsl::$bound;
            async fn compile(device: &wasi_webgpu::Device, unary: Option<u32>) -> wasi_webgpu::Result<Self> {
                Self::pipeline(device, &wgsl::Overrides { UNARY: unary }).await
            }
            fn workgroup_size(&self) -> [u32; 3] {
                self.workgroup_size()
            }
            fn dispatch(
                &self,
                pass: &mut wasi_webgpu::ComputePass<'_>,
                bound: &Self::Bound,
                threads: wasi_webgpu::Threads,
            ) -> wasi_webgpu::Result<()> {
                self.dispatch_bound(pass, bound, threads)
            }
        }
    )*};
}

kernel!(
    Add => AddBound,
    Mul => MulBound,
    Unary => UnaryBound,
    ReluBackward => ReluBackwardBound,
    BiasAdd => BiasAddBound,
    Axpy => AxpyBound,
    Scale => ScaleBound,
    UnaryInPlace => UnaryInPlaceBound
);
