//! The `wasi-webgpu-run` binary's options: choosing the GPU (`--list-adapters`,
//! `--backend`, `--adapter`), giving the guest directories and environment
//! variables (`--dir`, `-e`), `--timeout` (also of guests that never yield
//! and of guests stuck in a host call), one-line reports of traps and host
//! panics, the exit summary, `-q`, and logging through `RUST_LOG`.
//!
//! The choice of GPU is checked with wgpu's noop backend, which every runner
//! build has: it creates and maps buffers but runs no GPU work, so
//! hello-compute's numbers come back unchanged instead of as step counts.

mod common;

use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn runner(args: &[&str]) -> Output {
    runner_with(args, |_| {})
}

fn runner_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"));
    cmd.args(args).current_dir(common::root()).env_remove("RUST_LOG");
    setup(&mut cmd);
    cmd.output().expect("wasi-webgpu-run starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn transcript(output: &Output) -> String {
    format!("{}\n--- stdout\n{}--- stderr\n{}", output.status, text(&output.stdout), text(&output.stderr))
}

fn hello_compute() -> String {
    common::guest("examples/hello-compute").to_string_lossy().into_owned()
}

/// `--list-adapters` lines: `index: name (Backend, DeviceType)`.
fn list(backends: &str) -> Vec<(usize, String)> {
    let output = runner(&["--list-adapters", "--backend", backends]);
    assert!(output.status.success(), "{}", transcript(&output));
    text(&output.stdout)
        .lines()
        .map(|line| {
            let (index, rest) = line.split_once(": ").unwrap_or_else(|| panic!("`{line}` has no index"));
            assert!(rest.ends_with(')') && rest.contains(" ("), "`{line}` names no backend and device type");
            (index.parse().unwrap_or_else(|_| panic!("`{line}` has no index")), rest.to_owned())
        })
        .collect()
}

#[test]
fn list_adapters_prints_one_indexed_line_per_adapter() {
    let adapters = list("vulkan,noop");
    let indexes: Vec<usize> = adapters.iter().map(|(index, _)| *index).collect();
    assert_eq!(indexes, (0..adapters.len()).collect::<Vec<_>>());
    assert!(adapters.iter().any(|(_, a)| a == "noop wgpu backend (Noop, Cpu)"), "{adapters:?}");
    // The noop backend is only there when named.
    let output = runner(&["--list-adapters"]);
    assert!(!text(&output.stdout).contains("Noop"), "{}", transcript(&output));
}

#[test]
fn backend_limits_the_adapters_guests_see() {
    let output = runner(&["--backend", "noop", &hello_compute()]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(stderr.contains("adapter: noop wgpu backend (Noop, Cpu)"), "{stderr}");
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("Steps: [") && stdout != common::hello_compute_expected(), "ran on a GPU: {stdout}");
}

#[test]
fn adapter_overrides_the_adapter_wgpu_would_pick() {
    let adapters = list("vulkan,noop");
    // wgpu prefers any real adapter to the noop one; --adapter makes the
    // guest get the noop one anyway, by name and by index.
    let noop_index = adapters.iter().find(|(_, a)| a.contains("(Noop, ")).expect("a noop adapter").0.to_string();
    for choice in ["NOOP", noop_index.as_str()] {
        let output = runner(&["--backend", "vulkan,noop", "--adapter", choice, &hello_compute()]);
        assert!(output.status.success(), "{}", transcript(&output));
        assert!(text(&output.stderr).contains("adapter: noop wgpu backend"), "{}", transcript(&output));
        assert_ne!(text(&output.stdout), common::hello_compute_expected(), "{}", transcript(&output));
    }
    // And a real adapter, where there is one, computes the real result.
    if let Some((index, name)) = adapters.iter().find(|(_, a)| !a.contains("(Noop, ")) {
        let output = runner(&["--backend", "vulkan,noop", "--adapter", &index.to_string(), &hello_compute()]);
        assert_eq!(text(&output.stdout), common::hello_compute_expected(), "{}", transcript(&output));
        assert!(text(&output.stderr).contains(&format!("adapter: {name}")), "{}", transcript(&output));
    }
}

