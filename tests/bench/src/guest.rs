//! Running the bench guests on the reference host and reading their samples.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use wasi_webgpu_host::{AdapterChoice, RunOptions, Runner, RunnerConfig, wgpu_types::Backends};

/// The two bench guests' components.
pub struct Guests {
    pub sdk: PathBuf,
    pub raw: PathBuf,
}

pub const SDK_WASM: &str = "bench_sdk_guest.wasm";
pub const RAW_WASM: &str = "bench_raw_guest.wasm";

impl Guests {
    /// Takes the components from `prebuilt`, or builds the guest crates
    /// (release, like `wasi-webgpu-run`).
    pub fn locate(root: &Path, prebuilt: Option<&Path>) -> Result<Self> {
        Ok(match prebuilt {
            Some(dir) => Self { sdk: existing(dir.join(SDK_WASM))?, raw: existing(dir.join(RAW_WASM))? },
            None => Self {
                sdk: wasi_webgpu_run::build_guest(&root.join("tests/bench/guests/sdk"))?,
                raw: wasi_webgpu_run::build_guest(&root.join("tests/bench/guests/raw"))?,
            },
        })
    }
}

pub const MINILM_WASM: &str = "bench_minilm_guest.wasm";

/// The minilm guest's component: from `prebuilt`, or built.
pub fn minilm_wasm(root: &Path, prebuilt: Option<&Path>) -> Result<PathBuf> {
    match prebuilt {
        Some(dir) => existing(dir.join(MINILM_WASM)),
        None => wasi_webgpu_run::build_guest(&root.join("tests/bench/guests/minilm")),
    }
}

fn existing(path: PathBuf) -> Result<PathBuf> {
    if !path.is_file() {
        bail!("{} does not exist", path.display());
    }
    Ok(path)
}

/// A runner on Vulkan, on the chosen adapter if any.
pub fn runner(adapter: Option<&str>, cache_dir: Option<PathBuf>) -> Result<Runner> {
    Runner::with_config(RunnerConfig {
        cache_dir,
        backends: Backends::VULKAN,
        adapter: adapter.map(AdapterChoice::parse).transpose()?,
    })
}

/// Runs `wasm` with `args`, failing unless it succeeds, and returns its
/// `sample <name> <seconds>` lines by name.
pub fn run(runner: &Runner, wasm: &Path, args: &[String]) -> Result<BTreeMap<String, Vec<Duration>>> {
    let outcome = runner.run(wasm, &RunOptions::captured().args(args.iter().cloned()))?;
    if !outcome.success() {
        bail!(
            "guest {} {} failed ({:?}):\n{}{}",
            wasm.display(),
            args.join(" "),
            outcome.status,
            outcome.stdout_lossy(),
            outcome.stderr_lossy()
        );
    }
    parse_samples(&outcome.stdout_lossy())
}

pub fn parse_samples(stdout: &str) -> Result<BTreeMap<String, Vec<Duration>>> {
    let mut samples: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("sample ") else { continue };
        let (name, seconds) = rest.split_once(' ').with_context(|| format!("bad sample line {line:?}"))?;
        let seconds: f64 = seconds.trim().parse().with_context(|| format!("bad sample line {line:?}"))?;
        samples.entry(name.to_owned()).or_default().push(Duration::from_secs_f64(seconds));
    }
    Ok(samples)
}

/// Takes the samples named `name`, failing if there are none.
pub fn take(samples: &mut BTreeMap<String, Vec<Duration>>, name: &str) -> Result<Vec<Duration>> {
    samples.remove(name).filter(|s| !s.is_empty()).with_context(|| format!("the guest printed no {name} samples"))
}

/// Cold start of `wasm`'s `cold` workload: component load (compiled, or from
/// the on-disk cache) + instantiation + the guest's run, on a new runner
/// each time so no in-memory cache helps.
pub fn cold(adapter: Option<&str>, wasm: &Path, cache_dir: Option<&Path>, repeat: u64) -> Result<Vec<Duration>> {
    let args = ["cold".to_owned()];
    if let Some(dir) = cache_dir {
        // Fill the cache first.
        let runner = runner(adapter, Some(dir.to_owned()))?;
        runner.run(wasm, &RunOptions::captured().args(args.clone()))?;
    }
    (0..repeat)
        .map(|_| {
            let runner = runner(adapter, cache_dir.map(Path::to_owned))?;
            let outcome = runner.run(wasm, &RunOptions::captured().args(args.clone()))?;
            if !outcome.success() {
                bail!("cold guest failed: {}", outcome.stderr_lossy());
            }
            if outcome.compiled_from_cache != cache_dir.is_some() {
                bail!("cold start: expected compiled_from_cache = {}", cache_dir.is_some());
            }
            Ok(outcome.load_time + outcome.run_time)
        })
        .collect()
}
