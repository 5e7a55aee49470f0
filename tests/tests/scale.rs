//! Runs the scale guest (`tests/guests/scale`) on the reference host:
//! buffers of 256 MiB created, initialised, written and read back through
//! every data path and one of 1 GiB through the main ones, textures past 128 MiB written and read, every
//! byte checked against a CPU pattern, and reads too large for guest memory
//! answered with `Error::OutOfMemory`. Wasmtime 48 traps a guest whose one
//! call carries more than 128 MiB, so an SDK that does not split transfers
//! fails here with a trap.
//!
//! One test, so its checks run one after another: the 1 GiB check holds
//! about 3.3 GB of memory.

mod common;

use std::time::Duration;

use wasi_webgpu_host::RunOptions;

#[test]
fn buffers_and_textures_past_the_per_call_limit_round_trip() {
    let outcome = common::run_with("tests/guests/scale", &RunOptions::captured().timeout(Duration::from_secs(600)));
    common::assert_checks_passed(&outcome, "scale", 10);
}
