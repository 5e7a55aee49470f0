//! [`Ops::scan`]: prefix sums.

use std::cell::RefCell;

use wasi_webgpu::Buffer;

use crate::args::{read, written};
use crate::cpu;
use crate::{Error, Op, Ops, Result, cached, elements};

#[allow(dead_code)]
#[wasi_webgpu::shader(path = "src/wgsl/scan.wgsl")]
pub(crate) mod wgsl {}

/// Elements one workgroup scans: 256 invocations × 32 (`BLOCK_ITEMS`).
const BLOCK: u64 = 8192;

#[derive(Default)]
pub(crate) struct Kernels {
    reduce_blocks: RefCell<Option<wgsl::ReduceBlocks>>,
    scan_blocks: RefCell<Option<wgsl::ScanBlocks>>,
    scan_single: RefCell<Option<wgsl::ScanSingle>>,
}

/// Which prefix sums [`Ops::scan`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanKind {
    /// `output[i] = input[0] + … + input[i]`.
    Inclusive,
    /// `output[i] = input[0] + … + input[i - 1]`, so `output[0] = 0`.
    Exclusive,
}

impl Ops {
    /// Prepares the prefix sums of `input` into `output`, which must have the
    /// same length.
    ///
    /// Reduce-then-scan, work-efficient: one pass sums each block of 8192
    /// elements, the block sums are scanned (by the same passes, recursively,
    /// when there are more than 8192 of them), and a last pass scans each
    /// block from its offset, so the input is read twice and the output
    /// written once. Every global load and store is coalesced: the last
    /// pass stages tiles of 2048 elements in workgroup memory, where each
    /// invocation scans 8 consecutive ones and the workgroup scans the 256
    /// invocations' totals (9.3 KiB of workgroup memory, within WebGPU's
    /// default 16 KiB). Arrays up to 8192 elements take one dispatch, up to
    /// 64 Mi elements three, longer ones five.
    ///
    /// Buffers larger than the device's `max_storage_buffer_binding_size`
    /// (up to its `max_buffer_size`) are bound in pieces of as many whole
    /// blocks as one binding holds, at offsets aligned to
    /// `min_storage_buffer_offset_alignment`: each piece's block sums and
    /// block scans are one dispatch each, and the scan of all the block sums
    /// between them carries the total of the earlier pieces into each
    /// piece. 64 Mi elements (256 MiB) on a 128 MiB binding limit take 5
    /// dispatches.
    ///
    /// Aliasing: `output` must not be `input` ([`Error::Aliased`]).
    ///
    /// Numerics: f32 sums in block order (a prefix sum of floats in any
    /// parallel order differs from a sequential one in the last bits). The
    /// tests use integer inputs whose prefix sums f32 holds exactly and
    /// compare bit for bit, both kinds, from 1 to 70001 elements and past
    /// the binding limit.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::ScanKind;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // out[i] = x[0] + ... + x[i - 1], out[0] = 0.
    /// ops.scan(ScanKind::Exclusive, x, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn scan(&self, kind: ScanKind, input: &Buffer<f32>, output: &Buffer<f32>) -> Result<Op> {
        crate::named("scan", async {
            const OP: &str = "scan";
            let len = input.len();
            if output.len() != len {
                return Err(Error::LengthMismatch {
                    op: OP,
                    buffer: "output",
                    len: output.len(),
                    other: "input",
                    expected: len,
                });
            }
            elements(OP, "input", &[len])?;
            let mut op = Op::new(OP, &self.device);
            if len == 0 {
                return Ok(op);
            }
            // Buffers past one binding are bound in pieces: no size limit.
            self.check_args(OP, &[read("input", input).binds(0), written("output", output).binds(0)], None)?;
            if self.device.is_cpu() {
                let (input, output) = (input.clone(), output.clone());
                let exclusive = kind == ScanKind::Exclusive;
                return self.cpu_op(OP, move |device| {
                    let (x, mut output) = (cpu::read(device, &input)?, output.clone());
                    cpu::reduce::scan(exclusive, &x, &mut cpu::write(device, &mut output)?);
                    Ok(())
                });
            }
            let limits = self.device.limits();
            if input.size().max(output.size()) > limits.max_storage_buffer_binding_size {
                self.scan_pieces(&mut op, kind, input, output, len).await?;
            } else {
                self.scan_into(&mut op, kind, input, output, len).await?;
            }
            Ok(op)
        })
        .await
    }

    /// Records the scan of `len` elements of buffers too large for one
    /// binding: as in [`scan_into`](Self::scan_into), but the block sums and
    /// the final block scans run per piece of the buffers, through bindings
    /// of the piece. Each piece's block sums start at an aligned offset of
    /// the sums buffer; the gaps stay zero (WebGPU zeroes new buffers), so
    /// the exclusive scan of the whole sums buffer gives every block its
    /// offset, the carry of all earlier pieces and blocks included.
    async fn scan_pieces(
        &self,
        op: &mut Op,
        kind: ScanKind,
        input: &Buffer<f32>,
        output: &Buffer<f32>,
        len: u64,
    ) -> Result<()> {
        const OP: &str = "scan";
        let limits = self.device.limits();
        let piece = crate::reduce::piece_len(
            OP,
            limits.max_storage_buffer_binding_size,
            limits.min_storage_buffer_offset_alignment,
            BLOCK,
        )?;
        let align = u64::from(limits.min_storage_buffer_offset_alignment.max(4)) / 4;
        let per_piece = (piece / BLOCK).next_multiple_of(align);
        let pieces = len.div_ceil(piece);
        let sums = self.scratch("scan block sums", pieces * per_piece)?;
        let reduce =
            cached(&self.kernels.scan.reduce_blocks, wgsl::ReduceBlocks::pipeline(&self.device, &Default::default()))
                .await?;
        let exclusive = u32::from(kind == ScanKind::Exclusive);
        let mut shapes = Vec::new();
        for i in 0..pieces {
            let (start, end) = (i * piece, len.min((i + 1) * piece));
            let params = self.uniform("scan shape", wgsl::ScanParams { len: (end - start) as u32, exclusive })?;
            let out = i * per_piece;
            let bindings = wgsl::ReduceBlocksBindings {
                params: params.as_uniform(),
                input: input.slice(start..end).as_storage(),
                output: sums.slice(out..out + per_piece).as_storage_mut(),
            };
            let bound = reduce.bind(&self.device, &bindings)?;
            let threads = self.grid(OP, (end - start).div_ceil(BLOCK), reduce.workgroup_size())?;
            let kernel = reduce.clone();
            op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
            shapes.push((start, end, params, threads));
        }

        let offsets = self.scratch("scan block offsets", pieces * per_piece)?;
        Box::pin(self.scan_into(op, ScanKind::Exclusive, &sums, &offsets, pieces * per_piece)).await?;

        let scan =
            cached(&self.kernels.scan.scan_blocks, wgsl::ScanBlocks::pipeline(&self.device, &Default::default()))
                .await?;
        for (i, (start, end, params, threads)) in (0..).zip(shapes) {
            let first = i * per_piece;
            let bindings = wgsl::ScanBlocksBindings {
                params: params.as_uniform(),
                input: input.slice(start..end).as_storage(),
                output: output.slice(start..end).as_storage_mut(),
                offsets: offsets.slice(first..first + per_piece).as_storage(),
            };
            let bound = scan.bind(&self.device, &bindings)?;
            let kernel = scan.clone();
            op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
        }
        Ok(())
    }

    /// Records the scan of `len` elements of `input` into `output`.
    async fn scan_into(
        &self,
        op: &mut Op,
        kind: ScanKind,
        input: &Buffer<f32>,
        output: &Buffer<f32>,
        len: u64,
    ) -> Result<()> {
        const OP: &str = "scan";
        let exclusive = u32::from(kind == ScanKind::Exclusive);
        let params = self.uniform("scan shape", wgsl::ScanParams { len: len as u32, exclusive })?;
        if len <= BLOCK {
            let kernel =
                cached(&self.kernels.scan.scan_single, wgsl::ScanSingle::pipeline(&self.device, &Default::default()))
                    .await?;
            let bindings = wgsl::ScanSingleBindings {
                params: params.as_uniform(),
                input: input.as_storage(),
                output: output.as_storage_mut(),
            };
            let bound = kernel.bind(&self.device, &bindings)?;
            let threads = wasi_webgpu::Threads::x(kernel.workgroup_size()[0]);
            op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
            return Ok(());
        }

        let blocks = len.div_ceil(BLOCK);
        let sums = self.scratch("scan block sums", blocks)?;
        let reduce =
            cached(&self.kernels.scan.reduce_blocks, wgsl::ReduceBlocks::pipeline(&self.device, &Default::default()))
                .await?;
        let bindings = wgsl::ReduceBlocksBindings {
            params: params.as_uniform(),
            input: input.as_storage(),
            output: sums.as_storage_mut(),
        };
        let bound = reduce.bind(&self.device, &bindings)?;
        let threads = self.grid(OP, blocks, reduce.workgroup_size())?;
        op.push(Box::new(move |pass| reduce.dispatch_bound(pass, &bound, threads)));

        // The block offsets: the exclusive scan of the block sums.
        let offsets = self.scratch("scan block offsets", blocks)?;
        Box::pin(self.scan_into(op, ScanKind::Exclusive, &sums, &offsets, blocks)).await?;

        let scan =
            cached(&self.kernels.scan.scan_blocks, wgsl::ScanBlocks::pipeline(&self.device, &Default::default()))
                .await?;
        let bindings = wgsl::ScanBlocksBindings {
            params: params.as_uniform(),
            input: input.as_storage(),
            output: output.as_storage_mut(),
            offsets: offsets.as_storage(),
        };
        let bound = scan.bind(&self.device, &bindings)?;
        op.push(Box::new(move |pass| scan.dispatch_bound(pass, &bound, threads)));
        Ok(())
    }
}
