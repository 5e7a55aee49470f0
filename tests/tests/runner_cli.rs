//! The `wasi-webgpu-run` binary's options: choosing the GPU (`--list-adapters`,
//! `--backend`, `--adapter`), giving the guest directories and environment
//! variables (`--dir`, `-e`), `--timeout`, the exit summary, `-q`, and logging
//! through `RUST_LOG`.
//!
//! The choice of GPU is checked with wgpu's noop backend, which every runner
//! build has: it creates and maps buffers but runs no GPU work, so
//! hello-compute's numbers come back unchanged instead of as step counts.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use wasi_webgpu_host::{BuildOptions, build_guest_with};

fn runner(args: &[&str]) -> Output {
    runner_with(args, |_| {})
}

fn runner_with(args: &[&str], setup: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run"));
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

/// The runner's probe guest (`tests/src/testdata/probe-guest`), built where
/// the unit tests build it.
fn probe() -> String {
    static PROBE: OnceLock<PathBuf> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let opts = BuildOptions {
                target_dir: Some(common::root().join("target/wasi-webgpu-guests")),
                quiet: true,
                ..BuildOptions::default()
            };
            build_guest_with(&common::root().join("tests/src/testdata/probe-guest"), &opts)
                .unwrap_or_else(|e| panic!("building the probe guest: {e:#}"))
        })
        .to_string_lossy()
        .into_owned()
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
    let output = runner(&["--dir", &preopen, "-e", "GREETING=hello", "--env", "EMPTY=", &probe(), "fs", "/data"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(r#"args: ["probe_guest", "fs", "/data"]"#), "{stdout}");
    assert!(stdout.contains(r#"env: [("GREETING", "hello"), ("EMPTY", "")]"#), "{stdout}");
    assert!(stdout.contains("in.txt: from the host"), "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.path().join("out.txt")).unwrap(), "written by the guest");

    // `--dir HOST` alone mounts it under its own path.
    let host = dir.path().to_string_lossy().into_owned();
    let output = runner(&["--dir", &host, &probe(), "fs", &host]);
    assert!(text(&output.stdout).contains("in.txt: from the host"), "{}", transcript(&output));

    // Without `--dir`, the guest sees no files.
    let output = runner(&[&probe(), "fs", "/data"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(text(&output.stdout).contains("read failed"), "{}", transcript(&output));
}

#[test]
fn timeout_stops_the_guest_with_124() {
    let output = runner(&["--timeout", "0.3", &probe(), "hang"]);
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

    let output = runner(&[&probe(), "err"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.lines().last().unwrap_or_default().starts_with("wasi-webgpu-run: guest exited with 1 in "));

    let output = runner(&[&probe(), "panic"]);
    let stderr = text(&output.stderr);
    assert!(stderr.lines().last().unwrap_or_default().starts_with("wasi-webgpu-run: guest trapped, exit status 101 "));
}

#[test]
fn quiet_leaves_only_the_guests_output() {
    let output = runner(&["-q", &probe(), "err"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert_eq!(text(&output.stderr), "probe: stderr line\n", "{}", transcript(&output));
}

#[test]
fn rust_log_turns_on_the_runners_logging() {
    let wasm = probe();
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
