//! The digits file `data/convert.py` writes, and the train/test split.

use std::fmt;

/// Pixels per image: 8 x 8.
pub const FEATURES: usize = 64;
/// Digits 0 to 9.
pub const CLASSES: usize = 10;
/// Where the guest finds the data, relative to the preopened directory.
pub const PATH: &str = "data/digits.bin";

const MAGIC: &[u8; 4] = b"DGT1";
const HEADER: usize = 16;
/// Largest pixel value: the images have 17 grey levels.
const MAX_PIXEL: u8 = 16;

/// Images as rows of `FEATURES` floats in `[0, 1]`, and their labels.
#[derive(Debug, Clone, Default)]
pub struct Set {
    pub images: Vec<f32>,
    pub labels: Vec<u32>,
}

impl Set {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn image(&self, i: usize) -> &[f32] {
        &self.images[i * FEATURES..(i + 1) * FEATURES]
    }

    fn push(&mut self, image: &[f32], label: u32) {
        self.images.extend_from_slice(image);
        self.labels.push(label);
    }
}

/// Why the data could not be read.
#[derive(Debug)]
pub enum DataError {
    Missing(std::io::Error),
    Malformed(String),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Missing(e) => write!(
                f,
                "cannot read {PATH}: {e}. Run from examples/mlp-digits as `wasi-webgpu-run --dir . .`, \
                 so that the guest sees the data directory"
            ),
            DataError::Malformed(why) => {
                write!(f, "{PATH} is not a digits file: {why}; rewrite it with data/convert.py")
            }
        }
    }
}

/// Parses the file's bytes: a 16-byte header, then per sample `FEATURES`
/// pixels (0..=16) and a label (0..=9).
pub fn parse(bytes: &[u8]) -> Result<Set, DataError> {
    let bad = |why: String| Err(DataError::Malformed(why));
    if bytes.len() < HEADER || &bytes[..4] != MAGIC {
        return bad("no DGT1 header".into());
    }
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
    let (samples, features, classes) = (word(4), word(8), word(12));
    if features != FEATURES || classes != CLASSES {
        return bad(format!("{features} features and {classes} classes, expected {FEATURES} and {CLASSES}"));
    }
    let row = FEATURES + 1;
    if bytes.len() != HEADER + samples * row {
        return bad(format!("{} bytes for {samples} samples, expected {}", bytes.len(), HEADER + samples * row));
    }
    let mut set = Set::default();
    for (i, sample) in bytes[HEADER..].chunks_exact(row).enumerate() {
        let (pixels, label) = (&sample[..FEATURES], sample[FEATURES]);
        if label as usize >= CLASSES || pixels.iter().any(|&p| p > MAX_PIXEL) {
            return bad(format!("sample {i} has label {label} or a pixel above {MAX_PIXEL}"));
        }
        let image: Vec<f32> = pixels.iter().map(|&p| f32::from(p) / f32::from(MAX_PIXEL)).collect();
        set.push(&image, label.into());
    }
    Ok(set)
}

/// Reads and parses `PATH`.
pub fn load() -> Result<Set, DataError> {
    parse(&std::fs::read(PATH).map_err(DataError::Missing)?)
}

/// The first `test_share` of a fixed shuffle is the test set, the rest the
/// training set: the same split on every run, whatever the training seed.
pub fn split(all: &Set, test_share: f64) -> (Set, Set) {
    let mut order: Vec<usize> = (0..all.len()).collect();
    crate::Rng::new(0x5eed_d161).shuffle(&mut order);
    let tests = (all.len() as f64 * test_share).round() as usize;
    let (mut train, mut test) = (Set::default(), Set::default());
    for (k, &i) in order.iter().enumerate() {
        let set = if k < tests { &mut test } else { &mut train };
        set.push(all.image(i), all.labels[i]);
    }
    (train, test)
}
