//! `wasi-webgpu-bench`: guest vs native wgpu, side by side, in one run.
//!
//! Each workload runs natively through the `wgpu` crate (29, Vulkan) and as
//! a guest built with the SDK on the reference host (`wasi-webgpu-host`), on
//! the same adapter with the same WGSL and sizes; the SDK guest is also
//! compared with the same workload written against raw wit-bindgen bindings.
//! Writes `report.md` and `chart.svg` to a results folder, and with
//! `--update-doc` puts the report into `tests/BENCHMARKS.md`.
//!
//! Timing (the same on both sides): each sample is wall-clock time around
//! recording + submit + waiting for the GPU to finish (`Device::poll(Wait)`
//! natively; `on-submitted-work-done` in the guest) or, for readback, around
//! copy + map + copy into a `Vec`. Native samples are timed with
//! `std::time::Instant` in this process, guest samples with
//! `std::time::Instant` (wasi:clocks monotonic clock) inside the guest, which
//! prints them. Warm-up runs come first and are not timed.

mod data;
mod extra;
mod guest;
#[cfg(feature = "kernel-macro")]
mod kernel_cost;
mod minilm;
mod native;
mod ops;
mod python;
mod replay;
mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use report::{Better, Goal, Report, Row, Stat};

const WORKLOADS: [&str; 11] = [
    "latency",
    "dispatch",
    "bandwidth",
    "matmul",
    "overhead",
    "cold",
    "size",
    "macro",
    "minilm",
    "opsreduce",
    "opsmatmul",
];

const USAGE: &str = "\
usage: wasi-webgpu-bench [options]
       wasi-webgpu-bench --publish <results dir> <lavapipe|gpu|minilm-lavapipe|minilm-gpu>

Runs every workload natively (wgpu 29, Vulkan) and as a wasi-webgpu guest on
the reference host, on the same adapter, and writes report.md + chart.svg.

options:
  --quick               tiny sizes, 2 repetitions (CI smoke run)
  --repeat N            timed repetitions per workload and side (default 5)
  --warmup N            untimed runs first (default 1)
  --only LIST           comma-separated subset of: latency, dispatch, bandwidth, matmul,
                        overhead (raw-bindings guest), cold, size, macro,
                        minilm (all-MiniLM-L6-v2: guest, native replay, PyTorch),
                        opsreduce, opsmatmul (wasi-webgpu-ops kernels: guest,
                        native replay, copy bandwidth, PyTorch)
  --adapter X           adapter index or name part (as wasi-webgpu-run --adapter)
  --matmul-sizes LIST   e.g. 1024,2048,4096 (default: those on a GPU; 1024,2048
                        on a CPU adapter, where 4096 takes ~30 s per multiply)
  --reduce-mib LIST     opsreduce input sizes in MiB (default 64,256,1024)
  --peak-tflops X       FP32 peak of the adapter, for matmul's share of peak
  --prebuilt DIR        take the guests' .wasm files from DIR instead of building
  --model DIR           minilm: the model folder (model.safetensors, config.json,
                        tokenizer.json); default: what tests/models/minilm.sh prints
  --python PATH         minilm: the Python with torch + sentence-transformers
                        (default python3; the PyTorch rows are skipped without)
  --minilm-batches LIST minilm batch sizes (default 1,32,256; 1,32 on a CPU adapter)
  --minilm-seq N        minilm tokens per sequence (default 128; 16 with --quick)
  --out DIR             results folder (default tests/bench/results/<date>-<device>)
  --update-doc          also put the report into tests/BENCHMARKS.md (a run of
                        --only minilm goes into the minilm section of its adapter)
  --root DIR            repository root (default: found from the current dir)";

struct Options {
    quick: bool,
    repeat: u64,
    warmup: u64,
    only: Vec<String>,
    adapter: Option<String>,
    matmul_sizes: Option<Vec<u32>>,
    peak_tflops: Option<f64>,
    prebuilt: Option<PathBuf>,
    model: Option<PathBuf>,
    python: Option<String>,
    minilm_batches: Option<Vec<u32>>,
    minilm_seq: Option<u32>,
    reduce_mib: Option<Vec<u32>>,
    out: Option<PathBuf>,
    update_doc: bool,
    root: PathBuf,
    command_line: String,
}

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String> {
    args.next().with_context(|| format!("{flag} needs a value\n\n{USAGE}"))
}

