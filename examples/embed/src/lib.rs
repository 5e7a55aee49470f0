//! Sentence embeddings with all-MiniLM-L6-v2 (`wasi_webgpu_ops::bert`), on
//! the GPU or on the in-guest CPU device.
//!
//! ```text
//! wasi-webgpu-run --dir MODEL_DIR examples/embed -- [OPTIONS] [SENTENCE]...
//! ```
//!
//! Prints the embedding size and the cosine-similarity matrix of the
//! sentences (6 decimals). Options:
//!
//! - `--model DIR`: the model folder (config.json, tokenizer.json,
//!   model.safetensors); default: the first preopened directory that has a
//!   config.json, else `.`;
//! - `--cpu`: run on the CPU device instead of the GPU;
//! - `--f16`: keep the weights and activations in f16 (`Precision::F16`:
//!   half the memory, embeddings within cosine 0.99998 of f32's on
//!   lavapipe); needs an adapter with `shader-f16`, which the CPU device is
//!   not;
//! - `--file F`: also embed each non-empty line of F (UTF-8);
//! - `--query Q`: rank the sentences (and lines) by similarity to Q instead
//!   of printing the matrix;
//! - `--max-batch N`: at most N sentences per batch;
//! - `--runs N`: embed N times and report the median time (the first run
//!   also compiles the pipelines).
//!
//! The model folder must be given to the runner with `--dir`; the guest
//! sees it under the guest path (`--dir HOST::GUEST`, GUEST defaulting to
//! HOST). Errors print one line and exit with 1.

use std::path::{Path, PathBuf};
use std::time::Instant;

use wasi_webgpu::{Features, Instance};
use wasi_webgpu_ops::Ops;
use wasi_webgpu_ops::bert::{LoadOptions, ModelError, Precision, SentenceEncoder, read_file};

const USAGE: &str =
    "usage: embed [--model DIR] [--cpu] [--f16] [--file F] [--query Q] [--max-batch N] [--runs N] [SENTENCE]...";

