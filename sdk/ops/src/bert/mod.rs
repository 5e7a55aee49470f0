//! A BERT sentence encoder: all-MiniLM-L6-v2 (and models of its
//! architecture) from its Hugging Face files, on the GPU or the CPU device.
//!
//! ```no_run
//! # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &wasi_webgpu::Queue) -> Result<(), wasi_webgpu_ops::bert::ModelError> {
//! use wasi_webgpu_ops::bert::SentenceEncoder;
//!
//! let encoder = SentenceEncoder::load(ops, std::path::Path::new("all-MiniLM-L6-v2")).await?;
//! let embeddings = encoder.embed(queue, &["A man is eating food.", "A man is eating bread."]).await?;
//! let cosine: f32 = embeddings[0].iter().zip(&embeddings[1]).map(|(a, b)| a * b).sum();
//! # Ok(()) }
//! ```

mod batch;
mod config;
mod model;
mod pending;
mod weights;

pub use config::{Config, ConfigError, HiddenAct};
pub use model::{DEFAULT_MAX_BATCH, ModelError, SentenceEncoder, read_file};
pub use weights::{Weights, WeightsError};
