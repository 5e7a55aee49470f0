//! [`SentenceEncoder`]: a BERT sentence-embedding model (all-MiniLM-L6-v2
//! and its kind) on a [`Device`], GPU or CPU.

use std::cell::RefCell;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use wasi_webgpu::{Buffer, BufferDescriptor, BufferUsages, Device, Queue};

use super::batch::{self, Batch};
use super::forward::{self, Activations, Acts, Io, LoadOptions, Precision, Stored};
use super::{Config, ConfigError, Tokenizer, TokenizerError, Weights, WeightsError};
use crate::{Op, Ops};

/// What can go wrong loading or running a [`SentenceEncoder`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A model file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// Why, in words.
        message: String,
    },
    /// `config.json` is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `tokenizer.json` is wrong.
    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),
    /// `model.safetensors` is wrong, or uploading it failed.
    #[error(transparent)]
    Weights(#[from] WeightsError),
    /// A sentence-transformers file (`sentence_bert_config.json`,
    /// `1_Pooling/config.json`) is wrong or asks for what this encoder
    /// does not do.
    #[error("{file}: {reason}")]
    SentenceConfig {
        /// The file.
        file: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The precision asked for needs a device feature this device lacks:
    /// [`Precision::F16`] needs `shader-f16`, which the CPU device never
    /// has. Request it in `DeviceDescriptor::required_features` from an
    /// adapter that lists it, or load in [`Precision::F32`].
    #[error("{precision:?} inference needs the device feature `{feature}`, which this device does not have")]
    MissingFeature {
        /// The precision asked for.
        precision: Precision,
        /// The feature it needs, as WebGPU names it.
        feature: &'static str,
    },
    /// `embed` was given no sentence.
    #[error("no sentences to embed")]
    EmptyInput,
    /// The tokenizer gave an id past the model's vocabulary: tokenizer.json
    /// and config.json do not belong together.
    #[error(
        "sentence {sentence}: token id {id} is past the model's vocabulary of {vocab} (tokenizer.json does not match config.json)"
    )]
    TokenId {
        /// The sentence's index in the input.
        sentence: usize,
        /// The token id.
        id: u32,
        /// `vocab_size`.
        vocab: u32,
    },
    /// A sentence of this many tokens does not fit the device's buffer
    /// limits even alone.
    #[error("a sequence of {tokens} tokens does not fit the device's buffer limits")]
    OverLimit {
        /// The sequence's tokens.
        tokens: u32,
    },
    /// Guest memory ran out.
    #[error("out of guest memory for {bytes} bytes ({what})")]
    OutOfMemory {
        /// What was being allocated.
        what: &'static str,
        /// The bytes asked for.
        bytes: u64,
    },
    /// Preparing or running an operation failed, or reading the result.
    #[error(transparent)]
    Ops(#[from] crate::Error),
}

impl From<wasi_webgpu::Error> for ModelError {
    fn from(e: wasi_webgpu::Error) -> Self {
        Self::Ops(e.into())
    }
}

/// The sequence length sentence-transformers truncates all-MiniLM-L6-v2 to.
const DEFAULT_MAX_SEQ: u32 = 256;

/// The batch size [`SentenceEncoder::embed`] uses unless the device's limits
/// need smaller batches or [`SentenceEncoder::set_max_batch`] says otherwise.
pub const DEFAULT_MAX_BATCH: usize = 64;

/// A sentence encoder: BERT with mean pooling over the attention mask and
/// L2 normalisation, the sentence-transformers recipe of
/// all-MiniLM-L6-v2.
///
/// [`embed`](Self::embed) tokenizes the sentences, sorts them by length
/// into padded batches (each within the device's buffer limits), records
/// the whole forward pass of a batch as prepared [`Op`]s into one submit,
/// and returns one unit-length embedding per sentence, in input order. The
/// activation buffers are sized for the largest batch seen and reused. On
/// the CPU device the same operations run in the guest.
///
/// [`load`](Self::load) keeps weights and activations in f32;
/// [`load_with`](Self::load_with) can keep them in f16 instead
/// ([`Precision::F16`], on devices with `shader-f16`), with the same
/// methods and f32 unit-length embeddings out.
pub struct SentenceEncoder {
    ops: Ops,
    config: Config,
    tokenizer: Tokenizer,
    max_seq: u32,
    max_batch: usize,
    weights: Stored,
    workspace: RefCell<Option<Workspace>>,
}

