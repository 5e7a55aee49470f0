//! Test guest for `wasi_webgpu_ops::bert` (tests/tests/minilm.rs).
//!
//! ```text
//! minilm-guest embed --model DIR --input FILE [--cpu] [--max-batch N] [--f16]
//! minilm-guest bad-input --model DIR [--cpu]
//! minilm-guest limits --model DIR [--cpu]
//! minilm-guest profile --model DIR [--cpu] [--batch B] [--seq S]
//! ```
//!
//! `embed` reads FILE, a JSON document whose `sentences` are objects with a
//! `text` (the oracle's reference.json), embeds every text in one call and
//! prints one JSON object: `{"device", "ms", "ids": [[…]], "embeddings":
//! [[…]]}`, the host comparing them with the oracle. `--f16` loads the
//! model in `Precision::F16`, asking the adapter for `shader-f16` where it
//! has it; a load refused as `ModelError::MissingFeature` prints
//! `Error: MissingFeature: …`. `bad-input` checks the
//! errors of an empty input and of token ids past a (tiny) model's
//! vocabulary, and the truncation of a 1 MB sentence, printing
//! `ok: …` per check. `limits` embeds one more 256-token sentence than the
//! device's buffer limits let one batch hold, and checks that all (split
//! into batches) equal the sentence embedded alone. `profile` times each operation of one
//! forward pass over B sentences of about S tokens (default 1 × 128), one
//! submit each, and prints `op ms` lines with a total per op kind.
//! Failures print `Error: …` and exit with 1.

use std::path::PathBuf;
use std::time::Instant;

use wasi_webgpu::{DeviceDescriptor, Features, Instance, Queue};
use wasi_webgpu_ops::Ops;
use wasi_webgpu_ops::bert::{LoadOptions, ModelError, Precision, SentenceEncoder, read_file};

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().ok_or("no mode")?;
    let (mut model, mut input, mut cpu, mut max_batch, mut f16) = (None, None, false, None, false);
    let (mut batch, mut seq) = (1usize, 128usize);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => model = args.next().map(PathBuf::from),
            "--input" => input = args.next().map(PathBuf::from),
            "--cpu" => cpu = true,
            "--f16" => f16 = true,
            "--max-batch" => max_batch = args.next().and_then(|n| n.parse().ok()),
            "--batch" => batch = args.next().and_then(|n| n.parse().ok()).ok_or("--batch N")?,
            "--seq" => seq = args.next().and_then(|n| n.parse().ok()).ok_or("--seq N")?,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let model = model.ok_or("--model DIR is needed")?;
    let instance = Instance::new();
    let adapter = if cpu {
        instance.cpu_adapter()
    } else {
        instance.request_adapter(&Default::default()).await.map_err(|e| e.to_string())?
    };
    // Only an adapter that has shader-f16 is asked for it: on one without
    // (the CPU device), loading in f16 must be the typed error.
    let required_features = if f16 { adapter.features() & Features::SHADER_F16 } else { Features::empty() };
    let descriptor = DeviceDescriptor { required_features, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await.map_err(|e| e.to_string())?;
    let ops = Ops::new(&device);
    let precision = if f16 { Precision::F16 } else { Precision::F32 };
    let options = LoadOptions::new().with_precision(precision);
    let mut encoder = SentenceEncoder::load_with(&ops, &model, options).await.map_err(|e| match e {
        ModelError::MissingFeature { .. } => format!("MissingFeature: {e}"),
        e => e.to_string(),
    })?;
    if let Some(n) = max_batch {
        encoder.set_max_batch(n);
    }
    let on = if device.is_cpu() { "cpu" } else { "gpu" };
    match mode.as_str() {
        "embed" => embed(&encoder, &queue, input.ok_or("--input FILE is needed")?, on).await,
        "bad-input" => bad_input(&encoder, &queue, &ops).await,
        "limits" => limits(&mut encoder, &queue).await,
        "profile" => profile(&encoder, &queue, batch, seq).await,
        other => Err(format!("unknown mode `{other}`")),
    }
}

async fn embed(encoder: &SentenceEncoder, queue: &Queue, input: PathBuf, on: &str) -> Result<(), String> {
    let bytes = read_file(&input).map_err(|e| e.to_string())?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", input.display()))?;
    let texts: Vec<&str> = doc["sentences"]
        .as_array()
        .ok_or("no `sentences` array")?
        .iter()
        .map(|s| s["text"].as_str().ok_or("a sentence without `text`"))
        .collect::<Result<_, _>>()?;
    let ids: Vec<Vec<u32>> = texts.iter().map(|t| encoder.tokenize(t)).collect();
    let start = Instant::now();
    let embeddings = encoder.embed(queue, &texts).await.map_err(|e| e.to_string())?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let out = serde_json::json!({ "device": on, "ms": ms, "ids": ids, "embeddings": embeddings });
    println!("{out}");
    Ok(())
}

