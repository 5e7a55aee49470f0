//! Shared by the SDK and raw-bindings bench guests: the command line, the
//! input data, the CPU reference checks and the output protocol, so both
//! guests do exactly the same work.
//!
//! Arguments: `<workload> [key=value ...]`. The guest prints one
//! `sample <name> <seconds>` line per timed repetition (warm-up runs print
//! nothing), timed with `std::time::Instant` (wasi:clocks monotonic clock)
//! around the same steps the native harness times.

use std::time::Instant;

pub struct Args {
    pub workload: String,
    pairs: Vec<(String, String)>,
}

impl Args {
    pub fn parse() -> Result<Self, String> {
        let mut args = std::env::args().skip(1);
        let workload = args.next().ok_or("missing workload: dispatch, bandwidth, matmul or cold")?;
        let mut pairs = Vec::new();
        for arg in args {
            let (key, value) = arg.split_once('=').ok_or_else(|| format!("expected key=value, got {arg:?}"))?;
            pairs.push((key.to_owned(), value.to_owned()));
        }
        Ok(Self { workload, pairs })
    }

    pub fn get(&self, key: &str, default: u64) -> Result<u64, String> {
        match self.pairs.iter().find(|(k, _)| k == key) {
            Some((_, v)) => v.parse().map_err(|_| format!("{key}={v:?} is not a number")),
            None => Ok(default),
        }
    }
}

/// Times `repeat` runs of `f` after `warmup` untimed ones, printing each.
pub async fn timed<E, F: AsyncFnMut() -> Result<(), E>>(
    name: &str,
    warmup: u64,
    repeat: u64,
    mut f: F,
) -> Result<(), E> {
    for _ in 0..warmup {
        f().await?;
    }
    for _ in 0..repeat {
        let start = Instant::now();
        f().await?;
        println!("sample {name} {:.9}", start.elapsed().as_secs_f64());
    }
    Ok(())
}

/// The bandwidth workload's contents: distinct, not compressible.
pub fn pattern(len: usize) -> Vec<u32> {
    (0..len as u32).map(|i| i.wrapping_mul(2_654_435_761)).collect()
}

/// Matmul inputs: small integers, so every sum is exact in f32 and the
/// result can be compared exactly.
pub fn matrix_a(n: usize) -> Vec<f32> {
    (0..n * n).map(|x| ((x / n * 3 + x % n * 5) % 7) as f32 - 3.0).collect()
}

pub fn matrix_b(n: usize) -> Vec<f32> {
    (0..n * n).map(|x| ((x / n * 2 + x % n * 7) % 5) as f32 - 2.0).collect()
}

/// Checks 64 entries of `c` (spread over the matrix) against the CPU.
pub fn check_matmul(n: usize, c: &[f32]) -> Result<(), String> {
    let (a, b) = (matrix_a(n), matrix_b(n));
    for s in 0..64 {
        let (i, j) = ((s * 37 + 5) % n, (s * 91 + 11) % n);
        let expected: f32 = (0..n).map(|k| a[i * n + k] * b[k * n + j]).sum();
        if c[i * n + j] != expected {
            return Err(format!("matmul C[{i}][{j}] = {}, expected {expected}", c[i * n + j]));
        }
    }
    Ok(())
}

pub fn check_counts(data: &[u32], expected: u32) -> Result<(), String> {
    match data.iter().position(|&v| v != expected) {
        Some(i) => Err(format!("dispatch: element {i} is {}, expected {expected}", data[i])),
        None => Ok(()),
    }
}

pub const TINY_WGSL: &str = include_str!("../wgsl/tiny.wgsl");
pub const MATMUL_WGSL: &str = include_str!("../wgsl/matmul.wgsl");
/// Elements of each dispatch-heavy buffer: one workgroup of the tiny kernel.
pub const TINY_LEN: usize = 64;
/// Rows and columns of C per matmul workgroup.
pub const MATMUL_TILE: u32 = 128;