struct Args {
    model: Option<PathBuf>,
    cpu: bool,
    f16: bool,
    file: Option<PathBuf>,
    query: Option<String>,
    max_batch: Option<usize>,
    runs: usize,
    sentences: Vec<String>,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        model: None,
        cpu: false,
        f16: false,
        file: None,
        query: None,
        max_batch: None,
        runs: 1,
        sentences: Vec::new(),
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value; {USAGE}"));
        match arg.as_str() {
            "--model" => parsed.model = Some(value("--model")?.into()),
            "--cpu" => parsed.cpu = true,
            "--f16" => parsed.f16 = true,
            "--file" => parsed.file = Some(value("--file")?.into()),
            "--query" => parsed.query = Some(value("--query")?),
            "--max-batch" => {
                let n = value("--max-batch")?;
                parsed.max_batch =
                    Some(n.parse().ok().filter(|&n| n > 0).ok_or(format!("--max-batch `{n}`: not a positive count"))?);
            }
            "--runs" => {
                let n = value("--runs")?;
                parsed.runs = n.parse().ok().filter(|&n| n > 0).ok_or(format!("--runs `{n}`: not a positive count"))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            "--" => parsed.sentences.extend(args.by_ref()),
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`; {USAGE}")),
            _ => parsed.sentences.push(arg),
        }
    }
    Ok(parsed)
}

/// The non-empty lines of `path`, each checked to be UTF-8.
fn lines(path: &Path) -> Result<Vec<String>, String> {
    let bytes = read_file(path).map_err(|e| e.to_string())?;
    let mut lines = Vec::new();
    for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line =
            std::str::from_utf8(line).map_err(|e| format!("{}: line {} is not UTF-8 ({e})", path.display(), n + 1))?;
        if !line.trim().is_empty() {
            lines.push(line.to_owned());
        }
    }
    Ok(lines)
}

/// The first preopened directory holding a config.json, else `.`.
fn default_model_dir() -> PathBuf {
    wasi_webgpu::__private::wasip3::filesystem::preopens::get_directories()
        .into_iter()
        .map(|(_, path)| PathBuf::from(path))
        .find(|dir| dir.join("config.json").exists())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1))?;
    let mut sentences = args.sentences;
    if let Some(file) = &args.file {
        sentences.extend(lines(file)?);
    }
    if sentences.is_empty() {
        return Err(format!("no sentences to embed; {USAGE}"));
    }
    let instance = Instance::new();
    let adapter = if args.cpu {
        instance.cpu_adapter()
    } else {
        instance.request_adapter(&Default::default()).await.map_err(|e| format!("no GPU adapter ({e}); try --cpu"))?
    };
    // Larger batches need buffers past WebGPU's default limits: ask for the
    // adapter's.
    let required_limits = wasi_webgpu_ops::required_limits(&adapter);
    // f16 storage needs shader-f16 on the device, which only an adapter
    // that lists it can grant: say so rather than fail in request_device.
    let required_features = if args.f16 { Features::SHADER_F16 } else { Features::empty() };
    if !adapter.features().contains(required_features) {
        let which = if args.cpu { "the CPU device" } else { "this GPU adapter" };
        return Err(format!("--f16 needs the `shader-f16` feature, which {which} does not have; drop --f16"));
    }
    let descriptor = wasi_webgpu::DeviceDescriptor { required_limits, required_features, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await.map_err(|e| e.to_string())?;
    let ops = Ops::new(&device);
    let dir = args.model.unwrap_or_else(default_model_dir);
    let start = Instant::now();
    let precision = if args.f16 { Precision::F16 } else { Precision::F32 };
    let options = LoadOptions::new().with_precision(precision);
    let mut encoder = SentenceEncoder::load_with(&ops, &dir, options).await.map_err(|e| {
        let hint = if matches!(e, ModelError::Io { .. }) {
            " (preopen the model folder: wasi-webgpu-run --dir MODEL_DIR examples/embed, or --model DIR)"
        } else {
            ""
        };
        format!("loading {}: {e}{hint}", dir.display())
    })?;
    let loaded = start.elapsed();
    if let Some(n) = args.max_batch {
        encoder.set_max_batch(n);
    }
    let mut all: Vec<&str> = sentences.iter().map(String::as_str).collect();
    if let Some(query) = &args.query {
        all.push(query);
    }
    let mut times = Vec::new();
    let mut embeddings = Vec::new();
    for _ in 0..args.runs {
        let start = Instant::now();
        embeddings = encoder.embed(&queue, &all).await.map_err(|e| e.to_string())?;
        times.push(start.elapsed());
    }
    let first = times[0];
    times.sort();
    let took = times[times.len() / 2];
    let on = match (device.is_cpu(), precision) {
        (true, _) => "the CPU device",
        (false, Precision::F32) => "the GPU",
        (false, _) => "the GPU in f16",
    };
    println!("embedding size: {}", encoder.dim());
    println!(
        "{} sentences on {on} in {:.1} ms{} (model loaded in {:.1} ms)",
        all.len(),
        took.as_secs_f64() * 1e3,
        if args.runs > 1 {
            format!(", median of {} runs; the first {:.1} ms", args.runs, first.as_secs_f64() * 1e3)
        } else {
            String::new()
        },
        loaded.as_secs_f64() * 1e3
    );
    if args.query.is_some() {
        let (query, lines) = embeddings.split_last().expect("the query is embedded");
        let mut ranked: Vec<(f32, &str)> =
            lines.iter().zip(&sentences).map(|(e, s)| (dot(e, query), s.as_str())).collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        println!("ranked by cosine similarity to the query:");
        for (score, sentence) in ranked {
            println!("{score:9.6}  {sentence}");
        }
        return Ok(());
    }
    for (i, sentence) in sentences.iter().enumerate() {
        println!("[{i}] {sentence}");
    }
    println!("cosine similarity:");
    for a in &embeddings {
        let row: Vec<String> = embeddings.iter().map(|b| format!("{:9.6}", dot(a, b))).collect();
        println!("{}", row.join(" "));
    }
    Ok(())
}
