//! Runs the render guest (`tests/guests/render`) on the reference host:
//! render pipelines, offscreen render passes (vertex and index buffers,
//! instancing, blending, depth, stencil, MSAA resolve, viewport and scissor,
//! indirect draws, strips), bundles, occlusion and timestamp queries, and bad
//! inputs. Every image is compared pixel by pixel with a CPU rasterizer in
//! the guest (within 1/255 per channel, 2/255 for interpolated or resolved
//! colors), and query results with CPU counts.

mod common;

use std::time::Duration;

use wasi_webgpu_host::{GuestStatus, RunOptions};

#[test]
fn every_render_check_matches_the_cpu_rasterizer() {
    let wasm = common::guest("tests/guests/render");
    let options = RunOptions::captured().timeout(Duration::from_secs(300));
    let outcome = common::runner().run(&wasm, &options).expect("the render guest runs");
    let transcript = common::transcript(&outcome);
    assert!(
        !matches!(outcome.status, GuestStatus::Trapped(_) | GuestStatus::HostPanicked(_) | GuestStatus::TimedOut(_)),
        "the guest trapped or hung:\n{transcript}"
    );
    let stdout = outcome.stdout_lossy();
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("check ")).collect();
    let failed: Vec<&&str> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    // A guest that stopped early, or lost checks, must not pass.
    assert!(checks.len() >= 16, "only {} checks ran\n{transcript}", checks.len());
    assert!(stdout.contains(&format!("render: {} passed, 0 failed", checks.len())), "{transcript}");
    // Durations measured (lavapipe has timestamp-query), or the typed errors
    // checked on an adapter without it.
    assert!(
        stdout.contains("timestamps: render pass ") || stdout.contains("the adapter has no timestamp-query"),
        "{transcript}"
    );
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}