impl core::fmt::Debug for SentenceEncoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SentenceEncoder")
            .field("config", &self.config)
            .field("max_seq", &self.max_seq)
            .field("max_batch", &self.max_batch)
            .field("precision", &self.weights.precision())
            .finish_non_exhaustive()
    }
}

/// The activation buffers of a batch of up to `tokens` tokens and `rows`
/// sentences, with the forward pass last prepared on them.
struct Workspace {
    tokens: u64,
    rows: u64,
    ids: Buffer<u32>,
    type_ids: Buffer<u32>,
    mask: Buffer<u32>,
    /// In the encoder's precision.
    acts: Acts,
    pooled: Buffer<f32>,
    /// `(batch, seq)` and the ops prepared for it.
    prepared: Option<((u32, u32), Vec<Op>)>,
}

impl SentenceEncoder {
    /// Loads the model in `dir`: `config.json`, `tokenizer.json` and
    /// `model.safetensors` (a Hugging Face BERT), and, where present,
    /// sentence-transformers' `sentence_bert_config.json` (its
    /// `max_seq_length`, else 256) and `1_Pooling/config.json` (which must
    /// ask for mean pooling). Every weight is checked against the config
    /// and uploaded to the device of `ops`, in f32 ([`Precision::F32`]).
    pub async fn load(ops: &Ops, dir: &Path) -> Result<Self, ModelError> {
        Self::load_with(ops, dir, LoadOptions::default()).await
    }

    /// [`load`](Self::load) with `options`: with
    /// [`Precision::F16`], every weight is rounded to f16 as it is uploaded
    /// and the forward pass runs the f16 ops. That fails with
    /// [`ModelError::MissingFeature`], before any file is read, on a device
    /// without `shader-f16` (the CPU device among them).
    pub async fn load_with(ops: &Ops, dir: &Path, options: LoadOptions) -> Result<Self, ModelError> {
        // Before reading 90 MB that could not be used.
        forward::supported(ops.device(), options.precision)?;
        let config = read_string(&dir.join("config.json"))?;
        let tokenizer = read_string(&dir.join("tokenizer.json"))?;
        let max_seq = sentence_config(dir)?;
        let weights = read_file(&dir.join("model.safetensors"))?;
        Self::from_bytes_with(ops, &config, &tokenizer, &weights, max_seq, options)
    }

    /// Builds the encoder from the files' contents: `config.json`,
    /// `tokenizer.json`, `model.safetensors`, and the length to truncate
    /// sequences to (`None`: 256), capped at the position embeddings'.
    /// In f32, as [`load`](Self::load).
    pub fn from_bytes(
        ops: &Ops,
        config: &str,
        tokenizer: &str,
        safetensors: &[u8],
        max_seq: Option<u32>,
    ) -> Result<Self, ModelError> {
        Self::from_bytes_with(ops, config, tokenizer, safetensors, max_seq, LoadOptions::default())
    }

    /// [`from_bytes`](Self::from_bytes) with `options`, as
    /// [`load_with`](Self::load_with).
    pub fn from_bytes_with(
        ops: &Ops,
        config: &str,
        tokenizer: &str,
        safetensors: &[u8],
        max_seq: Option<u32>,
        options: LoadOptions,
    ) -> Result<Self, ModelError> {
        let config = Config::from_json(config)?;
        let max_seq = max_seq.unwrap_or(DEFAULT_MAX_SEQ).clamp(2, config.max_position_embeddings.max(2));
        let tokenizer = Tokenizer::from_json(tokenizer)?.with_max_len(max_seq as usize);
        let weights = Weights::parse(safetensors, &config)?;
        let weights = Stored::upload(ops.device(), &weights, options.precision)?;
        Ok(Self {
            ops: Ops::new(ops.device()),
            config,
            tokenizer,
            max_seq,
            max_batch: DEFAULT_MAX_BATCH,
            weights,
            workspace: RefCell::new(None),
        })
    }

    /// The model's config.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The precision the weights and activations are kept in.
    pub fn precision(&self) -> Precision {
        self.weights.precision()
    }

    /// The length of an embedding (`hidden_size`).
    pub fn dim(&self) -> usize {
        self.config.hidden_size as usize
    }

