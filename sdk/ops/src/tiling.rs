//! [`Tiling`]: which matrix-product kernel computes a matmul or linear, and
//! the shape chooser behind [`Tiling::Auto`].

use crate::{Error, Result};

/// The kernel configuration of a matrix product: the `tiling` of
/// [`MatmulDesc`](crate::MatmulDesc) and [`LinearDesc`](crate::LinearDesc).
///
/// Every tiling computes the same product to the same error bound; they
/// differ in speed. [`Tiling::Auto`], the default, picks by shape and
/// device; the others exist to measure and test each kernel. The CPU
/// device runs one kernel whatever the tiling, but checks it as a GPU would
/// (a tiling the shape or the device's limits cannot take is the same
/// error). The f16 products ([`Ops::matmul`](crate::Ops::matmul) and
/// [`Ops::linear`](crate::Ops::linear) over `Buffer<F16>`) choose the same way between
/// the 64 × 64 kernel and its 128 × 128 counterpart over f16 storage; their
/// slices are as deep as the f32 ones (f16 slices, of
/// [`Accumulate::F16`](crate::Accumulate::F16), twice as deep) in the same
/// workgroup memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Tiling {
    /// Chosen by shape: [`Tiling::Tile128Deep`] (or [`Tiling::Tile128`]
    /// where the device's `max_compute_workgroup_storage_size` is below
    /// 32 KiB) when the operands allow vec4 access and the product has at
    /// least [`LARGE_MIN_TILES`] 128 × 128 tiles to spread over the GPU, else
    /// [`Tiling::Tile64`].
    #[default]
    Auto,
    /// 64 × 64 tiles of C per workgroup of 128 invocations, 8 × 4 each,
    /// 16-deep slices of A and B; any shape and layout, element-wise loads
    /// with bounds checks. Four times as many workgroups as the 128 tiles,
    /// for products with few rows.
    Tile64,
    /// 128 × 128 tiles of C per workgroup of 256 invocations, 8 × 8 each,
    /// double-buffered slices 8 deep in 16 KiB of workgroup memory (WebGPU's
    /// default limit), vec4 loads and stores, no bounds checks when m and n
    /// are multiples of 128 and k of the slice depth. Needs the contiguous
    /// dimension of each operand (A's k, or m transposed; B's n, or k
    /// transposed; C's n) and each batch stride (when `batch > 1`) to be
    /// multiples of 4, else preparing fails with [`Error::Shape`].
    Tile128,
    /// [`Tiling::Tile128`] with slices twice as deep (16), half the
    /// barriers per k: 32 KiB of workgroup memory, so the device must have
    /// been created with a `max_compute_workgroup_storage_size` of at least
    /// 32768 (request the adapter's limits; NVIDIA, AMD and lavapipe offer
    /// it), else preparing fails with [`wasi_webgpu::Error::OverLimit`].
    Tile128Deep,
}

/// The fewest 128 × 128 tiles of C (over the batch) for which
/// [`Tiling::Auto`] picks a 128 tile kernel: fewer leave a 100+ SM GPU's
/// multiprocessors idle, where the 64 tiles' four times as many workgroups
/// fill them.
pub const LARGE_MIN_TILES: u64 = 128;

/// Workgroup memory [`Tiling::Tile128Deep`] needs, in bytes.
const DEEP_BYTES: u32 = 32 * 1024;

/// The slice depths (`BK`) of the 128 tile kernels that stage f32 slices, in
/// 16 KiB of workgroup memory ([`Tiling::Tile128`]) and in 32 KiB
/// ([`Tiling::Tile128Deep`]).
pub(crate) const F32_SLICES: [u32; 2] = [8, 16];

/// The slice depths of the kernels that stage f16 slices (f16 accumulation):
/// twice as deep in the same memory.
pub(crate) const F16_SLICES: [u32; 2] = [16, 32];

/// The kernel a product runs, resolved from a [`Tiling`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// matmul.wgsl's 64 × 64 kernel.
    Tile64,
    /// matmul_large.wgsl with `BK = bk`; `checked` unless every dimension
    /// is a multiple of its tile.
    Tile128 { bk: u32, checked: bool },
}

