//! The check runner the test guests share. A guest lists its checks with
//! [`checks!`] and hands them to [`run_checks`], which gives each check a
//! device of its own (so one check's leftovers cannot hide or cause another's
//! failure) and prints `check <name> ... ok` or `check <name> ... FAILED:
//! <why>`, then `<suite>: P passed, F failed of L listed`. The integration
//! tests read those lines; L lets them tell a skipped check from a passed
//! one. [`same`], [`close`] and [`Rng`] are what checks compare
//! results and make inputs with.

mod compare;

use std::future::Future;
use std::pin::Pin;

use wasi_webgpu::{Adapter, Device, Queue};

pub use compare::{Rng, close, same};

/// What a check gets.
pub struct Gpu {
    /// The adapter the device came from.
    pub adapter: Adapter,
    /// A device of the check's own, with default features and limits.
    pub device: Device,
    /// Its queue.
    pub queue: Queue,
}

/// A check's result: `Err` says why it failed.
pub type Outcome = Result<(), String>;

/// A check, as [`checks!`] lists it.
pub type Check = for<'a> fn(&'a Gpu) -> Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// Declares `pub const CHECKS: &[(&str, Check)]` from async check functions
/// taking `&Gpu`.
#[macro_export]
macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        pub const CHECKS: &[(&str, $crate::Check)] = &[$((stringify!($name), |gpu| Box::pin($name(gpu)))),*];
    };
}

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
    /// `Err(e)` becomes `Err("{what}: {e}")`.
    fn at(self, what: &str) -> Result<T, String>;
}

impl<T> Context<T> for wasi_webgpu::Result<T> {
    fn at(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

/// A fresh device on the default adapter.
pub async fn gpu() -> wasi_webgpu::Result<Gpu> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    Ok(Gpu { adapter, device, queue })
}

/// A fresh device on the in-guest CPU adapter
/// ([`Instance::cpu_adapter`](wasi_webgpu::Instance::cpu_adapter)).
pub async fn cpu() -> wasi_webgpu::Result<Gpu> {
    let adapter = wasi_webgpu::Instance::new().cpu_adapter();
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    Ok(Gpu { adapter, device, queue })
}

/// Runs the checks whose names contain one of `filters` (all when there are
/// none) and fails when any check failed.
pub async fn run_checks(suite: &str, checks: &[(&str, Check)], filters: &[String]) -> Result<(), String> {
    let runs: Vec<(String, Check, bool)> =
        checks.iter().map(|&(name, check)| (name.to_owned(), check, false)).collect();
    run_listed(suite, &runs, filters).await
}

/// Runs every check twice, on a GPU device as `name` and on a fresh
/// [CPU device](cpu) as `name on cpu` (so filters can pick either), and
/// fails when any run failed. A check tells the devices apart with
/// `gpu.device.is_cpu()`.
pub async fn run_checks_on_gpu_and_cpu(
    suite: &str,
    checks: &[(&str, Check)],
    filters: &[String],
) -> Result<(), String> {
    let gpu = checks.iter().map(|&(name, check)| (name.to_owned(), check, false));
    let cpu = checks.iter().map(|&(name, check)| (format!("{name} on cpu"), check, true));
    let runs: Vec<(String, Check, bool)> = gpu.chain(cpu).collect();
    run_listed(suite, &runs, filters).await
}

/// Runs `(name, check, on the CPU device)` entries; see [`run_checks`].
async fn run_listed(suite: &str, checks: &[(String, Check, bool)], filters: &[String]) -> Result<(), String> {
    let (mut passed, mut failed) = (0, 0);
    for (name, check, on_cpu) in checks {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let device = if *on_cpu { cpu().await } else { gpu().await };
        let outcome = match device {
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
    println!("{suite}: {passed} passed, {failed} failed of {} listed", checks.len());
    if failed == 0 { Ok(()) } else { Err(format!("{failed} checks failed")) }
}
