//! Runs the render guest (`tests/guests/render`) on the reference host:
//! render pipelines, offscreen render passes (vertex and index buffers,
//! instancing, blending, depth, stencil, MSAA resolve, viewport and scissor,
//! indirect draws, strips), bundles, occlusion and timestamp queries, and bad
//! inputs. Every image is compared pixel by pixel with a CPU rasterizer in
//! the guest (within 1/255 per channel, 2/255 for interpolated or resolved
//! colors), and query results with CPU counts.

mod common;

use std::time::Duration;

use wasi_webgpu_host::RunOptions;

#[test]
fn every_render_check_matches_the_cpu_rasterizer() {
    let outcome = common::run_with("tests/guests/render", &RunOptions::captured().timeout(Duration::from_secs(300)));
    common::assert_checks_passed(&outcome, "render", 16);
    // Durations measured (lavapipe has timestamp-query), or the typed errors
    // checked on an adapter without it.
    let stdout = outcome.stdout_lossy();
    assert!(
        stdout.contains("timestamps: render pass ") || stdout.contains("the adapter has no timestamp-query"),
        "{}",
        common::transcript(&outcome)
    );
}
