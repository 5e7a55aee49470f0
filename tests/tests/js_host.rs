//! Cross-host conformance (issue 19): each guest runs on the reference host
//! (wasmtime + wgpu) and on a JavaScript host (`tests/js/run.mjs`: jco +
//! the wasi:webgpu shim in `tests/js/webgpu.js` + Dawn in Node.js; or
//! `tests/js/browser.mjs`: the same shim in headless Chromium), and the two
//! must print the same stdout and exit with the same status. Timings are
//! masked; PNGs are compared pixel by pixel within a driver tolerance. Where
//! the hosts differ, `tests/js/README.md` has the table.
//!
//! Skipped, loudly, only where `node` (or, for the browser, Chromium) is not
//! installed; a missing `tests/js/node_modules` is a failure that names
//! `tests/setup.sh`.

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

/// The JavaScript host a test compares with the reference host.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JsHost {
    /// Dawn in Node.js (`run.mjs`).
    Node,
    /// Headless Chromium (`browser.mjs`), WebGPU on its SwiftShader.
    Chromium,
}

impl JsHost {
    fn script(self) -> &'static str {
        match self {
            Self::Node => "run.mjs",
            Self::Chromium => "browser.mjs",
        }
    }
}

/// Runs the guest crate `crate_dir` with `args` under the reference host and
/// Node.js, each in an empty directory of its own preopened as `.` when
/// `with_dir`, and returns both runs and the directories (for the files the
/// guests wrote).
fn both(crate_dir: &str, args: &[&str], with_dir: bool) -> (Run, Run, [tempfile::TempDir; 2]) {
    both_on(JsHost::Node, crate_dir, args, with_dir)
}

/// [`both`] with `js` as the JavaScript host; a page in Chromium has no
/// directories to preopen.
fn both_on(js: JsHost, crate_dir: &str, args: &[&str], with_dir: bool) -> (Run, Run, [tempfile::TempDir; 2]) {
    assert!(!(with_dir && js == JsHost::Chromium), "the browser host preopens no directories");
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
    node.arg(js_dir().join(js.script())).args(["--timeout", &TIMEOUT.as_secs().to_string()]);
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
    assert_same_on(JsHost::Node, crate_dir, args)
}

fn assert_same_on(host: JsHost, crate_dir: &str, args: &[&str]) -> (Run, Run) {
    let (reference, js, _dirs) = both_on(host, crate_dir, args, false);
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

/// The ops crate's kernels on Dawn. Tint (Dawn's WGSL compiler) rejected
/// the ops crate's `bitcast<f32>(0xff800000u)` (WGSL makes a constant
/// expression that evaluates to an infinity a shader-creation error, which
/// naga does not check); the kernels now read -inf's bits from a private
/// variable.
#[test]
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
    assert_same_checks_on(JsHost::Node, crate_dir, compat, &[]);
}

/// [`assert_same_checks`] on `host`, where the checks `excused` names may
/// also fail with the given text, whatever the adapter.
fn assert_same_checks_on(host: JsHost, crate_dir: &str, compat: &[(&str, &str)], excused: &[(&str, &str)]) {
    let (reference, js, _dirs) = both_on(host, crate_dir, &[], false);
    let transcript = transcript(&reference, &js);
    let compat = if js.stderr.contains(", compatibility)") { compat } else { &[] };
    let allowed: Vec<&(&str, &str)> = compat.iter().chain(excused).collect();
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
        // Chromium's SwiftShader has other optional features than lavapipe
        // (no ETC2), which the textures guest notes outside its checks.
        if host == JsHost::Node {
            assert_eq!(js.stdout, reference.stdout, "stdout differs:\n{transcript}");
        }
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

/// What the browser does differently, with the words the check fails with
/// there (tests/js/README.md, rows 2 and 16): Chromium's `mapAsync` often
/// answers before the shim's timer, so the misuse guest's checks of a map
/// still pending find it done; SwiftShader allocates a texture only when it
/// is first used, so a 256 GiB one is created without an out-of-memory error.
const CHROMIUM: &[(&str, &str)] = &[
    ("textures_the_host_cannot_allocate", "a 256 GiB texture was created"),
    ("destroy_while_a_map_is_pending", "succeeded, expected Error::Destroyed"),
    ("unmap_while_a_map_is_pending", "not a pending map"),
    ("dropped_map_and_read_futures_leave_buffers_usable", "map_async finished at its first poll"),
];

/// The browser route: guests in headless Chromium (`tests/js/browser.mjs`,
/// WebGPU on Chromium's SwiftShader, from a page served on localhost) give
/// the same stdout and exit status as on the reference host, and the check
/// guests the same checks but for [`CHROMIUM`]'s. Chromium's
/// `popErrorScope` answers after the guest's first poll (a round trip to
/// its GPU process), so objects come back with their creation verdict
/// pending, which synchronous calls let go ahead (`sdk/src/verdict.rs`).
#[test]
fn guests_are_the_same_in_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !node_present("guests_are_the_same_in_chromium") {
        return;
    }
    if !chromium.exists() {
        eprintln!(
            "\n\n*** SKIPPED: {} is not installed (tests/setup.sh installs Debian's chromium) ***\n",
            chromium.display()
        );
        return;
    }
    let (reference, _) = assert_same_on(JsHost::Chromium, "examples/hello-compute", &[]);
    assert_eq!(reference.stdout, common::hello_compute_expected());
    assert_same_on(JsHost::Chromium, "examples/saxpy", &[]);
    assert_same_on(JsHost::Chromium, "examples/matmul", &["128", "256", "--runs", "1"]);
    assert_same_on(JsHost::Chromium, "examples/reduce-scan", &["100000"]);
    assert_same_checks_on(JsHost::Chromium, "tests/guests/api", &[], &[]);
    assert_same_checks_on(JsHost::Chromium, "tests/guests/textures", &[], &[]);
    assert_same_checks_on(JsHost::Chromium, "tests/guests/misuse", &[], CHROMIUM);
}