async fn bad_input(encoder: &SentenceEncoder, queue: &Queue, ops: &Ops) -> Result<(), String> {
    match encoder.embed(queue, &[]).await {
        Err(ModelError::EmptyInput) => println!("ok: empty input: {}", ModelError::EmptyInput),
        other => return Err(format!("empty input gave {other:?}")),
    }
    // 1 MB of words: truncated to max_seq_len tokens, embedded, unit length.
    let huge = "lorem ipsum dolor sit amet ".repeat(40_000);
    let ids = encoder.tokenize(&huge);
    if ids.len() != encoder.max_seq_len() as usize {
        return Err(format!("a 1 MB sentence gave {} tokens, not {}", ids.len(), encoder.max_seq_len()));
    }
    let embedding = encoder.embed(queue, &[&huge, "short"]).await.map_err(|e| e.to_string())?;
    let norm: f32 = embedding[0].iter().map(|x| x * x).sum::<f32>().sqrt();
    if (norm - 1.0).abs() > 1e-4 || embedding[0].iter().any(|x| !x.is_finite()) {
        return Err(format!("the 1 MB sentence's embedding has norm {norm}"));
    }
    println!("ok: a {} byte sentence is truncated to {} tokens, norm {norm}", huge.len(), ids.len());
    token_ids_past_the_vocabulary(ops, queue).await
}

/// A tiny model (vocabulary 10, hidden 4) with the real tokenizer: its ids
/// are past that vocabulary, which `embed` must refuse before any upload.
async fn token_ids_past_the_vocabulary(ops: &Ops, queue: &Queue) -> Result<(), String> {
    let config = r#"{"vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2,
        "intermediate_size": 8, "max_position_embeddings": 16, "type_vocab_size": 2}"#;
    let mut shapes: Vec<(String, Vec<usize>)> = vec![
        ("embeddings.word_embeddings.weight".into(), vec![10, 4]),
        ("embeddings.position_embeddings.weight".into(), vec![16, 4]),
        ("embeddings.token_type_embeddings.weight".into(), vec![2, 4]),
        ("embeddings.LayerNorm.weight".into(), vec![4]),
        ("embeddings.LayerNorm.bias".into(), vec![4]),
    ];
    for (name, shape) in [
        ("attention.self.query", vec![4, 4]),
        ("attention.self.key", vec![4, 4]),
        ("attention.self.value", vec![4, 4]),
        ("attention.output.dense", vec![4, 4]),
        ("attention.output.LayerNorm", vec![4]),
        ("intermediate.dense", vec![8, 4]),
        ("output.dense", vec![4, 8]),
        ("output.LayerNorm", vec![4]),
    ] {
        let rows = shape[0];
        shapes.push((format!("encoder.layer.0.{name}.weight"), shape));
        shapes.push((format!("encoder.layer.0.{name}.bias"), vec![rows]));
    }
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for (name, shape) in shapes {
        let start = data.len();
        data.resize(start + 4 * shape.iter().product::<usize>(), 0);
        header.insert(name, serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [start, data.len()]}));
    }
    let header = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(&header);
    file.extend_from_slice(&data);
    let tokenizer = read_file(std::path::Path::new("/model/tokenizer.json")).map_err(|e| e.to_string())?;
    let tokenizer = String::from_utf8(tokenizer).map_err(|e| e.to_string())?;
    let tiny = SentenceEncoder::from_bytes(ops, config, &tokenizer, &file, None).map_err(|e| e.to_string())?;
    match tiny.embed(queue, &["fine", "A man is eating food."]).await {
        Err(e @ ModelError::TokenId { sentence: 0, .. }) => println!("ok: ids past the vocabulary: {e}"),
        other => return Err(format!("ids past the vocabulary gave {other:?}")),
    }
    Ok(())
}

async fn limits(encoder: &mut SentenceEncoder, queue: &Queue) -> Result<(), String> {
    let long = "word ".repeat(300);
    let seq = encoder.max_seq_len();
    encoder.set_max_batch(usize::MAX);
    let fit = encoder.batch_limit(seq);
    if fit == usize::MAX || fit == 0 {
        return Err(format!("batch_limit({seq}) = {fit}"));
    }
    let texts = vec![long.as_str(); fit + 1];
    let alone = encoder.embed(queue, &texts[..1]).await.map_err(|e| e.to_string())?;
    let all = encoder.embed(queue, &texts).await.map_err(|e| e.to_string())?;
    for (i, e) in all.iter().enumerate() {
        let diff = e.iter().zip(&alone[0]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        if diff > 1e-5 {
            return Err(format!("sentence {i} of {} differs from the sentence alone by {diff}", texts.len()));
        }
    }
    println!(
        "ok: {} sentences of {seq} tokens (a batch holds {fit}) are split and match the sentence alone",
        texts.len()
    );
    Ok(())
}

async fn profile(encoder: &SentenceEncoder, queue: &Queue, batch: usize, seq: usize) -> Result<(), String> {
    // "word" is one token; [CLS] and [SEP] make seq.
    let text = "word ".repeat(seq.saturating_sub(2));
    let texts = vec![text.as_str(); batch];
    // The first pass compiles the pipelines.
    encoder.profile(queue, &texts).await.map_err(|e| e.to_string())?;
    let times = encoder.profile(queue, &texts).await.map_err(|e| e.to_string())?;
    let mut kinds: Vec<(&str, f64, usize)> = Vec::new();
    for (name, time) in &times {
        let ms = time.as_secs_f64() * 1e3;
        match kinds.iter_mut().find(|k| k.0 == *name) {
            Some(k) => (k.1, k.2) = (k.1 + ms, k.2 + 1),
            None => kinds.push((name, ms, 1)),
        }
    }
    let total: f64 = kinds.iter().map(|k| k.1).sum();
    println!("profile: batch {batch} x {seq} tokens, {} ops, {total:.1} ms in all", times.len());
    for (name, ms, n) in kinds {
        println!("{name:>16}: {ms:9.2} ms over {n} ops ({:.1}%)", 100.0 * ms / total);
    }
    Ok(())
}
