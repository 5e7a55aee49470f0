//! Test guest for `wasi_webgpu_ops::bert` (tests/tests/minilm.rs).
//!
//! ```text
//! minilm-guest embed --model DIR --input FILE [--cpu] [--max-batch N]
//! minilm-guest bad-input --model DIR [--cpu]
//! ```
//!
//! `embed` reads FILE, a JSON document whose `sentences` are objects with a
//! `text` (the oracle's reference.json), embeds every text in one call and
//! prints one JSON object: `{"device", "ms", "ids": [[…]], "embeddings":
//! [[…]]}`, the host comparing them with the oracle. `bad-input` checks the
//! errors of an empty input and the truncation of a 1 MB sentence, printing
//! `ok: …` per check. Failures print `Error: …` and exit with 1.

use std::path::PathBuf;
use std::time::Instant;

use wasi_webgpu::{Instance, Queue};
use wasi_webgpu_ops::Ops;
use wasi_webgpu_ops::bert::{ModelError, SentenceEncoder, read_file};

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().ok_or("no mode")?;
    let (mut model, mut input, mut cpu, mut max_batch) = (None, None, false, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--model" => model = args.next().map(PathBuf::from),
            "--input" => input = args.next().map(PathBuf::from),
            "--cpu" => cpu = true,
            "--max-batch" => max_batch = args.next().and_then(|n| n.parse().ok()),
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
    let (device, queue) = adapter.request_device(&Default::default()).await.map_err(|e| e.to_string())?;
    let ops = Ops::new(&device);
    let mut encoder = SentenceEncoder::load(&ops, &model).await.map_err(|e| e.to_string())?;
    if let Some(n) = max_batch {
        encoder.set_max_batch(n);
    }
    let on = if device.is_cpu() { "cpu" } else { "gpu" };
    match mode.as_str() {
        "embed" => embed(&encoder, &queue, input.ok_or("--input FILE is needed")?, on).await,
        "bad-input" => bad_input(&encoder, &queue).await,
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

async fn bad_input(encoder: &SentenceEncoder, queue: &Queue) -> Result<(), String> {
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
    Ok(())
}
