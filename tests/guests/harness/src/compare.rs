//! Comparing what the code under test produced (`got`) with a reference the
//! check computed itself (`expected`). Both fail at the first differing
//! element and name it, so a failure says where to look.

use std::fmt::Debug;

use crate::{Outcome, ensure};

/// Fails at the first element where `got` differs from `expected`, or when
/// the lengths differ. `what` names the result in the message.
pub fn same<T: PartialEq + Debug>(what: &str, got: &[T], expected: &[T]) -> Outcome {
    ensure!(got.len() == expected.len(), "{what}: {} elements, expected {}", got.len(), expected.len());
    match got.iter().zip(expected).position(|(g, e)| g != e) {
        Some(i) => Err(format!("{what}[{i}]: got {:?}, expected {:?}", got[i], expected[i])),
        None => Ok(()),
    }
}

/// Fails at the first element where `|got - expected| > abs + rel *
/// |expected|`, or when the lengths differ. A NaN on either side fails.
pub fn close(what: &str, got: &[f32], expected: &[f32], abs: f32, rel: f32) -> Outcome {
    ensure!(got.len() == expected.len(), "{what}: {} elements, expected {}", got.len(), expected.len());
    for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
        // Written so that a NaN on either side fails.
        if (g - e).abs() <= abs + rel * e.abs() {
            continue;
        }
        return Err(format!("{what}[{i}]: got {g}, expected {e}, beyond {abs} + {rel} * |expected|"));
    }
    Ok(())
}

/// A small deterministic generator (xorshift32) for test inputs, so that a
/// failure reproduces: the same seed gives the same sequence on every run.
pub struct Rng(u32);

impl Rng {
    /// A generator started from `seed` (0, which xorshift never leaves,
    /// counts as 1).
    pub fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// Uniform in `[lo, hi)`, with 24 bits of resolution.
    pub fn f32_in(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next_u32() >> 8) as f32 / (1u32 << 24) as f32
    }

    /// Uniform in `[lo, hi)` (`lo < hi`), up to the bias of a modulo.
    pub fn i32_in(&mut self, lo: i32, hi: i32) -> i32 {
        lo + (self.next_u32() % (hi - lo) as u32) as i32
    }

    /// Three values uniform in `[lo, hi)`.
    pub fn vec3_in(&mut self, lo: f32, hi: f32) -> [f32; 3] {
        [self.f32_in(lo, hi), self.f32_in(lo, hi), self.f32_in(lo, hi)]
    }

    /// `len` values uniform in `[lo, hi)`.
    pub fn vec(&mut self, len: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..len).map(|_| self.f32_in(lo, hi)).collect()
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u32() as u8).collect()
    }
}
