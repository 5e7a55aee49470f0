//! [`Ops::reduce`]: sums and maxima along an axis.

use wasi_webgpu::Buffer;

use crate::args::{read, written};
use crate::cpu;
use crate::{Error, Op, Ops, Result, cached, check_len, elements};

#[allow(dead_code)]
#[wasi_webgpu::shader(path = "src/wgsl/reduce.wgsl")]
pub(crate) mod wgsl {}

/// The fewest elements of a row one workgroup of `reduce_rows` reduces, and
/// the step chunks grow by: 32 per invocation, a multiple of the 2048
/// (8 loads of 256 invocations) one unrolled step of the kernel reads, so
/// only a row's last chunk has a tail. A second pass is only needed past
/// 8192 columns (or, for long rows, past `ROW_GROUPS` chunks).
const ROW_CHUNK: u64 = 8192;
/// Workgroups a pass of `reduce_rows` aims at: enough resident invocations
/// (256 each) to fill a large GPU (an H100's 132 SMs hold 8 such
/// workgroups each) with 8 loads in flight per invocation, which is what a
/// sum needs to run at memory bandwidth. Past that, chunks grow instead, so
/// any row takes one pass over its elements and one tiny pass over at most
/// this many partials. Each workgroup's tree costs 9 barriers, which on
/// lavapipe (a coroutine switch per 8 invocations each) cost about as much
/// as loading 4096 elements, so a chunk is never smaller than `ROW_CHUNK`.
const ROW_GROUPS: u64 = 1024;
/// Rows one workgroup of `reduce_cols` reduces: 64 per lane.
const COL_CHUNK: u64 = 256;

/// Elements of the pieces an array too large for one storage binding is
/// cut into: as many as a binding of `max_binding` bytes holds, a multiple
/// of `multiple` elements and of the offset `alignment` (in bytes), so that
/// every piece starts at an offset a binding may have.
pub(crate) fn piece_len(op: &'static str, max_binding: u64, alignment: u32, multiple: u64) -> Result<u64> {
    let step = multiple.max(u64::from(alignment).div_ceil(4));
    let piece = max_binding / 4 / step * step;
    if piece == 0 {
        return Err(Error::Shape {
            op,
            reason: format!(
                "maxStorageBufferBindingSize = {max_binding} is too small for one piece of {step} elements"
            ),
        });
    }
    Ok(piece)
}

/// How [`Ops::reduce`] combines elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// The sum; 0 for no elements.
    Sum,
    /// The maximum, ignoring the sign of zeros. NaN inputs give an
    /// unspecified result, as WGSL's `max` does.
    Max,
}

/// The shape of a reduction: a row-major `[rows, cols]` matrix reduced along
/// `axis`, numbered as in NumPy.
///
/// - `axis: 1` reduces each row to one value: the output has `rows`
///   elements. A 1D array of `len` elements is `ReduceDesc::vector(len)`,
///   one row.
/// - `axis: 0` reduces each column to one value: the output has `cols`
///   elements (a bias gradient, for example).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReduceDesc {
    /// Rows of the input.
    pub rows: u32,
    /// Columns of the input.
    pub cols: u32,
    /// The axis reduced: 0 (down the columns) or 1 (along the rows).
    pub axis: u32,
}

impl ReduceDesc {
    /// A `[rows, cols]` matrix reduced along `axis`.
    pub fn new(rows: u32, cols: u32, axis: u32) -> Self {
        Self { rows, cols, axis }
    }

    /// A 1D array of `len` elements, reduced to one value.
    pub fn vector(len: u32) -> Self {
        Self { rows: 1, cols: len, axis: 1 }
    }

    /// Elements of the output: `rows` for axis 1, `cols` for axis 0.
    pub fn output_len(&self) -> u32 {
        if self.axis == 0 { self.cols } else { self.rows }
    }
}

