//! Exercises the SDK's whole public API on a real device and compares every
//! GPU result with the same computation on the CPU. Each check prints
//! `check <name> ... ok` or `... FAILED: <why>`; the component fails if any
//! check fails. The integration test `api` runs it and reads that output.

mod buffers;
mod compute;
mod device;

use std::future::Future;
use std::pin::Pin;

use wasi_webgpu::{Adapter, Device, Queue};

/// What a check gets: a device of its own, so one check's leftovers cannot
/// hide or cause another's failure.
pub struct Gpu {
    pub adapter: Adapter,
    pub device: Device,
    pub queue: Queue,
}

pub type Outcome = Result<(), String>;
type Check = for<'a> fn(&'a Gpu) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// Fails the check with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Fails the check unless `result` is an `Err` matching `pattern`.
#[macro_export]
macro_rules! expect_err {
    ($result:expr, $pattern:pat) => {
        match $result {
            Err($pattern) => {}
            Err(other) => return Err(format!("{}: wrong error: {other:?}", stringify!($result))),
            Ok(_) => return Err(format!("{}: succeeded, expected {}", stringify!($result), stringify!($pattern))),
        }
    };
}

/// Turns an SDK error into a check failure that names the call.
pub trait Context<T> {
    fn at(self, what: &str) -> Result<T, String>;
}

impl<T> Context<T> for Result<T, wasi_webgpu::Error> {
    fn at(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

async fn gpu() -> Result<Gpu, wasi_webgpu::Error> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    Ok(Gpu { adapter, device, queue })
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    // Arguments select checks by substring; none runs them all. Two more
    // let the runner's tests see how a failing guest ends.
    let filters: Vec<String> = std::env::args().skip(1).collect();
    match filters.first().map(String::as_str) {
        Some("--return-err") => return Err("failure requested by --return-err".into()),
        Some("--panic") => panic!("panic requested by --panic"),
        _ => {}
    }
    let checks: Vec<(&str, Check)> = [device::CHECKS, buffers::CHECKS, compute::CHECKS].concat();
    let (mut passed, mut failed) = (0, 0);
    for (name, check) in checks {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let outcome = match gpu().await {
            Ok(gpu) => check(&gpu).await,
            Err(e) => Err(format!("no device: {e}")),
        };
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("check {name} ... ok");
            }
            Err(why) => {
                failed += 1;
                println!("check {name} ... FAILED: {why}");
            }
        }
    }
    println!("api: {passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err(format!("{failed} checks failed")) }
}

/// Lists check functions as `(name, Check)` pairs.
#[macro_export]
macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        pub const CHECKS: &[(&str, $crate::CheckFn)] = &[
            $((stringify!($name), |gpu| Box::pin($name(gpu)))),*
        ];
    };
}

pub type CheckFn = Check;