#[test]
fn an_adapter_that_does_not_exist_is_a_runner_error_listing_the_adapters() {
    let output = runner(&["--backend", "noop", "--adapter", "no-such-gpu", &hello_compute()]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("there is no adapter named like `no-such-gpu`"), "{stderr}");
    assert!(stderr.contains("0: noop wgpu backend (Noop, Cpu)"), "{stderr}");
    assert!(output.stdout.is_empty(), "the guest did not run:\n{}", transcript(&output));

    let output = runner(&["--backend", "vulkan,bogus", &hello_compute()]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    assert!(text(&output.stderr).contains("unknown backend `bogus`"), "{}", transcript(&output));
}

#[test]
fn dir_and_env_reach_the_guest() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("in.txt"), "from the host").unwrap();
    let preopen = format!("{}::/data", dir.path().display());
    let output = runner(&[
        "--dir",
        &preopen,
        "-e",
        "GREETING=hello",
        "--env",
        "EMPTY=",
        &common::probe().to_string_lossy(),
        "fs",
        "/data",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(r#"args: ["probe_guest", "fs", "/data"]"#), "{stdout}");
    assert!(stdout.contains(r#"env: [("GREETING", "hello"), ("EMPTY", "")]"#), "{stdout}");
    assert!(stdout.contains("in.txt: from the host"), "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.path().join("out.txt")).unwrap(), "written by the guest");

    // `--dir HOST` alone mounts it under its own path.
    let host = dir.path().to_string_lossy().into_owned();
    let output = runner(&["--dir", &host, &common::probe().to_string_lossy(), "fs", &host]);
    assert!(text(&output.stdout).contains("in.txt: from the host"), "{}", transcript(&output));

    // Without `--dir`, the guest sees no files.
    let output = runner(&[&common::probe().to_string_lossy(), "fs", "/data"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(text(&output.stdout).contains("read failed"), "{}", transcript(&output));
}

#[test]
fn timeout_stops_the_guest_with_124() {
    let output = runner(&["--timeout", "0.3", &common::probe().to_string_lossy(), "hang"]);
    assert_eq!(output.status.code(), Some(124), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("wasi-webgpu-run: guest timed out after 300ms"), "{stderr}");
    assert!(stderr.contains("wasi-webgpu-run: guest timed out, exit status 124 in "), "{stderr}");
}

/// The last stderr line sums the run up: exit status, run time, load time,
/// whether the compiled component was cached.
#[test]
fn the_run_ends_with_a_one_line_summary() {
    let wasm = hello_compute();
    runner(&[&wasm]);
    let output = runner(&[&wasm]);
    assert!(output.status.success(), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("wasi-webgpu-run: guest exited with 0 in "), "{stderr}");
    assert!(last.contains(" (load ") && last.contains(", cached; total "), "{stderr}");

    let output = runner(&[&common::probe().to_string_lossy(), "err"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.lines().last().unwrap_or_default().starts_with("wasi-webgpu-run: guest exited with 1 in "));

    let output = runner(&[&common::probe().to_string_lossy(), "panic"]);
    let stderr = text(&output.stderr);
    assert!(stderr.lines().last().unwrap_or_default().starts_with("wasi-webgpu-run: guest trapped, exit status 101 "));
}

#[test]
fn quiet_leaves_only_the_guests_output() {
    let output = runner(&["-q", &common::probe().to_string_lossy(), "err"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert_eq!(text(&output.stderr), "probe: stderr line\n", "{}", transcript(&output));
}

#[test]
fn rust_log_turns_on_the_runners_logging() {
    let wasm = common::probe().to_string_lossy().into_owned();
    let output = runner_with(&[&wasm, "err"], |cmd| {
        cmd.env("RUST_LOG", "wasi_webgpu_host=debug");
    });
    let stderr = text(&output.stderr);
    assert!(stderr.contains("wasi-webgpu-run: [DEBUG wasi_webgpu_host::runtime] GPU instance created"), "{stderr}");
    // Without RUST_LOG or -v: no log lines.
    let output = runner(&[&wasm, "err"]);
    assert!(!text(&output.stderr).contains("[DEBUG"), "{}", transcript(&output));
}

#[test]
fn building_a_crate_passes_cargos_progress_through() {
    let output = runner(&["examples/hello-compute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    // Cargo's own lines (at least its `Finished`), on stderr only.
    assert!(text(&output.stderr).contains("Finished `release` profile"), "{}", transcript(&output));
    assert_eq!(text(&output.stdout), common::hello_compute_expected());
}

/// The stuck test guest (`tests/guests/stuck`), built once, and run once so
/// that its compiled component is cached: the time bounds below are for
/// runs, not for compiling (which takes a debug runner seconds).
fn stuck() -> String {
    static STUCK: OnceLock<String> = OnceLock::new();
    STUCK
        .get_or_init(|| {
            let wasm = common::guest("tests/guests/stuck").to_string_lossy().into_owned();
            let (output, _) = runner_bounded(&["-q", &wasm, "trap"], Duration::from_secs(300));
            assert_eq!(output.status.code(), Some(101), "{}", transcript(&output));
            wasm
        })
        .clone()
}

/// Runs the runner with `args`, killing it (and failing) if it has not ended
/// after `limit`: these tests are about runs that would otherwise never end.
/// Returns the output and how long the process ran.
fn runner_bounded(args: &[&str], limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
        .args(args)
        .current_dir(common::root())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wasi-webgpu-run starts");
    while child.try_wait().expect("waiting for wasi-webgpu-run").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().expect("the killed runner's output");
            panic!("wasi-webgpu-run {args:?} still ran after {limit:?}; killed it\n{}", transcript(&output));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = start.elapsed();
    (child.wait_with_output().expect("wasi-webgpu-run's output"), elapsed)
}

/// The runner's own lines (`wasi-webgpu-run: …`) on stderr but the exit
/// summary, which `-q` leaves out; and all other stderr lines.
fn runner_lines(output: &Output) -> (Vec<String>, Vec<String>) {
    text(&output.stderr).lines().map(str::to_owned).partition(|l| l.starts_with("wasi-webgpu-run: "))
}

/// Asserts `output` ended with `code` and stderr holds exactly one runner
/// line, starting with `start`, and nothing from the runner besides; returns
/// that line.
fn one_runner_line(output: &Output, code: i32, start: &str) -> String {
    assert_eq!(output.status.code(), Some(code), "{}", transcript(output));
    let (ours, _) = runner_lines(output);
    assert_eq!(ours.len(), 1, "one runner line, got {ours:#?}\n{}", transcript(output));
    assert!(ours[0].starts_with(start), "`{start}…` expected:\n{}", transcript(output));
    ours[0].clone()
}

/// How long a stopped run may take beyond its timeout and grace: starting
/// the runner and loading the (cached) component. Generous, since the host
/// is shared; a run that is not stopped takes minutes to hours.
const STARTUP: Duration = Duration::from_secs(20);

#[test]
fn timeout_stops_a_guest_spinning_in_its_own_code() {
    let wasm = stuck();
    let (output, elapsed) = runner_bounded(&["-q", "--timeout", "0.5", &wasm, "spin"], STARTUP);
    let line = one_runner_line(&output, 124, "wasi-webgpu-run: guest timed out after 500ms (running its own code");
    assert_eq!(text(&output.stdout), "reached spin\n", "{line}");
    assert!(elapsed < STARTUP, "{elapsed:?}");
}

#[test]
fn timeout_stops_a_cpu_kernel_that_never_ends() {
    let wasm = stuck();
    let (output, _) = runner_bounded(&["--timeout", "0.5", &wasm, "cpu-kernel"], STARTUP);
    assert!(text(&output.stdout).contains("reached cpu-kernel"), "{}", transcript(&output));
    assert_eq!(output.status.code(), Some(124), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("wasi-webgpu-run: guest timed out after 500ms (running its own code"), "{stderr}");
    let run_time = common::number_after(stderr.lines().last().unwrap_or_default(), "exit status 124 in");
    assert!(run_time < 1.5, "stopped {run_time} s into a 0.5 s timeout:\n{stderr}");
}

/// GPU work of 65,535³ steps (days on lavapipe) and a `map-async` that waits
/// for it inside the host: the process ends one grace period after the
/// deadline while the GPU is still busy.
#[test]
fn timeout_ends_the_process_while_the_gpu_is_stuck() {
    let wasm = stuck();
    let (output, elapsed) = runner_bounded(
        &["-q", "--timeout", "3", &wasm, "gpu", "65535", "65535", "65535"],
        STARTUP + Duration::from_secs(4),
    );
    assert_eq!(text(&output.stdout), "reached gpu\n", "{}", transcript(&output));
    let line =
        one_runner_line(&output, 124, "wasi-webgpu-run: guest timed out after 3s and was still inside a host call");
    assert!(line.contains("the call was left running"), "{line}");
    assert!(elapsed < STARTUP + Duration::from_secs(4), "{elapsed:?}");
}

#[test]
fn a_host_function_panic_is_one_line_naming_the_function() {
    let wasm = stuck();
    let (output, _) = runner_bounded(&["-q", &wasm, "host-panic"], STARTUP);
    let line =
        one_runner_line(&output, 101, "wasi-webgpu-run: host function gpu-queue.label panicked: not yet implemented (");
    assert!(line.contains("wasi-webgpu-wasmtime-0.5.0/src/"), "where it panicked: {line}");
    // Nothing from Rust's panic hook (`thread '…' panicked at`, the
    // RUST_BACKTRACE note).
    let (_, others) = runner_lines(&output);
    assert!(others.is_empty(), "{}", transcript(&output));
    assert_eq!(text(&output.stdout), "reached host-panic\n");
}

#[test]
fn traps_are_one_line_saying_what_happened() {
    let wasm = stuck();
    let (output, _) = runner_bounded(&["-q", &wasm, "trap"], STARTUP);
    one_runner_line(&output, 101, "wasi-webgpu-run: guest trapped: wasm trap: wasm `unreachable` instruction executed");

    let (output, _) = runner_bounded(&["-q", &wasm, "oom"], STARTUP);
    let line = one_runner_line(&output, 101, "wasi-webgpu-run: guest trapped: wasm trap: wasm `unreachable`");
    // A wasm32 memory holds at most 4096 MiB.
    assert!(line.contains("(the guest had run out of memory: growing its memory to 4"), "{line}");
    assert!(line.ends_with(" MiB was refused)"), "{line}");
    // Rust's own message, from the guest.
    assert!(text(&output.stderr).contains("memory allocation of 1073741824 bytes failed"), "{}", transcript(&output));

    let (output, _) = runner_bounded(&["-q", &wasm, "big-call", "129"], STARTUP);
    let line = one_runner_line(&output, 101, "wasi-webgpu-run: guest trapped: too much data is being copied");
    assert!(line.ends_with("(one call copied more than wasmtime's 128 MiB per-call limit)"), "{line}");
}

/// Nesting that overflowed naga's recursion on a 2 MiB stack (issue 13):
/// the guest thread's larger stack makes it an ordinary run.
#[test]
fn deeply_nested_wgsl_does_not_crash_the_host() {
    let wasm = stuck();
    for (nesting, depth) in [("parens", "1000"), ("sum", "5000"), ("unary", "5000")] {
        let (output, _) = runner_bounded(&["-q", &wasm, "wgsl", nesting, depth], STARTUP);
        assert_eq!(output.status.code(), Some(0), "{nesting} {depth}: {}", transcript(&output));
        let stdout = text(&output.stdout);
        assert!(stdout.contains("shader accepted") || stdout.contains("shader refused"), "{stdout}");
    }
}
