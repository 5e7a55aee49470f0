//! The `opsreduce` and `opsmatmul` workloads: `wasi-webgpu-ops` kernels in
//! the guest (`guests/ops-gpu`), natively (the guest's dispatch trace
//! replayed with `wgpu`, `replay.rs`), against the device's copy bandwidth
//! (`copy_buffer_to_buffer`, native) and PyTorch (`torch_ops.py`: `torch.sum`
//! and friends, cuBLAS), all in one run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use wasi_webgpu_host::Runner;

use crate::native::{self, Native};
use crate::python;
use crate::replay::Replay;
use crate::report::{Better, Goal, Report};

pub struct Options<'a> {
    pub quick: bool,
    pub cpu_adapter: bool,
    pub warmup: u64,
    pub repeat: u64,
    pub python: Option<String>,
    pub root: &'a Path,
    pub reduce_mib: Option<Vec<u32>>,
    pub matmul_sizes: Option<Vec<u32>>,
}

pub const OPS_WASM: &str = "bench_ops_gpu_guest.wasm";

/// The ops guest's component: from `prebuilt`, or built.
pub fn wasm(root: &Path, prebuilt: Option<&Path>) -> Result<PathBuf> {
    match prebuilt {
        Some(dir) => {
            let path = dir.join(OPS_WASM);
            if !path.is_file() {
                bail!("{} does not exist", path.display());
            }
            Ok(path)
        }
        None => wasi_webgpu_run::build_guest(&root.join("tests/bench/guests/ops-gpu")),
    }
}

/// One PyTorch measurement.
struct Torch {
    op: String,
    size: u32,
    timing: python::Timing,
}

impl Torch {
    fn sample(&self) -> [Duration; 1] {
        [Duration::from_secs_f64(self.timing.median_s)]
    }

    fn on_cpu(&self) -> bool {
        self.timing.device == "cpu"
    }
}

