//! `wasi-webgpu-run`, the command line for wasi:webgpu components, as a
//! library: building guest crates for `wasm32-wasip2` ([`build_guest`]),
//! creating them ([`new_guest`]) and the CLI itself ([`cli::main`]). Running
//! components is [`wasi_webgpu_host`]'s job.
//!
//! ```sh
//! cargo install wasi-webgpu-run
//! wasi-webgpu-run new demo && wasi-webgpu-run demo
//! ```

#![warn(missing_docs)]

pub mod cli;
mod scaffold;
mod serve;
mod toolchain;

pub use scaffold::{SdkSource, Template, new_guest};
pub use toolchain::{BuildOptions, GUEST_TARGET, GUEST_TARGET_DIR_ENV, Toolchain, build_guest, build_guest_with};