fn find_root() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_default();
    for dir in here.ancestors() {
        if dir.join("tests/bench/Cargo.toml").is_file() {
            return dir.to_owned();
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn parse_options(args: Vec<String>) -> Result<Options> {
    let command_line = std::iter::once("wasi-webgpu-bench".to_owned()).chain(args.iter().cloned()).collect::<Vec<_>>();
    let mut o = Options {
        quick: false,
        repeat: 5,
        warmup: 1,
        only: WORKLOADS.iter().map(|s| s.to_string()).collect(),
        adapter: None,
        matmul_sizes: None,
        peak_tflops: None,
        prebuilt: None,
        model: None,
        python: None,
        minilm_batches: None,
        minilm_seq: None,
        reduce_mib: None,
        out: None,
        update_doc: false,
        root: find_root(),
        command_line: command_line.join(" "),
    };
    let mut repeat = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => o.quick = true,
            "--repeat" => repeat = Some(value(&mut args, &arg)?.parse().context("--repeat")?),
            "--warmup" => o.warmup = value(&mut args, &arg)?.parse().context("--warmup")?,
            "--only" => {
                o.only = value(&mut args, &arg)?.split(',').map(|s| s.trim().to_owned()).collect();
                if let Some(bad) = o.only.iter().find(|w| !WORKLOADS.contains(&w.as_str())) {
                    bail!("unknown workload {bad:?}; the workloads are {}", WORKLOADS.join(", "));
                }
            }
            "--adapter" => o.adapter = Some(value(&mut args, &arg)?),
            "--matmul-sizes" => {
                let sizes = value(&mut args, &arg)?
                    .split(',')
                    .map(|s| s.trim().parse::<u32>().context("--matmul-sizes"))
                    .collect::<Result<Vec<_>>>()?;
                o.matmul_sizes = Some(sizes);
            }
            "--peak-tflops" => o.peak_tflops = Some(value(&mut args, &arg)?.parse().context("--peak-tflops")?),
            "--prebuilt" => o.prebuilt = Some(value(&mut args, &arg)?.into()),
            "--model" => o.model = Some(value(&mut args, &arg)?.into()),
            "--python" => o.python = Some(value(&mut args, &arg)?),
            "--minilm-batches" => {
                let sizes = value(&mut args, &arg)?
                    .split(',')
                    .map(|s| s.trim().parse::<u32>().context("--minilm-batches"))
                    .collect::<Result<Vec<_>>>()?;
                o.minilm_batches = Some(sizes);
            }
            "--reduce-mib" => {
                let sizes = value(&mut args, &arg)?
                    .split(',')
                    .map(|s| s.trim().parse::<u32>().context("--reduce-mib"))
                    .collect::<Result<Vec<_>>>()?;
                o.reduce_mib = Some(sizes);
            }
            "--minilm-seq" => o.minilm_seq = Some(value(&mut args, &arg)?.parse().context("--minilm-seq")?),
            "--out" => o.out = Some(value(&mut args, &arg)?.into()),
            "--update-doc" => o.update_doc = true,
            "--root" => o.root = value(&mut args, &arg)?.into(),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    o.repeat = repeat.unwrap_or(if o.quick { 2 } else { 5 });
    if o.repeat == 0 {
        bail!("--repeat must be at least 1");
    }
    Ok(o)
}

fn main() {
    // SAFETY: first thing in `main`, before any thread exists.
    unsafe { wasi_webgpu_host::ensure_xdg_runtime_dir() };
    if let Err(error) = run() {
        eprintln!("wasi-webgpu-bench: error: {error:?}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--publish") {
        let [_, dir, key] = args.as_slice() else { bail!("{USAGE}") };
        return publish(&find_root(), Path::new(dir), key);
    }
    let o = parse_options(args)?;
    let runner = guest::runner(o.adapter.as_deref(), wasi_webgpu_host::default_cache_dir())?;
    let info = runner.adapter_info().map_err(|e| anyhow::anyhow!("no adapter: {e}\n{}", runner.no_adapter_help()))?;
    let cpu = info.device_type == wasi_webgpu_host::wgpu_types::DeviceType::Cpu;
    let key = match (cpu, o.only.as_slice() == ["minilm"]) {
        (true, false) => "lavapipe",
        (false, false) => "gpu",
        (true, true) => "minilm-lavapipe",
        (false, true) => "minilm-gpu",
    };
    let date = utc_now();
    let out = match &o.out {
        Some(dir) => dir.clone(),
        None => o.root.join("tests/bench/results").join(format!("{}-{}", &date[..10], slug(&info.name))),
    };
    std::fs::create_dir_all(&out).with_context(|| format!("failed to create {}", out.display()))?;
    let wants = |w: &str| o.only.iter().any(|x| x == w);

    let mut r = Report::default();
    r.meta.push(("date".into(), date.clone()));
    r.meta.push((
        "adapter".into(),
        format!(
            "{} ({:?}, {:?}; driver {} {})",
            info.name, info.backend, info.device_type, info.driver, info.driver_info
        ),
    ));
    r.meta.push(("host".into(), host_description()));
    r.meta.push(("load average at start".into(), load_average()));
    r.meta.push((
        "harness".into(),
        format!(
            "`{}` ({} build; native: wgpu 29 on Vulkan; guests: wasmtime 48 + wasi-webgpu-wasmtime 0.5 on wgpu-core 29)",
            o.command_line,
            if cfg!(debug_assertions) { "debug" } else { "release" }
        ),
    ));
    r.meta.push((
        "repetitions".into(),
        format!("{} warm-up + {} timed per side; cells are median ±half the min–max range", o.warmup, o.repeat),
    ));

    let needs_gpu = ["latency", "dispatch", "bandwidth", "matmul", "overhead", "cold"].iter().any(|w| wants(w));
    let wants_ops = wants("opsreduce") || wants("opsmatmul");
    let native = if needs_gpu || wants("minilm") || wants_ops { Some(native::Native::new(&info.name)?) } else { None };
    let guests = if needs_gpu { Some(guest::Guests::locate(&o.root, o.prebuilt.as_deref())?) } else { None };
    let raw_too = wants("overhead");
    let (w, rep) = (o.warmup, o.repeat);
    let args = |v: &[String]| -> Vec<String> {
        let mut a = v.to_vec();
        a.push(format!("warmup={w}"));
        a.push(format!("repeat={rep}"));
        a
    };

    if let (Some(native), Some(guests)) = (&native, &guests) {
        if wants("latency") {
            let n: u32 = if o.quick { 20 } else { 1000 };
            eprintln!("latency: {n} round trips per sample…");
            let per = move |s: f64| s * 1e6 / f64::from(n);
            let (empty, one) = native::latency(native, n, w, rep)?;
            let mut sdk = guest::run(&runner, &guests.sdk, &args(&["latency".into(), format!("n={n}")]))?;
            let (sdk_empty, sdk_one) = (guest::take(&mut sdk, "empty")?, guest::take(&mut sdk, "dispatch1")?);
            let unit = "µs/round trip";
            let goal = Some(Goal::AtMost(1.2));
            r.native.push(row("empty submit + wait", unit, Better::Lower, &empty, &sdk_empty, per, goal));
            r.native.push(row(
                "1 dispatch (encoder, pass, submit) + wait",
                unit,
                Better::Lower,
                &one,
                &sdk_one,
                per,
                goal,
            ));
        }
        if wants("dispatch") || (raw_too && !wants("bandwidth") && !wants("matmul")) {
            let n: u32 = if o.quick { 200 } else { 10_000 };
            eprintln!("dispatch-heavy: {n} dispatches…");
            let per = move |s: f64| s * 1e6 / f64::from(n);
            let nat = native::dispatch(native, n, w, rep)?;
            let ga = args(&["dispatch".into(), format!("n={n}")]);
            let sdk = guest::take(&mut guest::run(&runner, &guests.sdk, &ga)?, "dispatch")?;
            let name = format!("dispatch-heavy ({n} × set pipeline + set bind group + dispatch)");
            r.native.push(row(&name, "µs/dispatch", Better::Lower, &nat, &sdk, per, Some(Goal::AtMost(1.10))));
            if raw_too {
                let raw = guest::take(&mut guest::run(&runner, &guests.raw, &ga)?, "dispatch")?;
                r.overhead.push(row(&name, "µs/dispatch", Better::Lower, &raw, &sdk, per, Some(Goal::AtMost(1.02))));
            }
        }
        if wants("bandwidth") {
            let mib: usize = if o.quick { 1 } else { 64 };
            eprintln!("bandwidth: {mib} MiB…");
            let mbps = move |s: f64| (mib << 20) as f64 / s / 1e6;
            let (up, down) = native::bandwidth(native, mib, w, rep)?;
            let ga = args(&["bandwidth".into(), format!("mib={mib}")]);
            let mut sdk = guest::run(&runner, &guests.sdk, &ga)?;
            let (sdk_up, sdk_down) = (guest::take(&mut sdk, "upload")?, guest::take(&mut sdk, "readback")?);
            let (up_name, down_name) = (format!("upload {mib} MiB"), format!("readback {mib} MiB"));
            r.native.push(row(&up_name, "MB/s", Better::Higher, &up, &sdk_up, mbps, Some(Goal::AtLeast(0.85))));
            r.native.push(row(&down_name, "MB/s", Better::Higher, &down, &sdk_down, mbps, Some(Goal::AtLeast(0.85))));
            let chunked = native::upload_chunked(native, mib, 1 << 20, w, rep)?;
            r.diagnostics.push(row(
                &format!("upload {mib} MiB natively in 1 MiB `write_buffer` calls (the SDK's pieces)"),
                "MB/s",
                Better::Higher,
                &up,
                &chunked,
                mbps,
                None,
            ));
            if raw_too {
                let mut raw = guest::run(&runner, &guests.raw, &ga)?;
                let (raw_up, raw_down) = (guest::take(&mut raw, "upload")?, guest::take(&mut raw, "readback")?);
                let g = Some(Goal::AtLeast(1.0 / 1.02));
                r.overhead.push(row(&up_name, "MB/s", Better::Higher, &raw_up, &sdk_up, mbps, g));
                r.overhead.push(row(&down_name, "MB/s", Better::Higher, &raw_down, &sdk_down, mbps, g));
            }
        }
        if wants("matmul") {
            let sizes = o.matmul_sizes.clone().unwrap_or_else(|| match (o.quick, cpu) {
                (true, _) => vec![128],
                (false, true) => vec![1024, 2048],
                (false, false) => vec![1024, 2048, 4096],
            });
            let peak = o.peak_tflops.or_else(|| fp32_peak_tflops(&info.name));
            for n in sizes {
                // Enough dispatches per sample that it lasts ~0.25 s, so
                // submit and wait latency does not dominate small sizes.
                let once = native::matmul(native, n, 1, 0, 1)?[0].as_secs_f64();
                let iters = if o.quick { 1 } else { ((0.25 / once).ceil() as u32).clamp(1, 64) };
                eprintln!("matmul {n}: {iters} dispatch(es) per sample…");
                let flop = 2.0 * f64::from(n).powi(3) * f64::from(iters);
                let gflops = move |s: f64| flop / s / 1e9;
                let nat = native::matmul(native, n, iters, w, rep)?;
                let ga = args(&["matmul".into(), format!("n={n}"), format!("iters={iters}")]);
                let sdk = guest::take(&mut guest::run(&runner, &guests.sdk, &ga)?, "matmul")?;
                let name = format!("matmul f32 {n}×{n} ({iters} per submit)");
                let goal = (n == 4096).then_some(Goal::AtLeast(0.98));
                let nat_row = row(&name, "GFLOPS", Better::Higher, &nat, &sdk, gflops, goal);
                if let Some(peak) = peak {
                    r.notes.push(format!(
                        "matmul {n}: native {:.0} GFLOPS = {:.1}% of the {peak} TFLOPS FP32 peak, guest {:.1}%.",
                        nat_row.baseline.median,
                        nat_row.baseline.median / peak / 10.0,
                        nat_row.subject.median / peak / 10.0
                    ));
                }
                r.native.push(nat_row);
                if raw_too {
                    let raw = guest::take(&mut guest::run(&runner, &guests.raw, &ga)?, "matmul")?;
                    r.overhead.push(row(
                        &name,
                        "GFLOPS",
                        Better::Higher,
                        &raw,
                        &sdk,
                        gflops,
                        Some(Goal::AtLeast(1.0 / 1.02)),
                    ));
                }
            }
        }
        if wants("cold") {
            let reps = if o.quick { 1 } else { rep };
            eprintln!("cold start…");
            let ms = |s: f64| s * 1e3;
            let nat: Vec<Duration> = (0..reps).map(|_| native::cold(native)).collect::<Result<_>>()?;
            let none = guest::cold(o.adapter.as_deref(), &guests.sdk, None, reps)?;
            let cache = tempfile::tempdir()?;
            let cached = guest::cold(o.adapter.as_deref(), &guests.sdk, Some(cache.path()), reps)?;
            r.cold.push(row(
                "cold start, no compiled-component cache (Cranelift compile)",
                "ms",
                Better::Lower,
                &nat,
                &none,
                ms,
                None,
            ));
            r.cold.push(row(
                "cold start, compiled component from the disk cache",
                "ms",
                Better::Lower,
                &nat,
                &cached,
                ms,
                None,
            ));
        }
    }
    if let (true, Some(native)) = (wants("minilm"), &native) {
        let wasm = guest::minilm_wasm(&o.root, o.prebuilt.as_deref())?;
        let mo = minilm::Options {
            quick: o.quick,
            cpu_adapter: cpu,
            warmup: w,
            repeat: rep,
            batches: o.minilm_batches.clone(),
            seq: o.minilm_seq.unwrap_or(if o.quick { 16 } else { 128 }),
            model: o.model.clone(),
            python: o.python.clone(),
            root: &o.root,
        };
        minilm::run(&mo, &runner, native, &wasm, &mut r)?;
    }
    if let (true, Some(native)) = (wants_ops, &native) {
        let wasm = ops::wasm(&o.root, o.prebuilt.as_deref())?;
        let oo = ops::Options {
            quick: o.quick,
            cpu_adapter: cpu,
            warmup: w,
            repeat: rep,
            python: o.python.clone(),
            root: &o.root,
            reduce_mib: o.reduce_mib.clone(),
            matmul_sizes: o.matmul_sizes.clone(),
        };
        if wants("opsreduce") {
            ops::reduce(&oo, &runner, native, &wasm, &mut r)?;
        }
        if wants("opsmatmul") {
            ops::matmul(&oo, &runner, native, &wasm, &mut r)?;
        }
    }
    if wants("size") {
        eprintln!("component sizes…");
        match &o.prebuilt {
            Some(dir) => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
                    .collect();
                files.sort();
                for f in files {
                    r.sizes.push(extra::size_row(&f.file_stem().unwrap_or_default().to_string_lossy(), &f)?);
                }
            }
            None => {
                let crates = extra::size_crates(&o.root);
                // The smoke run sizes only what it built already.
                let crates = if o.quick {
                    crates.into_iter().filter(|c| c.starts_with(o.root.join("tests/bench"))).collect()
                } else {
                    crates
                };
                for c in crates {
                    let wasm = wasi_webgpu_run::build_guest(&c)?;
                    let name = c.file_name().unwrap_or_default().to_string_lossy().into_owned();
                    r.sizes.push(extra::size_row(&name, &wasm)?);
                }
            }
        }
        r.notes.push("Sizes: `release` is the component as the workspace's release profile builds it (`strip = \"debuginfo\"`); `stripped` has every custom section removed too (names, producers), as `wasm-tools strip --all` would.".into());
    }
    if wants("macro") {
        eprintln!("macro expansion cost…");
        let runs = if o.quick { 2 } else { 20 };
        r.macros = extra::macro_cost(&o.root, runs)?;
        #[cfg(feature = "kernel-macro")]
        r.macros.extend(kernel_cost::kernel_cost(&o.root, runs)?);
        r.notes.push(format!(
            "Macro cost is timed in this process, {} build. Cargo builds proc-macros and their dependencies (naga) without optimisation unless a profile's `build-override` says otherwise, so a debug harness run (`cargo run -p wasi-webgpu-bench -- --only macro`) is what a user's build sees; a release run shows less. {}",
            if cfg!(debug_assertions) { "debug (unoptimised)" } else { "release (optimised)" },
            if cfg!(feature = "kernel-macro") { "`#[kernel]` rows: the translator's entry point on each example kernel." } else { "`#[kernel]` is measured with `--features kernel-macro`." }
        ));
    }
    r.meta.push(("load average at end".into(), load_average()));
    r.notes.push("Timing: each sample is wall time around record + submit + wait for the GPU (native `Device::poll(Wait)`; guest `on-submitted-work-done`, which the reference host completes with the same blocking wait on the device), or around copy + map + copy into a `Vec<u32>` for readback. Native is timed in this process, the guest inside the guest (`std::time::Instant` = wasi monotonic clock). Both sides run the same WGSL on the same adapter and check their results against the CPU.".into());

    let chart = out.join("chart.svg");
    r.chart(&chart, &format!("{} — guest vs baseline", info.name))?;
    let markdown = r.markdown(Some("chart.svg"));
    let report_path = out.join("report.md");
    std::fs::write(&report_path, format!("# wasi-webgpu benchmarks: {}\n\n{markdown}", info.name))?;
    println!("{markdown}");
    eprintln!("wrote {} and {}", report_path.display(), chart.display());
    if o.update_doc {
        publish(&o.root, &out, key)?;
    }
    Ok(())
}

fn row(
    name: &str,
    unit: &'static str,
    better: Better,
    baseline: &[Duration],
    subject: &[Duration],
    f: impl Fn(f64) -> f64 + Copy,
    goal: Option<Goal>,
) -> Row {
    Row {
        workload: name.to_owned(),
        unit,
        better,
        baseline: Stat::of(baseline, f),
        subject: Stat::of(subject, f),
        goal,
    }
}

/// Puts `dir`'s report.md into tests/BENCHMARKS.md, replacing the section
/// of the same kind (`lavapipe` or `gpu`, or for a run of only the minilm
/// workload `minilm-lavapipe` or `minilm-gpu`).
fn publish(root: &Path, dir: &Path, key: &str) -> Result<()> {
    const KEYS: [&str; 4] = ["lavapipe", "gpu", "minilm-lavapipe", "minilm-gpu"];
    if !KEYS.contains(&key) {
        bail!("the section is one of {}, not {key:?}", KEYS.join(", "));
    }
    let report =
        std::fs::read_to_string(dir.join("report.md")).with_context(|| format!("no report.md in {}", dir.display()))?;
    let body = report.lines().skip_while(|l| l.starts_with("# ") || l.is_empty()).collect::<Vec<_>>().join("\n");
    let tests = root.join("tests");
    let rel = dir.canonicalize().ok().and_then(|d| d.strip_prefix(tests.canonicalize().ok()?).ok().map(Path::to_owned));
    let chart = rel
        .map(|r| r.join("chart.svg").display().to_string())
        .unwrap_or_else(|| dir.join("chart.svg").display().to_string());
    let body = body.replace("](chart.svg)", &format!("]({chart})"));
    let (begin, end) = (format!("<!-- BEGIN {key} -->"), format!("<!-- END {key} -->"));
    let doc_path = tests.join("BENCHMARKS.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap_or_default();
    let section = format!("{begin}\n{body}\n{end}");
    let doc = match (doc.find(&begin), doc.find(&end)) {
        (Some(b), Some(e)) if b < e => format!("{}{section}{}", &doc[..b], &doc[e + end.len()..]),
        _ => format!("{doc}\n{section}\n"),
    };
    std::fs::write(&doc_path, doc)?;
    eprintln!("updated {} ({key})", doc_path.display());
    Ok(())
}

/// FP32 peak of adapters this was run on (dense, boost clock).
fn fp32_peak_tflops(name: &str) -> Option<f64> {
    let name = name.to_lowercase();
    if name.contains("h200") || (name.contains("h100") && (name.contains("sxm") || name.contains("hbm3"))) {
        Some(66.9)
    } else if name.contains("h100") {
        Some(51.2)
    } else {
        None
    }
}

fn slug(name: &str) -> String {
    let lower = name.to_lowercase();
    if lower.contains("llvmpipe") {
        return "lavapipe".into();
    }
    let s: String = lower.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

fn host_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores available")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `YYYY-MM-DD HH:MM UTC`, without a date crate.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}