/// Runs `torch_ops.py what --key list`, or `None` without PyTorch.
fn torch(o: &Options<'_>, what: &str, key: &str, list: &[u32]) -> Result<Option<Vec<Torch>>> {
    let python = o.python.as_deref().unwrap_or("python3");
    let script = o.root.join("tests/bench/torch_ops.py");
    let list = self::list(list);
    let min_seconds = if o.quick { "0.05" } else { "1.0" };
    let Some(lines) = python::json_lines(python, "torch", &script, &[what, key, &list, "--min-seconds", min_seconds])?
    else {
        return Ok(None);
    };
    let rows = lines
        .iter()
        .map(|v| {
            Ok(Torch {
                op: python::text(v, "op"),
                size: v.get("size").and_then(|x| x.as_u64()).context("torch: no size")? as u32,
                timing: python::Timing::of(v)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Some(rows))
}

fn guest_args(what: &str, o: &Options<'_>, extra: Vec<String>) -> Vec<String> {
    let mut args = vec![what.to_owned(), format!("warmup={}", o.warmup), format!("repeat={}", o.repeat)];
    args.push("trace=/trace".into());
    args.extend(extra);
    args
}

fn run_guest(runner: &Runner, wasm: &Path, traces: &Path, args: &[String]) -> Result<String> {
    let opts = wasi_webgpu_host::RunOptions::captured().dir(traces, "/trace").args(args.iter().cloned());
    let outcome = runner.run(wasm, &opts)?;
    let stdout = outcome.stdout_lossy();
    if !outcome.success() {
        bail!("ops guest {} failed ({:?}):\n{stdout}{}", args.join(" "), outcome.status, outcome.stderr_lossy());
    }
    Ok(stdout)
}

fn list(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// Sum, max and inclusive scan at each size; rows guest vs native replay,
/// guest vs the copy moving the same bytes, guest vs PyTorch.
pub fn reduce(o: &Options<'_>, runner: &Runner, native: &Native, wasm: &Path, r: &mut Report) -> Result<()> {
    let sizes = o.reduce_mib.clone().unwrap_or_else(|| if o.quick { vec![1] } else { vec![64, 256, 1024] });
    let traces = tempfile::tempdir()?;
    eprintln!("opsreduce: guest, {} MiB…", list(&sizes));
    let stdout =
        run_guest(runner, wasm, traces.path(), &guest_args("reduce", o, vec![format!("mib={}", list(&sizes))]))?;
    let mut samples = crate::guest::parse_samples(&stdout)?;
    let torch = torch(o, "reduce", "--mib", &sizes)?;
    let find = |op: &str, size: u32| torch.iter().flatten().find(|t| t.op == op && t.size == size);
    let big = |mib: u32| mib >= 256;
    for &mib in &sizes {
        let bytes = f64::from(mib) * (1u64 << 20) as f64;
        // A sum or max reads the input once; a scan at least reads it once
        // and writes the output once.
        let moved = |op: &str| if op == "scan" { 2.0 * bytes } else { bytes };
        eprintln!("opsreduce {mib} MiB: native copies and replays…");
        // Copies of half and of all the input: the same bytes moved (read
        // + written) as a reduction's read and as a scan's read + write.
        let half_copy = native::copy(native, (bytes / 2.0) as u64, o.warmup, o.repeat)?;
        let full_copy = native::copy(native, bytes as u64, o.warmup, o.repeat)?;
        for (op, torch_op, torch_name) in
            [("sum", "sum", "torch.sum"), ("max", "max", "torch.amax"), ("scan", "scan", "torch.cumsum")]
        {
            let name = format!("{op}_{mib}");
            let sdk = crate::guest::take(&mut samples, &name)?;
            let replay = Replay::load(native, &traces.path().join(format!("{name}.json")))?;
            let nat = replay.time(o.warmup, o.repeat)?;
            let gbs = {
                let b = moved(op);
                move |s: f64| b / s / 1e9
            };
            let what = match op {
                "sum" => "ops sum",
                "max" => "ops max",
                _ => "ops inclusive scan",
            };
            let label = format!("{what} of {mib} MiB f32 ({} dispatches)", replay.dispatches);
            r.native.push(crate::row(&label, "GB/s", Better::Higher, &nat, &sdk, gbs, Some(Goal::AtLeast(0.95))));
            let copy = if op == "scan" { &full_copy } else { &half_copy };
            let goal = (op != "scan" && big(mib)).then_some(Goal::AtLeast(0.7));
            r.native.push(crate::row(
                &format!("{what} of {mib} MiB f32: guest vs native copy_buffer_to_buffer of the same bytes moved"),
                "GB/s",
                Better::Higher,
                copy,
                &sdk,
                gbs,
                goal,
            ));
            if let Some(t) = find(torch_op, mib) {
                let goal = (op == "sum" && big(mib) && !t.on_cpu()).then_some(Goal::AtLeast(0.7));
                r.pytorch.push(crate::row(
                    &format!("{what} of {mib} MiB f32: guest vs {torch_name} ({} samples)", t.timing.samples),
                    "GB/s",
                    Better::Higher,
                    &t.sample(),
                    &sdk,
                    gbs,
                    goal,
                ));
            }
        }
        if let Some(t) = find("copy", mib) {
            let gbs = move |s: f64| 2.0 * bytes / s / 1e9;
            r.diagnostics.push(crate::row(
                &format!("copy of {mib} MiB (read + write): PyTorch copy_ vs native copy_buffer_to_buffer"),
                "GB/s",
                Better::Higher,
                &full_copy,
                &t.sample(),
                gbs,
                None,
            ));
        }
    }
    r.notes.push(format!(
        "opsreduce: `Ops::sum` / `max` (`ReduceDesc::vector`) and `Ops::scan` (inclusive) of ±1 f32 with one 2, each checked exactly against the CPU in the guest first; a sample is one submit of the prepared op + `on-submitted-work-done`. Native: the op's dispatch trace replayed with wgpu (same WGSL, pipelines, bind groups, dispatches; stand-in contents of the same size). GB/s counts the bytes the op must move: the input once (sum, max), input + output (scan); the copy rows time wgpu's `copy_buffer_to_buffer` moving that many bytes (half the input for sum and max, all of it for a scan); where it is slower than PyTorch's `copy_` (the diagnostics row), it is no ceiling, and `torch.sum` is the bar.{}",
        torch_note(torch.as_deref(), o)
    ));
    Ok(())
}

fn torch_note(torch: Option<&[Torch]>, o: &Options<'_>) -> String {
    let python = o.python.as_deref().unwrap_or("python3");
    match torch.and_then(|t| t.first()) {
        None => format!(" PyTorch: not measured (`{python} -c \"import torch\"` fails here; pass `--python PATH`)."),
        Some(t) if t.on_cpu() => format!(
            " PyTorch {} ran on the CPU here (no CUDA), so its rows have no goal: the goals are for PyTorch CUDA on the same GPU.",
            t.timing.version
        ),
        Some(t) => format!(
            " PyTorch {} on {}: one call + `torch.cuda.synchronize()` per sample, median over 1 s.",
            t.timing.version, t.timing.device
        ),
    }
}

/// `Ops::matmul` (f32) and `Ops::linear` over F16 at each size; rows guest vs
/// native replay and guest vs cuBLAS.
pub fn matmul(o: &Options<'_>, runner: &Runner, native: &Native, wasm: &Path, r: &mut Report) -> Result<()> {
    let sizes = o.matmul_sizes.clone().unwrap_or_else(|| match (o.quick, o.cpu_adapter) {
        (true, _) => vec![128],
        (false, true) => vec![1024, 2048],
        (false, false) => vec![1024, 2048, 4096],
    });
    // Enough products per submit that one lasts milliseconds on a GPU.
    let iters: Vec<u32> = sizes
        .iter()
        .map(|&n| if o.cpu_adapter || o.quick { 1 } else { (8192 / n.max(1)).pow(2).clamp(1, 64) })
        .collect();
    let traces = tempfile::tempdir()?;
    eprintln!("opsmatmul: guest, {} (f32 and f16)…", list(&sizes));
    let extra = vec![format!("sizes={}", list(&sizes)), format!("iters={}", list(&iters)), "f16=1".into()];
    let stdout = run_guest(runner, wasm, traces.path(), &guest_args("matmul", o, extra))?;
    let mut samples = crate::guest::parse_samples(&stdout)?;
    if stdout.contains("note f16:") {
        r.notes.push("opsmatmul: the adapter has no shader-f16, so there are no f16 rows.".into());
    }
    let torch = torch(o, "matmul", "--sizes", &sizes)?;
    let find = |op: &str, size: u32| torch.iter().flatten().find(|t| t.op == op && t.size == size);
    for (&n, &iters) in sizes.iter().zip(&iters) {
        for precision in ["f32", "f32_t64", "f16", "f16h"] {
            let name = format!("matmul_{precision}_{n}");
            let Some(sdk) = samples.remove(&name) else { continue };
            eprintln!("opsmatmul {precision} {n}: native replay…");
            let replay = Replay::load(native, &traces.path().join(format!("{name}.json")))?;
            let nat = replay.time(o.warmup, o.repeat)?;
            let flop = 2.0 * f64::from(n).powi(3);
            let per_submit = flop * f64::from(iters);
            let label = match precision {
                "f32" => format!("ops matmul f32 {n}×{n} ({iters} per submit)"),
                "f32_t64" => format!("ops matmul f32 {n}×{n}, forced to 64 × 64 tiles (before) ({iters} per submit)"),
                "f16" => format!("ops matmul_f16 {n}×{n} (f16 storage, f32 sums; {iters} per submit)"),
                _ => format!("ops matmul_f16 {n}×{n} (f16 storage, f16 sums; {iters} per submit)"),
            };
            let gflops = move |s: f64| per_submit / s / 1e9;
            r.native.push(crate::row(&label, "GFLOPS", Better::Higher, &nat, &sdk, gflops, Some(Goal::AtLeast(0.95))));
            // cuBLAS is timed one product per call.
            let per_call = move |s: f64| flop / s / 1e9;
            let guest_per_call: Vec<Duration> = sdk.iter().map(|d| d.div_f64(f64::from(iters))).collect();
            let anchors: &[(&str, &str)] = match precision {
                "f32" | "f32_t64" => &[("sgemm", "cuBLAS SGEMM (TF32 off)")],
                _ => &[("hgemm", "cuBLAS HGEMM"), ("sgemm", "cuBLAS SGEMM fp32 (TF32 off)")],
            };
            for &(op, anchor) in anchors {
                let Some(t) = find(op, n) else { continue };
                let goal = match (precision, op) {
                    _ if n != 4096 || t.on_cpu() => None,
                    ("f32", _) => Some(Goal::AtLeast(0.6)),
                    ("f32_t64", _) => None,
                    ("f16" | "f16h", "sgemm") => Some(Goal::AtLeast(1.0)),
                    _ => None,
                };
                r.pytorch.push(crate::row(
                    &format!("{label}: guest vs {anchor} ({} samples)", t.timing.samples),
                    "GFLOPS",
                    Better::Higher,
                    &t.sample(),
                    &guest_per_call,
                    per_call,
                    goal,
                ));
            }
        }
    }
    r.notes.push(format!(
        "opsmatmul: `Ops::matmul` of n×n by n×n f32 (with the tiles `Tiling::Auto` picks, and forced to the 64 × 64 kernel: the before), and `Ops::matmul` over `F16` of the same shape with f32 sums and with f16 sums (`Accumulate`), operands multiples of 1/16 so 64 sampled entries check against an f64 dot product in the guest first (exactly for f32; within f16's rounding); a sample is one submit of `iters` prepared products + `on-submitted-work-done`. Native: the trace replayed with wgpu.{}",
        torch_note(torch.as_deref(), o)
    ));
    Ok(())
}