    /// The most tokens of a sequence, `[CLS]` and `[SEP]` included; longer
    /// ones are truncated.
    pub fn max_seq_len(&self) -> u32 {
        self.max_seq
    }

    /// The most sentences per batch (the device's limits may make batches
    /// smaller).
    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// The most sentences of `seq` tokens that one batch takes: the cap of
    /// [`set_max_batch`](Self::set_max_batch), or fewer where the device's
    /// `max_storage_buffer_binding_size` or `max_buffer_size` cannot hold
    /// more (the feed-forward activations, `seq × intermediate_size` floats
    /// a sentence, are the largest buffer). Larger inputs are split.
    pub fn batch_limit(&self, seq: u32) -> usize {
        let limit = batch::max_batch_for(&self.config, &self.ops.device().limits(), seq);
        usize::try_from(limit).unwrap_or(usize::MAX).min(self.max_batch)
    }

    /// Caps batches at `rows` sentences (at least 1). Smaller batches pad
    /// less and need smaller buffers; larger ones keep a GPU busier.
    pub fn set_max_batch(&mut self, rows: usize) {
        self.max_batch = rows.max(1);
        *self.workspace.get_mut() = None;
    }

    /// The token ids of `text` as the model sees it: `[CLS] … [SEP]`,
    /// truncated to [`max_seq_len`](Self::max_seq_len).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text)
    }

    /// The unit-length embedding of each sentence, in input order.
    ///
    /// Fails with [`ModelError::EmptyInput`] for no sentences. Any text is
    /// accepted: an empty one is `[CLS] [SEP]`, a long one is truncated.
    pub async fn embed(&self, queue: &Queue, sentences: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        if sentences.is_empty() {
            return Err(ModelError::EmptyInput);
        }
        let mut ids = Vec::new();
        ids.try_reserve_exact(sentences.len())
            .map_err(|_| ModelError::OutOfMemory { what: "token ids", bytes: sentences.len() as u64 * 24 })?;
        for (sentence, text) in sentences.iter().enumerate() {
            let tokens = self.tokenizer.encode(text);
            if let Some(&id) = tokens.iter().find(|&&id| id >= self.config.vocab_size) {
                return Err(ModelError::TokenId { sentence, id, vocab: self.config.vocab_size });
            }
            ids.push(tokens);
        }
        let lengths: Vec<u32> = ids.iter().map(|t| t.len().max(1) as u32).collect();
        let limits = self.ops.device().limits();
        let batches = batch::plan(&self.config, &limits, &lengths, self.max_batch)
            .ok_or(ModelError::OverLimit { tokens: lengths.iter().copied().max().unwrap_or(0) })?;
        let tokens = batches.iter().map(|b| b.rows.len() as u64 * u64::from(b.seq)).max().unwrap_or(0);
        let rows = batches.iter().map(|b| b.rows.len() as u64).max().unwrap_or(0);
        let dim = self.dim();
        let mut out: Vec<Vec<f32>> = Vec::new();
        out.try_reserve_exact(sentences.len())
            .map_err(|_| ModelError::OutOfMemory { what: "embeddings", bytes: (sentences.len() * dim * 4) as u64 })?;
        out.resize_with(sentences.len(), Vec::new);
        // Taken out of the cell while it is used: a second `embed` running
        // meanwhile (two futures joined) makes buffers of its own.
        let mut workspace = match self.workspace.take() {
            Some(w) if w.tokens >= tokens && w.rows >= rows => w,
            old => {
                // Drop the old buffers before creating their replacements.
                drop(old);
                self.workspace(tokens, rows)?
            }
        };
        let result = self.run_batches(queue, &mut workspace, &batches, &ids, &mut out).await;
        self.workspace.replace(Some(workspace));
        result?;
        Ok(out)
    }

    /// Runs `batches`, writing each sentence's embedding into its row of
    /// `out`.
    async fn run_batches(
        &self,
        queue: &Queue,
        workspace: &mut Workspace,
        batches: &[Batch],
        ids: &[Vec<u32>],
        out: &mut [Vec<f32>],
    ) -> Result<(), ModelError> {
        let dim = self.dim();
        for batch in batches {
            let pooled = self.run_batch(queue, workspace, batch, ids).await?;
            for (k, &row) in batch.rows.iter().enumerate() {
                out[row] = pooled[k * dim..(k + 1) * dim].to_vec();
            }
        }
        Ok(())
    }

    /// Uploads one batch's ids and mask, runs the forward pass and reads
    /// the pooled embeddings back, `rows × dim` floats.
    async fn run_batch(
        &self,
        queue: &Queue,
        workspace: &mut Workspace,
        batch: &Batch,
        ids: &[Vec<u32>],
    ) -> Result<Vec<f32>, ModelError> {
        let ops = self.stage(queue, workspace, batch, ids).await?;
        self.ops.run(queue, &ops).await?;
        Ok(workspace.pooled.slice(..(batch.rows.len() * self.dim()) as u64).read().await?)
    }

    /// Uploads one batch's ids and mask and prepares its forward pass (or
    /// reuses the one prepared for the same shape).
    async fn stage<'w>(
        &self,
        queue: &Queue,
        workspace: &'w mut Workspace,
        batch: &Batch,
        ids: &[Vec<u32>],
    ) -> Result<Vec<&'w Op>, ModelError> {
        let rows = batch.rows.len();
        let seq = batch.seq as usize;
        let mut padded = vec![0u32; rows * seq];
        let mut mask = vec![0u32; rows * seq];
        for (k, &row) in batch.rows.iter().enumerate() {
            let tokens = &ids[row];
            padded[k * seq..k * seq + tokens.len()].copy_from_slice(tokens);
            mask[k * seq..k * seq + tokens.len()].fill(1);
        }
        queue.write_buffer(&workspace.ids, 0, &padded)?;
        queue.write_buffer(&workspace.mask, 0, &mask)?;
        let shape = (rows as u32, batch.seq);
        if workspace.prepared.as_ref().is_none_or(|(s, _)| *s != shape) {
            workspace.prepared = None;
            let ops = self.prepare(workspace, shape.0, shape.1).await?;
            workspace.prepared = Some((shape, ops));
        }
        let Some((_, ops)) = &workspace.prepared else { unreachable!("just prepared") };
        Ok(ops.iter().collect())
    }

    /// Runs the forward pass of `sentences`, as one batch padded to the
    /// longest, one operation per submit, waiting for each; returns each
    /// operation's name and wall time (submit to finished) in order. For
    /// finding the slow kernel: the sum is more than one submit of the
    /// whole pass takes. Fails with [`ModelError::OverLimit`] where the
    /// sentences do not fit one batch.
    pub async fn profile(
        &self,
        queue: &Queue,
        sentences: &[&str],
    ) -> Result<Vec<(&'static str, Duration)>, ModelError> {
        if sentences.is_empty() {
            return Err(ModelError::EmptyInput);
        }
        let ids: Vec<Vec<u32>> = sentences.iter().map(|t| self.tokenizer.encode(t)).collect();
        if let Some((sentence, &id)) = ids
            .iter()
            .enumerate()
            .find_map(|(i, t)| t.iter().find(|&&id| id >= self.config.vocab_size).map(|id| (i, id)))
        {
            return Err(ModelError::TokenId { sentence, id, vocab: self.config.vocab_size });
        }
        let seq = ids.iter().map(|t| t.len().max(1) as u32).max().unwrap_or(1);
        if sentences.len() > self.batch_limit(seq) {
            return Err(ModelError::OverLimit { tokens: seq * sentences.len() as u32 });
        }
        let batch = Batch { rows: (0..sentences.len()).collect(), seq };
        let mut workspace = self.workspace(u64::from(seq) * sentences.len() as u64, sentences.len() as u64)?;
        let pooled = workspace.pooled.clone();
        let ops = self.stage(queue, &mut workspace, &batch, &ids).await?;
        let mut times = Vec::with_capacity(ops.len());
        for op in ops {
            let start = Instant::now();
            self.ops.run(queue, &[op]).await?;
            pooled.slice(..1).read().await?;
            times.push((op.name(), start.elapsed()));
        }
        Ok(times)
    }

    /// Uploads `ids` as `batch` sequences of `seq` tokens each, every
    /// token real (the mask is all ones), and prepares the forward pass on
    /// them, for [`run_prepared`](Self::run_prepared) to record and submit.
    ///
    /// For benchmarks: timing `run_prepared` and a wait for the queue times
    /// the model alone, without tokenizing, uploading or reading back, as
    /// PyTorch benchmarks on ids already on the device do. Fails like
    /// [`embed`](Self::embed) for ids past the vocabulary and for a batch
    /// over the device's buffer limits, which this does not split.
    pub async fn prepare_ids(&self, queue: &Queue, ids: &[u32], batch: u32, seq: u32) -> Result<(), ModelError> {
        let tokens = u64::from(batch) * u64::from(seq);
        if batch == 0 || seq == 0 || ids.len() as u64 != tokens || seq > self.config.max_position_embeddings {
            return Err(crate::Error::Shape {
                op: "prepare_ids",
                reason: format!(
                    "{} ids for {batch} sequences of {seq} tokens (at most {} a sequence)",
                    ids.len(),
                    self.config.max_position_embeddings
                ),
            }
            .into());
        }
        if let Some(i) = ids.iter().position(|&id| id >= self.config.vocab_size) {
            return Err(ModelError::TokenId { sentence: i / seq as usize, id: ids[i], vocab: self.config.vocab_size });
        }
        if batch::max_batch_for(&self.config, &self.ops.device().limits(), seq) < u64::from(batch) {
            return Err(ModelError::OverLimit { tokens: tokens.min(u64::from(u32::MAX)) as u32 });
        }
        // Taken out of the cell while awaiting, and put back after.
        let mut workspace = self.workspace.take();
        if workspace.as_ref().is_none_or(|w| w.tokens < tokens || w.rows < u64::from(batch)) {
            // Free the old buffers before creating their replacements.
            drop(workspace.take());
            workspace = Some(self.workspace(tokens, u64::from(batch))?);
        }
        let Some(w) = workspace.as_mut() else { unreachable!("just created") };
        let result = async {
            queue.write_buffer(&w.ids, 0, ids)?;
            queue.write_buffer(&w.mask, 0, &vec![1u32; ids.len()])?;
            if w.prepared.as_ref().is_none_or(|(s, _)| *s != (batch, seq)) {
                w.prepared = None;
                let ops = self.prepare(w, batch, seq).await?;
                w.prepared = Some(((batch, seq), ops));
            }
            Ok(())
        }
        .await;
        *self.workspace.borrow_mut() = workspace;
        result
    }

    /// Records the forward pass last prepared (by
    /// [`prepare_ids`](Self::prepare_ids) or [`embed`](Self::embed)) into
    /// one compute pass and submits it, without waiting for the GPU.
    pub async fn run_prepared(&self, queue: &Queue) -> Result<(), ModelError> {
        let workspace = self.workspace.take();
        let result = match workspace.as_ref().and_then(|w| w.prepared.as_ref()) {
            Some((_, ops)) => {
                let ops: Vec<&Op> = ops.iter().collect();
                self.ops.run(queue, &ops).await.map_err(ModelError::from)
            }
            None => Err(crate::Error::Shape { op: "run_prepared", reason: "nothing is prepared".into() }.into()),
        };
        *self.workspace.borrow_mut() = workspace;
        result
    }

    /// The embeddings of the last forward pass run, `batch × dim` floats
    /// for the batch last prepared.
    pub async fn read_prepared(&self) -> Result<Vec<f32>, ModelError> {
        let workspace = self.workspace.take();
        let result = match workspace.as_ref().and_then(|w| Some((w, w.prepared.as_ref()?))) {
            Some((w, ((batch, _), _))) => {
                w.pooled.slice(..(*batch as usize * self.dim()) as u64).read().await.map_err(ModelError::from)
            }
            None => Err(crate::Error::Shape { op: "read_prepared", reason: "nothing is prepared".into() }.into()),
        };
        *self.workspace.borrow_mut() = workspace;
        result
    }

    /// The activation buffers for `tokens` tokens in `rows` sentences.
    fn workspace(&self, tokens: u64, rows: u64) -> Result<Workspace, ModelError> {
        let device = self.ops.device();
        let h = u64::from(self.config.hidden_size);
        let input = BufferUsages::COPY_DST;
        let acts = match self.weights {
            Stored::F32(_) => Acts::F32(Activations::new(device, &self.config, tokens)?),
            Stored::F16(_) => Acts::F16(Activations::new(device, &self.config, tokens)?),
        };
        Ok(Workspace {
            tokens,
            rows,
            ids: storage(device, "bert ids", tokens, input)?,
            // One segment: the token types stay 0.
            type_ids: storage(device, "bert type ids", tokens, input)?,
            mask: storage(device, "bert mask", tokens, input)?,
            acts,
            pooled: storage(device, "bert pooled", rows * h, BufferUsages::COPY_SRC)?,
            prepared: None,
        })
    }

    /// The forward pass of a `batch × seq` batch on `w`'s buffers, in the
    /// encoder's precision (see [`forward::forward`]).
    async fn prepare(&self, w: &Workspace, batch: u32, seq: u32) -> Result<Vec<Op>, ModelError> {
        let io = Io { ids: &w.ids, type_ids: &w.type_ids, mask: &w.mask, pooled: &w.pooled };
        let (ops, c) = (&self.ops, &self.config);
        match (&self.weights, &w.acts) {
            (Stored::F32(weights), Acts::F32(acts)) => forward::forward(ops, c, weights, acts, &io, batch, seq).await,
            (Stored::F16(weights), Acts::F16(acts)) => forward::forward(ops, c, weights, acts, &io, batch, seq).await,
            // `workspace` makes the activations in the weights' precision.
            _ => unreachable!("a workspace of another precision than the weights'"),
        }
    }
}

