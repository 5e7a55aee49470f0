//! Host side of `wasi-webgpu`: builds guest crates and runs guest components.
//!
//! Guests are WASI 0.3 command components (`wasi:cli/run@0.3.0`, exported by
//! the SDK's `#[wasi_webgpu::main]`) that import `wasi:webgpu/webgpu@0.3.0-rc.2`.
//! This crate embeds wasmtime, `wasmtime-wasi` and `wasi-webgpu-wasmtime` to run
//! them, backed by one `wgpu-core` [`Global`](wgpu_core::global::Global).
//!
//! It is used two ways:
//!
//! * the `wasi-webgpu-run` binary, for people running guests by hand:
//!   `wasi-webgpu-run <component.wasm | guest crate dir> [-- args]`, and
//!   starting them: `wasi-webgpu-run new <dir>` (see [`new_guest`]);
//! * as a library from integration tests, which build a guest crate and check
//!   its exit status and captured output:
//!
//! ```no_run
//! use wasi_webgpu_host::{RunOptions, Runner};
//!
//! # fn main() -> anyhow::Result<()> {
//! let runner = Runner::new()?;
//! let outcome = runner.run_crate(
//!     "tests/guests/api".as_ref(),
//!     &RunOptions::captured().arg("--quick"),
//! )?;
//! assert!(outcome.success(), "{}", outcome.stderr_lossy());
//! assert!(outcome.stdout_lossy().contains("ok"));
//! # Ok(())
//! # }
//! ```
//!
//! A [`Runner`] is `Send + Sync` and meant to be shared (for example in a
//! `static LazyLock`): it owns the GPU instance, whose creation is slow, and
//! every run gets a fresh wasmtime `Store`.

#![warn(missing_docs)]

mod adapter;
mod cache;
mod guest_thread;
mod host_fixes;
mod host_panic;
mod report;
mod runtime;
mod scaffold;
mod toolchain;

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
pub use scaffold::{SdkSource, Template, new_guest};
pub use toolchain::{BuildOptions, GUEST_TARGET, GUEST_TARGET_DIR_ENV, Toolchain, build_guest, build_guest_with};

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
