//! A BERT sentence encoder for [all-MiniLM-L6-v2], the most used
//! sentence-embedding model: a 6-layer BERT (hidden 384, 12 heads, FFN 1536,
//! vocabulary 30,522) whose mean-pooled, L2-normalised output embeds a
//! sentence in 384 dimensions, on the GPU or the CPU device.
//!
//! Enabled by the cargo feature `bert`. The model's files (`tokenizer.json`,
//! `config.json`, `model.safetensors`) are read from a directory, for example
//! one the host preopens for the guest; nothing is fetched.
//!
//! - [`Tokenizer`]: the model's uncased WordPiece tokenizer, read from its
//!   `tokenizer.json`, giving the same ids as HuggingFace `tokenizers`.
//! - [`Config`], [`Weights`]: `config.json` and `model.safetensors`, every
//!   tensor checked against the config.
//! - [`SentenceEncoder`]: the whole model, batched and padded, one submit
//!   per batch.
//! - [`Precision`], [`LoadOptions`]: f32 (the default) or, on devices with
//!   `shader-f16`, f16 weights and activations, chosen at
//!   [`SentenceEncoder::load_with`].
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
//!
//! [all-MiniLM-L6-v2]: https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2

mod batch;
mod config;
mod forward;
mod model;
mod tokenizer;
mod weights;

pub use config::{Config, ConfigError, HiddenAct};
pub use forward::{LoadOptions, Precision};
pub use model::{DEFAULT_MAX_BATCH, ModelError, SentenceEncoder, read_file};
pub use tokenizer::{Tokenizer, TokenizerError};
pub use weights::{Weights, WeightsError};
