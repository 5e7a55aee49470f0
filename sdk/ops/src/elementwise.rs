//! Elementwise operations: [`Ops::add`], [`Ops::mul`], [`Ops::relu`],
//! [`Ops::gelu`], [`Ops::gelu_erf`], [`Ops::gelu_tanh`], [`Ops::bias_add`], [`Ops::relu_backward`], [`Ops::axpy`],
//! [`Ops::scale`].

use std::cell::RefCell;

use wasi_webgpu::Buffer;

use crate::cpu::{self, whole};
use crate::{Error, Op, Ops, Result, cached, elements};

#[allow(dead_code)]
#[wasi_webgpu::shader(path = "src/wgsl/elementwise.wgsl")]
pub(crate) mod wgsl {}

#[derive(Default)]
pub(crate) struct Kernels {
    add: RefCell<Option<wgsl::Add>>,
    mul: RefCell<Option<wgsl::Mul>>,
    relu: RefCell<Option<wgsl::Relu>>,
    relu_backward: RefCell<Option<wgsl::ReluBackward>>,
    gelu: RefCell<Option<wgsl::Gelu>>,
    gelu_erf: RefCell<Option<wgsl::GeluErf>>,
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

/// Declares a prepare method per elementwise entry point: its buffers are
/// bound to the entry point's globals `x`, `y` (read) and `out` (written).
macro_rules! elementwise {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $global:ident as $access:ident),*) => $kernel:ident;
    )*) => {
        impl Ops {
            $(
                $(#[$doc])*
                pub async fn $name(&self, $($arg: &Buffer<f32>),*) -> Result<Op> {
                    let len = same_len(stringify!($name), &[$((stringify!($arg), $arg)),*])?;
                    if self.device.is_cpu() {
                        return self.cpu_elementwise(stringify!($name), len, &[$($arg),*]);
                    }
                    self.elementwise(stringify!($name), len, 0, 0.0, &self.kernels.elementwise.$name, |kernel, params| {
                        kernel.bind(
                            &self.device,
                            &wgsl::$kernel { params, $($global: $arg.$access()),* },
                        )
                    })
                    .await
                }
            )*
        }
    };
}

