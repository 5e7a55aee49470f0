//! [`Element`]: the number formats the transformer ops store their tensors
//! in, and the compiled pipelines of either format, bound by binding number.

use std::cell::RefCell;

use wasi_webgpu::{
    BindGroup, BindGroupDescriptor, BindGroupEntry, BindGroupLayout, BindingResource, Buffer, ComputePipeline, Device,
    F16, Features, Threads,
};

use crate::{GpuStep, Op, Ops, Result};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for wasi_webgpu::F16 {}
}

/// The element type of an op's tensors: `f32`, or [`F16`] on a device with
/// [`Features::SHADER_F16`].
///
/// An op over f16 storage runs the f32 op's kernel with each value widened
/// to f32 on load: every product, sum, softmax and LayerNorm statistic is
/// formed in f32, and the only error beyond the f32 op's is the rounding of
/// each stored output to f16 (within one f16 ulp, 2⁻¹⁰ relative whichever
/// way the device rounds, of the f32 result of the same f16 inputs; the
/// LayerNorm ops round the row they normalise once more before its
/// statistics, as an f16 residual add would store it). Memory traffic and
/// the weights' footprint halve; arithmetic throughput stays f32's.
///
/// Over [`F16`], preparing an op fails with
/// [`wasi_webgpu::Error::MissingFeature`] on a device without
/// `shader-f16`, the in-guest CPU device included (it has no f16
/// emulation), before anything else is checked.
///
/// The trait is sealed: the kernels exist for these two types only.
pub trait Element: sealed::Sealed + bytemuck::Pod {
    /// `f16` storage, whose kernels need `shader-f16`.
    #[doc(hidden)]
    const F16: bool;

    /// The buffer as `f32`s, for the CPU device's kernels; `None` for
    /// [`F16`].
    #[doc(hidden)]
    fn as_f32(buffer: &Buffer<Self>) -> Option<&Buffer<f32>>;
}

impl Element for f32 {
    const F16: bool = false;

    fn as_f32(buffer: &Buffer<f32>) -> Option<&Buffer<f32>> {
        Some(buffer)
    }
}

impl Element for F16 {
    const F16: bool = true;

    fn as_f32(_: &Buffer<F16>) -> Option<&Buffer<f32>> {
        None
    }
}

impl Ops {
    /// The empty [`Op`] `op` over `T`, or the error of a device that cannot
    /// run kernels over `T`: checked before anything else.
    pub(crate) fn begin<T: Element>(&self, op: &'static str) -> Result<Op> {
        if T::F16 && !self.device.features().contains(Features::SHADER_F16) {
            return Err(missing_f16(op));
        }
        Ok(Op::new(op, &self.device))
    }
}

fn missing_f16(op: &'static str) -> crate::Error {
    wasi_webgpu::Error::MissingFeature { feature: "shader-f16", operation: op }.into()
}

/// `buffers` as the f32 buffers the CPU device's kernels take. Only f32 ops
/// reach the CPU device ([`Ops::begin`] refuses f16 there), so the error
/// is the one `begin` gives.
pub(crate) fn f32s<'b, T: Element, const N: usize>(
    op: &'static str,
    buffers: [&'b Buffer<T>; N],
) -> Result<[&'b Buffer<f32>; N]> {
    let found: Option<Vec<&Buffer<f32>>> = buffers.into_iter().map(T::as_f32).collect();
    found.and_then(|found| <[&Buffer<f32>; N]>::try_from(found).ok()).ok_or_else(|| missing_f16(op))
}

/// A compiled entry point of one of the modules `#[shader]` generates from
/// the same WGSL over different element types, kept as what binding and
/// dispatch need: the modules' own types differ.
///
/// The ops bind these by binding number: `#[shader]`'s generated bindings
/// type WGSL's `f16` as `u16` (they predate [`F16`]), and one body serves
/// both modules. The device checks each entry against the pipeline's
/// layout as it does for typed bindings, after the op checked its buffers.
#[derive(Clone)]
pub(crate) struct Kernel {
    pub(crate) pipeline: ComputePipeline,
    pub(crate) layout: BindGroupLayout,
    pub(crate) size: [u32; 3],
}

/// Compiles the [`Kernel`] of entry point `$entry` of `#[shader]` module
/// `$module`, with the overrides given (by field, each `Some`).
macro_rules! pipeline {
    ($device:expr, $module:ident :: $entry:ident $(, $field:ident: $value:expr)* $(,)?) => {{
        #[allow(unused_mut)]
        let mut overrides = $module::Overrides::default();
        $(overrides.$field = Some($value);)*
        let kernel = $module::$entry::pipeline($device, &overrides).await?;
        $crate::element::Kernel {
            pipeline: kernel.compute_pipeline().clone(),
            layout: kernel.bind_group_layouts()[0].clone(),
            size: kernel.workgroup_size(),
        }
    }};
}
pub(crate) use pipeline;

/// [`pipeline!`] of entry point `$entry` in the f32 module `$f32` or the f16
/// module `$f16`, as `$t` says.
macro_rules! compile {
    ($device:expr, $t:ty, $f32:ident / $f16:ident :: $entry:ident $(, $field:ident: $value:expr)* $(,)?) => {
        if <$t as $crate::Element>::F16 {
            $crate::element::pipeline!($device, $f16::$entry $(, $field: $value)*)
        } else {
            $crate::element::pipeline!($device, $f32::$entry $(, $field: $value)*)
        }
    };
}
pub(crate) use compile;

/// [`compile!`]'s kernel, kept in `$cells[T::F16]` the first time.
macro_rules! kernel {
    ($device:expr, $cells:expr, $t:ty, $($entry:tt)*) => {{
        let cell = &$cells[usize::from(<$t as $crate::Element>::F16)];
        let found = cell.borrow().clone();
        match found {
            Some(kernel) => kernel,
            None => {
                let kernel = $crate::element::compile!($device, $t, $($entry)*);
                *cell.borrow_mut() = Some(kernel.clone());
                kernel
            }
        }
    }};
}
pub(crate) use kernel;

/// A [`Kernel`] cache of each element type, by `T::F16`.
pub(crate) type Cells = [RefCell<Option<Kernel>>; 2];

impl Kernel {
    /// One bind group (group 0) of `entries`.
    pub(crate) fn bind(&self, device: &Device, entries: &[(u32, BindingResource<'_>)]) -> Result<BindGroup> {
        let entries: Vec<BindGroupEntry<'_>> =
            entries.iter().map(|&(binding, resource)| BindGroupEntry { binding, resource }).collect();
        let descriptor = BindGroupDescriptor { label: Some("ops bind group"), layout: &self.layout, entries: &entries };
        Ok(device.create_bind_group(&descriptor)?)
    }

    /// The dispatch of `threads` invocations with `bound`.
    pub(crate) fn step(&self, bound: BindGroup, threads: Threads) -> GpuStep {
        let [x, y, z] = threads.0;
        let size = self.size;
        let groups = [x.div_ceil(size[0]), y.div_ceil(size[1]), z.div_ceil(size[2])];
        let pipeline = self.pipeline.clone();
        Box::new(move |pass| {
            pass.set_pipeline(&pipeline)?;
            pass.set_bind_group(0, &bound, &[])?;
            pass.dispatch_workgroups(groups[0], groups[1], groups[2])
        })
    }
}