/// A storage buffer of `len` elements with `usage` besides `STORAGE`.
fn storage<T: bytemuck::Pod>(
    device: &Device,
    label: &str,
    len: u64,
    usage: BufferUsages,
) -> Result<Buffer<T>, ModelError> {
    Ok(device.create_buffer(&BufferDescriptor {
        label: Some(label),
        len,
        usage: BufferUsages::STORAGE | usage,
        mapped_at_creation: false,
    })?)
}

/// `max_seq_length` from `sentence_bert_config.json`, after checking that
/// `1_Pooling/config.json` (if there) asks for mean pooling.
fn sentence_config(dir: &Path) -> Result<Option<u32>, ModelError> {
    const POOLING: &str = "1_Pooling/config.json";
    const SBERT: &str = "sentence_bert_config.json";
    let pooling = dir.join(POOLING);
    if pooling.exists() {
        let json: serde_json::Value = serde_json::from_str(&read_string(&pooling)?)
            .map_err(|e| ModelError::SentenceConfig { file: POOLING, reason: e.to_string() })?;
        let on = |key: &str| json.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
        let others = ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"];
        if !on("pooling_mode_mean_tokens") || others.iter().any(|k| on(k)) {
            return Err(ModelError::SentenceConfig { file: POOLING, reason: "only mean pooling is supported".into() });
        }
    }
    let sbert = dir.join(SBERT);
    if !sbert.exists() {
        return Ok(None);
    }
    let json: serde_json::Value = serde_json::from_str(&read_string(&sbert)?)
        .map_err(|e| ModelError::SentenceConfig { file: SBERT, reason: e.to_string() })?;
    match json.get("max_seq_length") {
        None => Ok(None),
        Some(v) => {
            v.as_u64().filter(|&n| (2..=u64::from(u32::MAX)).contains(&n)).map(|n| Some(n as u32)).ok_or_else(|| {
                ModelError::SentenceConfig { file: SBERT, reason: format!("max_seq_length {v} is not a length") }
            })
        }
    }
}

/// The contents of `path`, in memory reserved fallibly (the size comes from
/// the file).
pub fn read_file(path: &Path) -> Result<Vec<u8>, ModelError> {
    let io = |e: std::io::Error| ModelError::Io { path: path.display().to_string(), message: e.to_string() };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut bytes = Vec::new();
    let bytes_len = usize::try_from(len).map_err(|_| ModelError::OutOfMemory { what: "a model file", bytes: len })?;
    bytes.try_reserve_exact(bytes_len).map_err(|_| ModelError::OutOfMemory { what: "a model file", bytes: len })?;
    // Take at most the length announced, so a file that grows while it is
    // read cannot make the Vec reallocate infallibly.
    file.take(len).read_to_end(&mut bytes).map_err(io)?;
    Ok(bytes)
}

fn read_string(path: &Path) -> Result<String, ModelError> {
    String::from_utf8(read_file(path)?)
        .map_err(|e| ModelError::Io { path: path.display().to_string(), message: format!("not UTF-8: {e}") })
}
