//! Exercises the SDK's whole public API on a real device and compares every
//! GPU result with the same computation on the CPU. Each check prints
//! `check <name> ... ok` or `... FAILED: <why>`; the component fails if any
//! check fails. The integration test `api` runs it and reads that output.

mod buffers;
mod compute;
mod device;

pub use guest_harness::{Context, Gpu, Outcome, checks, ensure, expect_err};

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    // Arguments select checks by substring; none runs them all. Two more
    // let the runner's tests see how a failing guest ends.
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--return-err") => return Err("failure requested by --return-err".into()),
        Some("--panic") => panic!("panic requested by --panic"),
        _ => {}
    }
    let checks = [device::CHECKS, buffers::CHECKS, compute::CHECKS].concat();
    guest_harness::run_checks("api", &checks, &args).await
}
