//! The guests' shared data and checks (`guests/common.rs`), used natively so
//! both sides compute and check exactly the same.

#![allow(dead_code)]

#[path = "../guests/common.rs"]
mod common;

pub use common::{MATMUL_TILE, MATMUL_WGSL, TINY_LEN, TINY_WGSL, matrix_a, matrix_b, pattern};

pub fn check_matmul(n: usize, c: &[f32]) -> anyhow::Result<()> {
    common::check_matmul(n, c).map_err(anyhow::Error::msg)
}

pub fn check_counts(data: &[u32], expected: u32) -> anyhow::Result<()> {
    common::check_counts(data, expected).map_err(anyhow::Error::msg)
}