impl Plan {
    /// Rows and columns of C per workgroup.
    pub(crate) fn tile(self) -> u64 {
        match self {
            Plan::Tile64 => 64,
            Plan::Tile128 { .. } => 128,
        }
    }
}

/// The operands' shape and layout, as the chooser sees them.
pub(crate) struct Shape {
    pub(crate) m: u64,
    pub(crate) n: u64,
    pub(crate) k: u64,
    pub(crate) batch: u64,
    pub(crate) transpose_a: bool,
    pub(crate) transpose_b: bool,
    /// Batch strides of A, B, C in elements (only read when `batch > 1`).
    pub(crate) strides: [u64; 3],
}

impl Shape {
    /// Why the 128 tile kernels cannot take this shape, if they cannot.
    fn not_vec4(&self) -> Option<String> {
        let a = if self.transpose_a { ("m", self.m) } else { ("k", self.k) };
        let b = if self.transpose_b { ("k", self.k) } else { ("n", self.n) };
        let mut dims = vec![("A's contiguous dimension", a), ("B's contiguous dimension", b), ("C's n", ("n", self.n))];
        if self.batch > 1 {
            for (what, s) in ["stride_a", "stride_b", "stride_c"].into_iter().zip(self.strides) {
                dims.push((what, (what, s)));
            }
        }
        dims.into_iter()
            .find(|(_, (_, v))| !v.is_multiple_of(4))
            .map(|(what, (name, v))| format!("{what} ({name} = {v}) is not a multiple of 4"))
    }
}

/// The grid of `tile` × `tile` tiles of an `m × n` product (columns, rows),
/// checked, with the `batch` entries, against the device's dispatch limit of
/// `max` workgroups per dimension.
pub(crate) fn tile_grid(op: &'static str, [m, n, batch]: [u64; 3], tile: u64, max: u32) -> Result<[u32; 2]> {
    let max = u64::from(max);
    let grid = [n.div_ceil(tile), m.div_ceil(tile), batch];
    if let Some(&over) = grid.iter().find(|&&g| g > max) {
        return Err(Error::Shape {
            op,
            reason: format!(
                "the grid of {tile} x {tile} tiles needs {over} workgroups in one dimension; the limit is {max}"
            ),
        });
    }
    Ok([grid[0] as u32, grid[1] as u32])
}

/// Resolves `tiling` for `shape` on a device with `workgroup_bytes` of
/// workgroup memory (its `max_compute_workgroup_storage_size`), for a 128
/// tile kernel of slice depths `slices` ([`F32_SLICES`] or [`F16_SLICES`]).
pub(crate) fn plan(
    op: &'static str,
    tiling: Tiling,
    shape: &Shape,
    workgroup_bytes: u32,
    slices: [u32; 2],
) -> Result<Plan> {
    let deep_ok = workgroup_bytes >= DEEP_BYTES;
    let large = |deep: bool| {
        let bk = slices[usize::from(deep)];
        // The unchecked kernel reads and writes whole tiles and slices only.
        let checked =
            !(shape.m.is_multiple_of(128) && shape.n.is_multiple_of(128) && shape.k.is_multiple_of(bk.into()));
        Plan::Tile128 { bk, checked }
    };
    match tiling {
        Tiling::Tile64 => Ok(Plan::Tile64),
        Tiling::Tile128 | Tiling::Tile128Deep => {
            if let Some(reason) = shape.not_vec4() {
                return Err(Error::Shape { op, reason: format!("{tiling:?} needs vec4 operands: {reason}") });
            }
            if tiling == Tiling::Tile128Deep && !deep_ok {
                return Err(wasi_webgpu::Error::OverLimit {
                    what: "workgroup memory of Tile128Deep, in bytes",
                    value: DEEP_BYTES.into(),
                    limit: "maxComputeWorkgroupStorageSize",
                    max: workgroup_bytes.into(),
                }
                .into());
            }
            Ok(large(tiling == Tiling::Tile128Deep))
        }
        Tiling::Auto => {
            let tiles = shape.m.div_ceil(128) * shape.n.div_ceil(128) * shape.batch;
            if shape.not_vec4().is_none() && tiles >= LARGE_MIN_TILES { Ok(large(deep_ok)) } else { Ok(Plan::Tile64) }
        }
    }
}