impl Ops {
    /// Prepares the sum along `desc.axis` of `input` into `output`; see
    /// [`Ops::reduce`].
    ///
    /// See [`Ops::reduce`] for the passes, aliasing (`output` must not be
    /// `input`) and numerics.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::ReduceDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // The sum of each of 4 rows of 1000 columns into out[0..4].
    /// ops.sum(&ReduceDesc::new(4, 1000, 1), x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn sum(&self, desc: &ReduceDesc, input: &Buffer<f32>, output: &Buffer<f32>) -> Result<Op> {
        crate::named("sum", async { self.reduce(Reduction::Sum, desc, input, output).await }).await
    }

    /// Prepares the maximum along `desc.axis` of `input` into `output`; see
    /// [`Ops::reduce`].
    ///
    /// See [`Ops::reduce`] for the passes, aliasing (`output` must not be
    /// `input`) and numerics.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::ReduceDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // The maximum of each of 1000 columns of 4 rows (axis 0) into out[0..1000].
    /// ops.max(&ReduceDesc::new(4, 1000, 0), x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn max(&self, desc: &ReduceDesc, input: &Buffer<f32>, output: &Buffer<f32>) -> Result<Op> {
        crate::named("max", async { self.reduce(Reduction::Max, desc, input, output).await }).await
    }

    /// Prepares a reduction of the `[rows, cols]` matrix in `input` along
    /// `desc.axis` into the first [`output_len`](ReduceDesc::output_len)
    /// elements of `output`.
    ///
    /// Each pass is one dispatch of workgroup tree reductions over chunks of
    /// the axis (at least 8192 elements of a row, more for long rows so that
    /// a pass has at most 1024 workgroups, each invocation keeping 8
    /// coalesced loads in flight; or 256 rows of 64 columns); while more than
    /// one chunk per output is left, another pass reduces the partial
    /// results, kept in scratch buffers the [`Op`] owns. A 1D sum of any
    /// length that fits one binding is thus at most 2 dispatches: the input
    /// read once, then at most 1024 partials. Fails when the axis is not 0
    /// or 1 or the reduced axis is empty.
    ///
    /// A 1D input (`rows == 1`, axis 1) may be larger than the device's
    /// `max_storage_buffer_binding_size`, up to its `max_buffer_size`: it is
    /// then bound in pieces of as many elements as one binding holds (a
    /// multiple of 8192 starting at offsets aligned to
    /// `min_storage_buffer_offset_alignment`), one dispatch each, whose
    /// partial results the passes above reduce; a 256 MiB sum on a 128 MiB
    /// binding limit takes 3 dispatches instead of 2. For other shapes, the
    /// elements read (`rows * cols`) must fit one binding, or preparing
    /// fails with [`Error::BindingSize`]. Only the
    /// elements the shape uses are bound, so buffers may be longer than the
    /// binding limit.
    ///
    /// Layout: `input` is row-major `[rows, cols]`; `output` holds the
    /// [`output_len`](ReduceDesc::output_len) results in order (one per row,
    /// or per column for axis 0).
    ///
    /// Aliasing: `output` must not be `input` ([`Error::Aliased`]).
    ///
    /// Numerics: sums are tree sums, in another order than a sequential
    /// loop, so they differ from one in the last bits; maxima are exact. The
    /// tests use integer inputs whose sums f32 holds exactly and compare bit
    /// for bit, over 1 to 100,003 elements, matrices up to 600 × 70, and
    /// arrays past the binding limit.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::{ReduceDesc, Reduction};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // One value: the sum of a 1D array of a million elements.
    /// let op = ops.reduce(Reduction::Sum, &ReduceDesc::vector(1 << 20), x, out).await?;
    /// op.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn reduce(
        &self,
        reduction: Reduction,
        desc: &ReduceDesc,
        input: &Buffer<f32>,
        output: &Buffer<f32>,
    ) -> Result<Op> {
        crate::named("reduce", async {
            let op_name = match reduction {
                Reduction::Sum => "sum",
                Reduction::Max => "max",
            };
            let ReduceDesc { rows, cols, axis } = *desc;
            if axis > 1 {
                return Err(Error::Shape { op: op_name, reason: format!("axis {axis} of a 2D tensor; use 0 or 1") });
            }
            let total = elements(op_name, "the input", &[rows.into(), cols.into()])?;
            let (outputs, axis_len) = if axis == 1 { (rows, cols) } else { (cols, rows) };
            let mut op = Op::new(op_name, &self.device);
            if outputs == 0 {
                return Ok(op);
            }
            if axis_len == 0 {
                return Err(Error::Shape {
                    op: op_name,
                    reason: format!("axis {axis} has length 0: nothing to reduce"),
                });
            }
            check_len(op_name, "input", input, total)?;
            check_len(op_name, "output", output, outputs.into())?;

            let max = reduction == Reduction::Max;
            // The kernels bind the elements used, 1D inputs in pieces.
            let input_bytes = if rows == 1 && axis == 1 { 0 } else { total * 4 };
            let args =
                [read("input", input).binds(input_bytes), written("output", output).binds(u64::from(outputs) * 4)];
            self.check_args(op_name, &args, None)?;
            if self.device.is_cpu() {
                let (input, output) = (input.clone(), output.clone());
                let (total, outputs, cols) = (total as usize, outputs as usize, cols as usize);
                return self.cpu_op(op_name, move |device| {
                    let (x, mut output) = (cpu::read(device, &input)?, output.clone());
                    let mut out = cpu::write(device, &mut output)?;
                    let (x, out) = (&x[..total], &mut out[..outputs]);
                    if axis == 1 {
                        cpu::reduce::reduce_rows(max, cols, x, out);
                    } else {
                        cpu::reduce::reduce_cols(max, cols, x, out);
                    }
                    Ok(())
                });
            }
            let overrides = wgsl::Overrides { MAX: Some(max) };
            let mut source = input.clone();
            let mut axis_len = u64::from(axis_len);
            if axis == 1 {
                let kernel = cached(
                    &self.kernels.reduce_rows[usize::from(max)],
                    wgsl::ReduceRows::pipeline(&self.device, &overrides),
                )
                .await?;
                let limits = self.device.limits();
                if rows == 1 && total * 4 > limits.max_storage_buffer_binding_size {
                    // One binding cannot hold the input: reduce pieces of it
                    // into one vector of partials, which the loop below reduces.
                    let piece = piece_len(
                        op_name,
                        limits.max_storage_buffer_binding_size,
                        limits.min_storage_buffer_offset_alignment,
                        ROW_CHUNK,
                    )?;
                    let chunk = piece.div_ceil(ROW_GROUPS).next_multiple_of(ROW_CHUNK);
                    // Every piece writes the same number of partials, padded to
                    // the offset alignment so that each piece's run of partials
                    // can be bound on its own; the padding (and a short last
                    // piece's surplus) gets chunks past the piece's end, which
                    // write the identity.
                    let align = u64::from(limits.min_storage_buffer_offset_alignment.max(4)) / 4;
                    let per_piece = piece.div_ceil(chunk).next_multiple_of(align);
                    let pieces = axis_len.div_ceil(piece);
                    let partials = self.scratch("reduce piece partials", pieces * per_piece)?;
                    let threads = self.grid(op_name, per_piece, kernel.workgroup_size())?;
                    for i in 0..pieces {
                        let start = i * piece;
                        let len = piece.min(axis_len - start);
                        let params = self.uniform(
                            "reduce shape",
                            wgsl::ReduceParams {
                                rows: 1,
                                cols: len as u32,
                                chunk: chunk as u32,
                                chunks: per_piece as u32,
                            },
                        )?;
                        let out = i * per_piece;
                        let bindings = wgsl::ReduceRowsBindings {
                            params: params.as_uniform(),
                            input: input.slice(start..start + len).as_storage(),
                            output: partials.slice(out..out + per_piece).as_storage_mut(),
                        };
                        let bound = kernel.bind(&self.device, &bindings)?;
                        let kernel = kernel.clone();
                        op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
                    }
                    (source, axis_len) = (partials, pieces * per_piece);
                }
                loop {
                    let per_row = (ROW_GROUPS / u64::from(rows)).max(1);
                    let chunk = axis_len.div_ceil(per_row).next_multiple_of(ROW_CHUNK).max(ROW_CHUNK);
                    let chunks = axis_len.div_ceil(chunk);
                    let partials = u64::from(rows) * chunks;
                    let target = if chunks == 1 { output.clone() } else { self.scratch("reduce partials", partials)? };
                    let params = self.uniform(
                        "reduce shape",
                        wgsl::ReduceParams { rows, cols: axis_len as u32, chunk: chunk as u32, chunks: chunks as u32 },
                    )?;
                    let bindings = wgsl::ReduceRowsBindings {
                        params: params.as_uniform(),
                        // Only the elements used, so a buffer longer than the
                        // shape needs binds whatever its size.
                        input: source.slice(..u64::from(rows) * axis_len).as_storage(),
                        output: target.slice(..partials).as_storage_mut(),
                    };
                    let bound = kernel.bind(&self.device, &bindings)?;
                    let threads = self.grid(op_name, partials, kernel.workgroup_size())?;
                    let kernel = kernel.clone();
                    op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
                    if chunks == 1 {
                        return Ok(op);
                    }
                    (source, axis_len) = (target, chunks);
                }
            }
            let kernel = cached(
                &self.kernels.reduce_cols[usize::from(max)],
                wgsl::ReduceCols::pipeline(&self.device, &overrides),
            )
            .await?;
            let size = kernel.workgroup_size();
            loop {
                let chunks = axis_len.div_ceil(COL_CHUNK);
                let target = if chunks == 1 {
                    output.clone()
                } else {
                    self.scratch("reduce partials", chunks * u64::from(cols))?
                };
                let params = self.uniform(
                    "reduce shape",
                    wgsl::ReduceParams { rows: axis_len as u32, cols, chunk: COL_CHUNK as u32, chunks: chunks as u32 },
                )?;
                let bindings = wgsl::ReduceColsBindings {
                    params: params.as_uniform(),
                    input: source.slice(..axis_len * u64::from(cols)).as_storage(),
                    output: target.slice(..chunks * u64::from(cols)).as_storage_mut(),
                };
                let bound = kernel.bind(&self.device, &bindings)?;
                let groups = u64::from(cols).div_ceil(u64::from(size[0])) * chunks;
                let threads = self.grid(op_name, groups, size)?;
                let kernel = kernel.clone();
                op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
                if chunks == 1 {
                    return Ok(op);
                }
                (source, axis_len) = (target, chunks);
            }
        })
        .await
    }
}
