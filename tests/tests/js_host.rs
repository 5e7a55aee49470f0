//! Cross-host conformance (issue 19): each guest runs on the reference host
//! (wasmtime + wgpu) and on the JavaScript host (`tests/js/run.mjs`: jco +
//! the wasi:webgpu shim in `tests/js/webgpu.js` + Dawn in Node.js), and the
//! two must print the same stdout and exit with the same status. Timings are
//! masked; PNGs are compared pixel by pixel within a driver tolerance. Where
//! Dawn and wgpu differ, `tests/js/README.md` has the table.
//!
//! Skipped, loudly, only where `node` is not installed; a missing
//! `tests/js/node_modules` is a failure that names `tests/setup.sh`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use wasi_webgpu_host::{RunOptions, RunOutcome};

/// How long either host may run one guest.
const TIMEOUT: Duration = Duration::from_secs(300);

/// What one host printed and how it ended.
struct Run {
    exit_code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn reference(outcome: &RunOutcome) -> Self {
        Self { exit_code: outcome.exit_code, stdout: outcome.stdout_lossy(), stderr: outcome.stderr_lossy() }
    }

    fn of_process(output: &Output) -> Self {
        Self {
            exit_code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

fn js_dir() -> PathBuf {
    common::root().join("tests/js")
}

/// Whether Node.js is installed; prints why the test is skipped if not.
fn node_present(test: &str) -> bool {
    let found = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!(
            "\n\n*** SKIPPED {test}: `node` is not on PATH, so the JavaScript host cannot run. \
             Install Node.js (Debian: `apt-get install nodejs npm`) and run tests/setup.sh. ***\n"
        );
    }
    found
}

/// Runs the guest crate `crate_dir` with `args` under both hosts, each in an
/// empty directory of its own preopened as `.` when `with_dir`, and returns
/// both runs and the directories (for the files the guests wrote).
fn both(crate_dir: &str, args: &[&str], with_dir: bool) -> (Run, Run, [tempfile::TempDir; 2]) {
    assert!(
        js_dir().join("node_modules").is_dir(),
        "tests/js/node_modules is missing: run tests/setup.sh (it runs `npm ci` in tests/js)"
    );
    let wasm = common::guest(crate_dir);
    let dirs = [tempfile::tempdir().expect("a temp dir"), tempfile::tempdir().expect("a temp dir")];

    let mut options = RunOptions::captured().args(args.iter().copied()).timeout(TIMEOUT);
    if with_dir {
        options = options.dir(dirs[0].path(), ".");
    }
    let reference = Run::reference(&common::run_with(crate_dir, &options));

    let mut node = Command::new("node");
    node.arg(js_dir().join("run.mjs")).args(["--timeout", &TIMEOUT.as_secs().to_string()]);
    if with_dir {
        node.arg("--dir").arg(format!("{}::.", dirs[1].path().display()));
    }
    let output = node.arg(&wasm).arg("--").args(args).current_dir(dirs[1].path()).output().expect("node starts");
    (reference, Run::of_process(&output), dirs)
}

fn transcript(reference: &Run, js: &Run) -> String {
    format!(
        "--- reference host: exit {}\n{}--- stderr\n{}\n--- JavaScript host: exit {}\n{}--- stderr\n{}",
        reference.exit_code, reference.stdout, reference.stderr, js.exit_code, js.stdout, js.stderr
    )
}

/// `line` with every number that a timing unit follows replaced by `#`: the
/// hosts' speeds differ, their results may not.
fn mask_timings(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let timed = |next: Option<&&str>| next.is_some_and(|w| ["GFLOPS", "GB/s", "ms", "ms)", "ms);", "s"].contains(w));
    words
        .iter()
        .enumerate()
        .map(|(i, w)| if w.parse::<f64>().is_ok() && timed(words.get(i + 1)) { "#" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

fn masked(stdout: &str) -> Vec<String> {
    stdout.lines().map(mask_timings).collect()
}

/// Asserts both hosts exited alike and printed the same (masked) lines.
fn assert_same(crate_dir: &str, args: &[&str]) -> (Run, Run) {
    let (reference, js, _dirs) = both(crate_dir, args, false);
    let transcript = transcript(&reference, &js);
    assert_eq!(reference.exit_code, 0, "the reference host failed:\n{transcript}");
    assert_eq!(js.exit_code, reference.exit_code, "exit codes differ:\n{transcript}");
    assert_eq!(masked(&js.stdout), masked(&reference.stdout), "stdout differs:\n{transcript}");
    (reference, js)
}

#[test]
fn hello_compute_is_the_same_on_both_hosts() {
    if !node_present("hello_compute_is_the_same_on_both_hosts") {
        return;
    }
    let (reference, _) = assert_same("examples/hello-compute", &[]);
    assert_eq!(reference.stdout, common::hello_compute_expected());
}

#[test]
fn saxpy_is_the_same_on_both_hosts() {
    if node_present("saxpy_is_the_same_on_both_hosts") {
        assert_same("examples/saxpy", &[]);
    }
}

#[test]
fn matmul_is_the_same_on_both_hosts() {
    if node_present("matmul_is_the_same_on_both_hosts") {
        let (reference, _) = assert_same("examples/matmul", &["128", "256", "--runs", "1"]);
        assert!(reference.stdout.contains("all results match the CPU"), "{}", reference.stdout);
    }
}

/// Tint (Dawn's WGSL compiler) rejects `bitcast<f32>(0xff800000u)` in
/// `sdk/ops/src/wgsl/reduce.wgsl` (and rows, attention): WGSL makes a
/// constant expression that evaluates to an infinity a shader-creation
/// error, which naga does not check. The guest then prints the validation
/// error and exits with 1 on Dawn. Run it with `--ignored` once `sdk/ops`
/// builds its -inf at run time (tests/js/README.md, "Differences").
#[test]
#[ignore = "sdk/ops's WGSL has a constant -inf, which Dawn rejects (tests/js/README.md)"]
fn reduce_scan_is_the_same_on_both_hosts() {
    if node_present("reduce_scan_is_the_same_on_both_hosts") {
        let (reference, _) = assert_same("examples/reduce-scan", &["100000"]);
        assert!(reference.stdout.contains("all results match the CPU"), "{}", reference.stdout);
    }
}

/// Pixels of `a` and `b` (PNGs of the same size and layout) further apart
/// than `tolerance` in any channel, as a fraction of all pixels.
fn differing_pixels(a: &Path, b: &Path, tolerance: u8) -> f64 {
    let (a, b) = (common::decode_png(a), common::decode_png(b));
    assert_eq!((a.width, a.height, a.color_type), (b.width, b.height, b.color_type), "PNG headers differ");
    let channels = a.pixels.len() / (a.width as usize * a.height as usize);
    let far = a
        .pixels
        .chunks_exact(channels)
        .zip(b.pixels.chunks_exact(channels))
        .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > tolerance))
        .count();
    far as f64 / (a.width as f64 * a.height as f64)
}

/// Runs an image-writing guest on both hosts; the same stdout, and each
/// PNG in `files` with at most `max_fraction` of its pixels more than
/// `tolerance` apart.
fn assert_same_images(crate_dir: &str, files: &[&str], tolerance: u8, max_fraction: f64) {
    let (reference, js, dirs) = both(crate_dir, &[], true);
    let transcript = transcript(&reference, &js);
    assert_eq!(reference.exit_code, 0, "the reference host failed:\n{transcript}");
    assert_eq!(js.exit_code, reference.exit_code, "exit codes differ:\n{transcript}");
    assert_eq!(js.stdout, reference.stdout, "stdout differs:\n{transcript}");
    for file in files {
        let fraction = differing_pixels(&dirs[0].path().join(file), &dirs[1].path().join(file), tolerance);
        assert!(
            fraction <= max_fraction,
            "{file}: {:.3}% of pixels differ by more than {tolerance} (at most {:.3}% may)\n{transcript}",
            fraction * 100.0,
            max_fraction * 100.0
        );
    }
}

/// The blur and Sobel filters sum in each driver's order and round the
/// 8-bit store near .5 either way: every channel within 1, as
/// tests/image_filter.rs allows against its CPU reference.
#[test]
fn image_filter_is_the_same_on_both_hosts() {
    if node_present("image_filter_is_the_same_on_both_hosts") {
        assert_same_images("examples/image-filter", &["blur.png", "edges.png"], 1, 0.0);
    }
}

/// Rasterizers may place a multisampled edge's coverage differently: edge
/// pixels may differ, by no more than 1 in 200 of all pixels.
#[test]
fn plot_is_the_same_on_both_hosts() {
    if node_present("plot_is_the_same_on_both_hosts") {
        assert_same_images("examples/plot", &["scatter.png", "line.png"], 2, 0.005);
    }
}

/// Runs a check-harness guest on both hosts and compares check by check:
/// every line the same, except, where the JavaScript host's adapter is in
/// compatibility mode, the checks `compat` names, which may fail there with
/// a message containing the given text. Both must list the same checks.
fn assert_same_checks(crate_dir: &str, compat: &[(&str, &str)]) {
    let (reference, js, _dirs) = both(crate_dir, &[], false);
    let transcript = transcript(&reference, &js);
    let allowed = if js.stderr.contains(", compatibility)") { compat } else { &[] };
    assert_eq!(reference.exit_code, 0, "the reference host failed:\n{transcript}");
    let checks = |stdout: &str| -> Vec<String> {
        stdout.lines().filter(|l| l.starts_with("check ")).map(str::to_owned).collect()
    };
    let (want, got) = (checks(&reference.stdout), checks(&js.stdout));
    assert_eq!(want.len(), got.len(), "the hosts ran different numbers of checks:\n{transcript}");
    let mut excused = 0;
    for (want, got) in want.iter().zip(&got) {
        if want == got {
            continue;
        }
        let excuse =
            allowed.iter().find(|(name, why)| want.starts_with(&format!("check {name} ...")) && got.contains(why));
        assert!(excuse.is_some(), "check differs:\n  reference: {want}\n  JS host:   {got}\n{transcript}");
        excused += 1;
    }
    if excused == 0 {
        assert_eq!(js.exit_code, reference.exit_code, "exit codes differ:\n{transcript}");
        assert_eq!(js.stdout, reference.stdout, "stdout differs:\n{transcript}");
    }
}

#[test]
fn api_checks_are_the_same_on_both_hosts() {
    if node_present("api_checks_are_the_same_on_both_hosts") {
        assert_same_checks("tests/guests/api", &[]);
    }
}

#[test]
fn misuse_checks_are_the_same_on_both_hosts() {
    if node_present("misuse_checks_are_the_same_on_both_hosts") {
        assert_same_checks("tests/guests/misuse", &[]);
    }
}

/// What a compatibility-mode device refuses that a core one allows (Dawn
/// gives only compatibility mode on OpenGL, its one backend on llvmpipe
/// here), with the words Dawn says it in; and one Dawn OpenGL bug
/// (`r8snorm` reads back as zeros). tests/js/README.md lists them. On a core
/// adapter (Dawn on Vulkan, Metal, D3D12) nothing is excused.
const COMPATIBILITY_MODE: &[(&str, &str)] = &[
    ("every_format_round_trips", "r8snorm: byte 0 is 0"),
    ("getters_answer_from_the_guest", "in compatibility mode"),
    ("format_table_agrees_with_the_host", "does not support multisampling"),
    ("compressed_blocks_round_trip", "in compatibility mode"),
    ("sampled_texture_views", "is invalid due to a previous error"),
    ("comparison_sampler_on_depth", "in compatibility mode"),
];

#[test]
fn texture_checks_are_the_same_on_both_hosts() {
    if node_present("texture_checks_are_the_same_on_both_hosts") {
        assert_same_checks("tests/guests/textures", COMPATIBILITY_MODE);
    }
}

/// The browser route: hello-compute and saxpy in headless Chromium
/// (`tests/js/browser.mjs`, WebGPU on Chromium's SwiftShader), the same
/// stdout and exit status as the reference host. Chromium gives an adapter
/// here, but its `popErrorScope` answers after the guest's first poll (a
/// round trip to its GPU process), and the SDK's `create_buffer_init` then
/// fails with `Error::CreationPending` ("the host has not yet said whether
/// the buffer was created") instead of waiting: tests/js/README.md,
/// "Differences". Run with `--ignored` once the SDK waits.
#[test]
#[ignore = "the SDK's create_buffer_init needs pop-error-scope answered at once; Chromium answers later (tests/js/README.md)"]
fn hello_compute_and_saxpy_are_the_same_in_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !node_present("hello_compute_and_saxpy_are_the_same_in_chromium") {
        return;
    }
    if !chromium.exists() {
        eprintln!(
            "\n\n*** SKIPPED: {} is not installed (tests/setup.sh installs Debian's chromium) ***\n",
            chromium.display()
        );
        return;
    }
    for crate_dir in ["examples/hello-compute", "examples/saxpy"] {
        let reference = Run::reference(&common::run_with(crate_dir, &RunOptions::captured().timeout(TIMEOUT)));
        let output = Command::new("node")
            .arg(js_dir().join("browser.mjs"))
            .args(["--timeout", &TIMEOUT.as_secs().to_string()])
            .arg(common::guest(crate_dir))
            .output()
            .expect("node starts");
        let browser = Run::of_process(&output);
        let transcript = transcript(&reference, &browser);
        assert_eq!(reference.exit_code, 0, "the reference host failed:\n{transcript}");
        assert_eq!(browser.exit_code, 0, "{crate_dir} failed in Chromium:\n{transcript}");
        assert_eq!(browser.stdout, reference.stdout, "{crate_dir}: stdout differs:\n{transcript}");
    }
}
