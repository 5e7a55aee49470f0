//! A BERT sentence encoder for [all-MiniLM-L6-v2], the most used
//! sentence-embedding model: a 6-layer BERT (hidden 384, 12 heads, FFN 1536,
//! vocabulary 30,522) whose mean-pooled, L2-normalised output embeds a
//! sentence in 384 dimensions.
//!
//! Enabled by the cargo feature `bert`. The model's files (`tokenizer.json`,
//! `config.json`, `model.safetensors`) are read by the caller, for example
//! from a directory the host preopens for the guest; nothing is fetched.
//!
//! - [`Tokenizer`]: the model's uncased WordPiece tokenizer, read from its
//!   `tokenizer.json`, giving the same ids as HuggingFace `tokenizers`.
//!
//! [all-MiniLM-L6-v2]: https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2

mod tokenizer;

pub use tokenizer::{Tokenizer, TokenizerError};
