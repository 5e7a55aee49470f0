//! The `minilm` bench workload in the guest: the all-MiniLM-L6-v2 forward
//! pass of `wasi_webgpu_ops::bert` on batches of fixed token ids.
//!
//! Arguments: `model=DIR batches=1,32,256 seq=128 warmup=N repeat=N
//! [trace=DIR] [full=0|1] [precision=f32|f16]`. `precision=f16` loads the
//! model with `Precision::F16` (needs `shader-f16`) and names its samples and
//! traces `minilm16_b<batch>`. For each batch it uploads `batch × seq` ids
//! (every token real: the mask is all ones, as in
//! `tests/bench/torch_minilm.py`), prepares the forward pass, and times
//! record + one submit + `on-submitted-work-done` with `std::time::Instant`,
//! printing `sample minilm_b<batch> <seconds>` per timed repetition. That
//! is what PyTorch's timing covers: a forward whose embeddings are on the
//! device, synchronised. Then it prints `embedding b<batch> <row 0's first
//! 8 values>` and `norms b<batch> <min> <max>` (every row must be finite and
//! of unit length), and with `trace=DIR` writes the dispatch trace of one
//! forward to `DIR/minilm_b<batch>.json` + `.bin` for the harness's native
//! replay. `full=1` (the default) keeps every buffer's contents in the
//! trace (the weights too), so the replay computes the same embeddings.
//! `wait=read` waits by reading the embeddings back (`map-async`, which the
//! host completes by blocking on the device) instead of
//! `on-submitted-work-done` (which the reference host completes from a
//! thread polling every 200 µs): a diagnostic of that polling's cost.

use std::time::Instant;

use wasi_webgpu::Features;
use wasi_webgpu::trace::TraceOptions;
use wasi_webgpu_ops::Ops;
use wasi_webgpu_ops::bert::{LoadOptions, Precision, SentenceEncoder};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

struct Args(Vec<(String, String)>);

impl Args {
    fn parse() -> Result<Self> {
        let mut pairs = Vec::new();
        for arg in std::env::args().skip(1) {
            if arg == "minilm" {
                continue;
            }
            let (k, v) = arg.split_once('=').ok_or_else(|| format!("expected key=value, got {arg:?}"))?;
            pairs.push((k.to_owned(), v.to_owned()));
        }
        Ok(Self(pairs))
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn num(&self, key: &str, default: u64) -> Result<u64> {
        self.str(key).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{key}={v:?} is not a number").into()))
    }
}

/// The ids the PyTorch script draws from (1000..30000, or up to the
/// vocabulary's end if it is smaller), from a fixed LCG, with `[CLS]` first
/// and `[SEP]` last in each sequence.
fn ids(batch: u32, seq: u32, vocab: u32) -> Vec<u32> {
    let span = vocab.min(30_000).saturating_sub(1000).max(1);
    let mut state = 0x2545_f491_u32;
    let mut ids = Vec::with_capacity((batch * seq) as usize);
    for _ in 0..batch {
        for t in 0..seq {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ids.push(match t {
                0 => 101,
                t if t == seq - 1 => 102,
                _ => 1000 + (state >> 8) % span,
            });
        }
    }
    ids
}

#[wasi_webgpu::main]
async fn main() -> Result<()> {
    let args = Args::parse()?;
    let model = args.str("model").ok_or("missing model=DIR")?;
    let seq = args.num("seq", 128)? as u32;
    let (warmup, repeat) = (args.num("warmup", 1)?, args.num("repeat", 5)?);
    let batches: Vec<u32> = args
        .str("batches")
        .unwrap_or("1,32,256")
        .split(',')
        .map(|b| b.trim().parse().map_err(|_| format!("bad batch {b:?}")))
        .collect::<Result<_, _>>()?;
    let trace_dir = args.str("trace");
    let full = args.num("full", 1)? != 0;
    let read = match args.str("wait").unwrap_or("done") {
        "done" => false,
        "read" => true,
        other => return Err(format!("wait={other:?}: done or read").into()),
    };

    let (precision, tag) = match args.str("precision").unwrap_or("f32") {
        "f32" => (Precision::F32, "minilm"),
        "f16" => (Precision::F16, "minilm16"),
        other => return Err(format!("precision={other:?}: f32 or f16").into()),
    };
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    // Batch 256 at 128 tokens has 201 MB activations: past WebGPU's default
    // binding limit, so ask for the adapter's.
    let required_limits = wasi_webgpu_ops::required_limits(&adapter);
    let required_features = if precision == Precision::F16 { Features::SHADER_F16 } else { Features::empty() };
    if !adapter.features().contains(required_features) {
        return Err("precision=f16 needs an adapter with shader-f16".into());
    }
    let descriptor = wasi_webgpu::DeviceDescriptor { required_limits, required_features, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await?;
    if trace_dir.is_some() {
        let max_kept_bytes = if full { u64::MAX } else { TraceOptions::default().max_kept_bytes };
        device.start_trace(TraceOptions { max_kept_bytes });
    }
    let options = LoadOptions::new().with_precision(precision);
    let encoder = SentenceEncoder::load_with(&Ops::new(&device), std::path::Path::new(model), options).await?;
    let dim = encoder.dim();
    for batch in batches {
        let vocab = encoder.config().vocab_size;
        encoder.prepare_ids(&queue, &ids(batch, seq, vocab), batch, seq).await?;
        let forward = async || -> Result<()> {
            encoder.run_prepared(&queue).await?;
            if read {
                std::hint::black_box(encoder.read_prepared().await?);
            } else {
                queue.on_submitted_work_done().await;
            }
            Ok(())
        };
        for _ in 0..warmup.max(1) {
            forward().await?;
        }
        for _ in 0..repeat {
            let start = Instant::now();
            forward().await?;
            println!("sample {tag}_b{batch} {:.9}", start.elapsed().as_secs_f64());
        }
        let out = encoder.read_prepared().await?;
        let norms: Vec<f32> = out.chunks(dim).map(|row| row.iter().map(|x| x * x).sum::<f32>().sqrt()).collect();
        let (lo, hi) = norms.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &n| (lo.min(n), hi.max(n)));
        // f16 activations: the norm is taken in f32 of the f16-rounded
        // output, so allow f16's rounding.
        let tol = if precision == Precision::F16 { 2e-3 } else { 1e-3 };
        if !(lo > 1.0 - tol && hi < 1.0 + tol) {
            return Err(format!("batch {batch}: embedding norms in [{lo}, {hi}], not 1").into());
        }
        let head: Vec<String> = out[..8].iter().map(|v| format!("{v:.7}")).collect();
        println!("embedding b{batch} {}", head.join(" "));
        println!("norms b{batch} {lo:.7} {hi:.7}");
        if let Some(dir) = trace_dir {
            let (json, blob) = device.trace_json(1)?;
            std::fs::write(format!("{dir}/{tag}_b{batch}.json"), json)?;
            std::fs::write(format!("{dir}/{tag}_b{batch}.bin"), blob)?;
        }
    }
    Ok(())
}