elementwise! {
    /// Prepares `out = a + b`.
    fn add(a: x as as_storage, b: y as as_storage, out: out as as_storage_mut) => AddBindings;
    /// Prepares `out = a * b`, elementwise.
    fn mul(a: x as as_storage, b: y as as_storage, out: out as as_storage_mut) => MulBindings;
    /// Prepares `out = max(x, 0)`.
    fn relu(x: x as as_storage, out: out as as_storage_mut) => ReluBindings;
    /// Prepares `out = x * Φ(x)` with the tanh approximation,
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`; the same as
    /// [`Ops::gelu_tanh`]. BERT uses the exact form, [`Ops::gelu_erf`].
    fn gelu(x: x as as_storage, out: out as as_storage_mut) => GeluBindings;
    /// Prepares exact GELU, `out = 0.5 x (1 + erf(x / √2))`, with an `erf`
    /// within about 6e-8 of the exact value (WGSL has none).
    fn gelu_erf(x: x as as_storage, out: out as as_storage_mut) => GeluErfBindings;
    /// Prepares ReLU's backward pass: `out = grad` where `x > 0`, else 0,
    /// with `x` the input of the forward ReLU and `grad` the gradient of its
    /// output.
    fn relu_backward(grad: y as as_storage, x: x as as_storage, out: out as as_storage_mut) => ReluBackwardBindings;
}

impl Ops {
    /// Prepares GELU's tanh approximation,
    /// `out = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`: [`Ops::gelu`]
    /// under the name that says which GELU it is.
    pub async fn gelu_tanh(&self, x: &Buffer<f32>, out: &Buffer<f32>) -> Result<Op> {
        const OP: &str = "gelu_tanh";
        let len = same_len(OP, &[("x", x), ("out", out)])?;
        if self.device.is_cpu() {
            return self.cpu_elementwise(OP, len, &[x, out]);
        }
        self.elementwise(OP, len, 0, 0.0, &self.kernels.elementwise.gelu, |kernel, params| {
            kernel.bind(&self.device, &wgsl::GeluBindings { params, x: x.as_storage(), out: out.as_storage_mut() })
        })
        .await
    }

    /// Prepares `out[r][c] = x[r][c] + bias[c]`: `x` and `out` are
    /// `[rows, bias.len()]`, and the bias is added to every row.
    pub async fn bias_add(&self, x: &Buffer<f32>, bias: &Buffer<f32>, out: &Buffer<f32>) -> Result<Op> {
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
        if self.device.is_cpu() {
            if len == 0 {
                return Ok(Op::new(OP, &self.device));
            }
            let (x, bias, out) = (x.clone(), bias.clone(), out.clone());
            return self.cpu_op(OP, &[whole(&x), whole(&bias), whole(&out)], move |device| {
                let (x, bias, mut out) = (cpu::read(device, &x)?, cpu::read(device, &bias)?, out.clone());
                cpu::elementwise::bias_add(&x, &bias, &mut cpu::write(device, &mut out)?);
                Ok(())
            });
        }
        self.elementwise(OP, len, cols, 0.0, &self.kernels.elementwise.bias_add, |kernel, params| {
            let bindings =
                wgsl::BiasAddBindings { params, x: x.as_storage(), y: bias.as_storage(), out: out.as_storage_mut() };
            kernel.bind(&self.device, &bindings)
        })
        .await
    }

    /// Prepares `y += alpha * x`, in place (with a fused multiply-add): an
    /// SGD step is `axpy(-learning_rate, gradient, weights)`.
    pub async fn axpy(&self, alpha: f32, x: &Buffer<f32>, y: &Buffer<f32>) -> Result<Op> {
        const OP: &str = "axpy";
        let len = same_len(OP, &[("y", y), ("x", x)])?;
        if self.device.is_cpu() {
            if len == 0 {
                return Ok(Op::new(OP, &self.device));
            }
            let (x, y) = (x.clone(), y.clone());
            return self.cpu_op(OP, &[whole(&x), whole(&y)], move |device| {
                let (x, mut y) = (cpu::read(device, &x)?, y.clone());
                cpu::elementwise::axpy(alpha, &x, &mut cpu::write(device, &mut y)?);
                Ok(())
            });
        }
        self.elementwise(OP, len, 0, alpha, &self.kernels.elementwise.axpy, |kernel, params| {
            kernel.bind(&self.device, &wgsl::AxpyBindings { params, x: x.as_storage(), out: y.as_storage_mut() })
        })
        .await
    }

    /// Prepares `y *= alpha`, in place.
    pub async fn scale(&self, alpha: f32, y: &Buffer<f32>) -> Result<Op> {
        const OP: &str = "scale";
        let len = same_len(OP, &[("y", y)])?;
        if self.device.is_cpu() {
            if len == 0 {
                return Ok(Op::new(OP, &self.device));
            }
            let y = y.clone();
            return self.cpu_op(OP, &[whole(&y)], move |device| {
                cpu::elementwise::scale(alpha, &mut cpu::write(device, &mut y.clone())?);
                Ok(())
            });
        }
        self.elementwise(OP, len, 0, alpha, &self.kernels.elementwise.scale, |kernel, params| {
            kernel.bind(&self.device, &wgsl::ScaleBindings { params, out: y.as_storage_mut() })
        })
        .await
    }

    /// The CPU device's elementwise op `name` over `buffers`: inputs, then
    /// the output last.
    fn cpu_elementwise(&self, name: &'static str, len: u64, buffers: &[&Buffer<f32>]) -> Result<Op> {
        if len == 0 {
            return Ok(Op::new(name, &self.device));
        }
        let kernel: fn(&[&[f32]], &mut [f32]) = match name {
            "add" => |x, out| cpu::elementwise::add(x[0], x[1], out),
            "mul" => |x, out| cpu::elementwise::mul(x[0], x[1], out),
            "relu" => |x, out| cpu::elementwise::relu(x[0], out),
            "gelu" | "gelu_tanh" => |x, out| cpu::elementwise::map(x[0], out, cpu::elementwise::gelu_tanh),
            "gelu_erf" => |x, out| cpu::elementwise::map(x[0], out, cpu::elementwise::gelu_erf),
            "relu_backward" => |x, out| cpu::elementwise::relu_backward(x[0], x[1], out),
            _ => unreachable!("no CPU kernel for the elementwise op {name}"),
        };
        let bindings: Vec<_> = buffers.iter().map(|b| whole(*b)).collect();
        let (inputs, output): (Vec<Buffer<f32>>, Buffer<f32>) = match buffers {
            [inputs @ .., output] => (inputs.iter().map(|b| (*b).clone()).collect(), (*output).clone()),
            [] => unreachable!("an elementwise op has an output"),
        };
        self.cpu_op(name, &bindings, move |device| {
            // At most two inputs: no allocation per run.
            let (first, second) =
                (cpu::read(device, &inputs[0])?, inputs.get(1).map(|b| cpu::read(device, b)).transpose()?);
            let x: [&[f32]; 2] = [&first, second.as_deref().unwrap_or(&[])];
            kernel(&x[..inputs.len()], &mut cpu::write(device, &mut output.clone())?);
            Ok(())
        })
    }

    /// The shared part: compile (once), write the uniform, bind, and record
    /// one dispatch of `len` invocations.
    async fn elementwise<K, B>(
        &self,
        op_name: &'static str,
        len: u64,
        cols: u32,
        alpha: f32,
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
        let kernel = cached(cell, K::compile(&self.device)).await?;
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
    async fn compile(device: &wasi_webgpu::Device) -> wasi_webgpu::Result<Self>;
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
            async fn compile(device: &wasi_webgpu::Device) -> wasi_webgpu::Result<Self> {
                Self::pipeline(device, &Default::default()).await
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
    Relu => ReluBound,
    ReluBackward => ReluBackwardBound,
    Gelu => GeluBound,
    GeluErf => GeluErfBound,
    BiasAdd => BiasAddBound,
    Axpy => AxpyBound,
    Scale => ScaleBound
);
