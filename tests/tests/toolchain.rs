//! The Debian route: Debian's rustc-web building std with `-Zbuild-std`,
//! which machines without rustup's wasm32-wasip2 std use. Wherever rustup
//! has the std the runner prefers it, so this test forces the other route.

mod common;

use wasi_webgpu_host::RunOptions;
use wasi_webgpu_run::{BuildOptions, Toolchain, build_guest_with};

#[test]
fn the_debian_build_std_route_builds_a_working_guest() {
    let toolchain = match Toolchain::debian() {
        Ok(toolchain) => toolchain,
        // CI installs the route's packages, so it always runs there.
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: {e:#}; tests/setup.sh installs it where rustup cannot");
            return;
        }
        Err(e) => panic!("CI must test the Debian route: {e:#}"),
    };
    // Apart from the guests the active toolchain builds, so neither route's
    // outputs overwrite the other's.
    let target_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("guests-build-std");
    let options = BuildOptions { target_dir: Some(target_dir), toolchain: Some(toolchain), quiet: false };
    let wasm = build_guest_with(&common::root().join("examples/hello-compute"), &options)
        .unwrap_or_else(|e| panic!("build-std route: {e:#}"));
    let outcome = common::runner().run(&wasm, &RunOptions::captured()).expect("the guest runs");
    assert_eq!(outcome.stdout_lossy(), common::hello_compute_expected(), "{}", common::transcript(&outcome));
}
