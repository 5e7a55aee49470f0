//! [`Ops::scan`]: prefix sums.

use std::cell::RefCell;

use wasi_webgpu::Buffer;

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
    /// block from its offset; each workgroup scans its invocations' totals
    /// with a Blelloch up-sweep and down-sweep. Arrays up to 8192 elements
    /// take one dispatch, up to 64 Mi elements (past the default
    /// `max_storage_buffer_binding_size` of 32 Mi `f32`s) three.
    pub async fn scan(&self, kind: ScanKind, input: &Buffer<f32>, output: &Buffer<f32>) -> Result<Op> {
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
        self.scan_into(&mut op, kind, input, output, len).await?;
        Ok(op)
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
            let threads = kernel.workgroup_size()[0];
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
