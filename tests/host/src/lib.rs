//! The reference host for wasi:webgpu components: wasmtime 48 with
//! `wasmtime-wasi` (WASI 0.3) and `wasi-webgpu-wasmtime`
//! (`wasi:webgpu/webgpu@0.3.0-rc.2`) on one `wgpu-core`
//! [`Global`](wgpu_core::global::Global), plus what guests need from a host
//! that those crates don't give yet:
//!
//! * `on-submitted-work-done` and `map-async` that wake (they wait on the
//!   device on the guest's thread; the upstream futures never wake under
//!   wasmtime 48);
//! * a host function that panics (the upstream crate has `todo!()`s) ends
//!   the run with [`GuestStatus::HostPanicked`] instead of the process;
//! * timeouts that also stop a guest stuck inside a host call, a choice of
//!   adapter and backends ([`AdapterChoice`]), and a compiled-component cache
//!   ([`ComponentCache`]) so a rerun starts at once.
//!
//! Guests are WASI 0.3 command components (`wasi:cli/run@0.3.0`, which the
//! SDK's `#[wasi_webgpu::main]` exports). To run one from your own program:
//!
//! ```no_run
//! use wasi_webgpu_host::{RunOptions, Runner};
//!
//! # fn main() -> anyhow::Result<()> {
//! let runner = Runner::new()?;
//! let outcome = runner.run("guest.wasm".as_ref(), &RunOptions::captured().arg("--quick"))?;
//! assert!(outcome.success(), "{}", outcome.stderr_lossy());
//! print!("{}", outcome.stdout_lossy());
//! # Ok(())
//! # }
//! ```
//!
//! A [`Runner`] is `Send + Sync` and meant to be shared (for example in a
//! `static LazyLock`): it owns the GPU instance, whose creation is slow, and
//! every run gets a fresh wasmtime `Store`. `RunOptions::default()` passes
//! the process's stdio to the guest instead of capturing it. The
//! `wasi-webgpu-run` crate is the command line over this one, and builds
//! guest crates.

#![warn(missing_docs)]

mod adapter;
mod cache;
mod guest_thread;
mod host_fixes;
mod host_panic;
mod report;
mod runtime;
pub mod serve;

#[cfg(test)]
mod tests;

pub use adapter::{
    AdapterChoice, BACKEND_NAMES, NO_ADAPTER_HELP, describe_adapter, ensure_xdg_runtime_dir, list_adapters,
    parse_backends,
};
pub use cache::{CACHE_DIR_ENV, ComponentCache, default_cache_dir};
pub use runtime::{
    GUEST_STACK_SIZE, GuestStatus, RunOptions, RunOutcome, Runner, RunnerConfig, TIMEOUT_EXIT_CODE, TIMEOUT_GRACE,
    TRAP_EXIT_CODE,
};
pub use serve::{ServeOptions, ServeStats, Server};

/// The `wgpu-core` and `wgpu-types` crates the runner is built against; the
/// same versions `wasi-webgpu-wasmtime` uses.
pub use wasi_webgpu_wasmtime::reexports::{wgpu_core, wgpu_types};

/// Prefix of every line the runner itself writes to stderr, so it can be told
/// apart from the guest's own output.
pub const LOG_PREFIX: &str = "wasi-webgpu-run";

/// `wasmtime::Error` does not implement `std::error::Error`, so anyhow's
/// `Context` cannot be applied to it directly.
pub(crate) trait WasmtimeResultExt<T> {
    fn anyhow(self) -> anyhow::Result<T>;
}

impl<T> WasmtimeResultExt<T> for wasmtime::Result<T> {
    fn anyhow(self) -> anyhow::Result<T> {
        self.map_err(anyhow::Error::from)
    }
}
