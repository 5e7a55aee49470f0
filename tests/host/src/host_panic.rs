//! One-line reports of panics in host functions.
//!
//! A panic in a host function (a `todo!()` or `unwrap()` of
//! `wasi-webgpu-wasmtime` that guest input reaches) unwinds through wasmtime
//! into the runner, which ends that run with [`GuestStatus::HostPanicked`].
//! Left alone, Rust's default panic hook would also print three lines of its
//! own (`thread '…' panicked at …`, the message, the `RUST_BACKTRACE` note)
//! without naming the host function. On guest threads the runner's hook
//! records the panic instead, and names the WIT function from the backtrace;
//! other threads keep the previous hook.
//!
//! [`GuestStatus::HostPanicked`]: crate::GuestStatus::HostPanicked

use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::panic::PanicHookInfo;
use std::sync::Once;

thread_local! {
    /// Set on threads that run guests: their panics are recorded, not printed.
    static RECORDING: Cell<bool> = const { Cell::new(false) };
    /// The first panic on this thread since [`take`].
    static RECORDED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the recording hook (once per process) and makes the current
/// thread's panics recorded. Call it first thing on a guest thread.
pub(crate) fn record_on_this_thread() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if RECORDING.with(Cell::get) {
                record(info);
            } else {
                previous(info);
            }
        }));
    });
    RECORDING.with(|recording| recording.set(true));
}

/// The one-line description of the first panic recorded on this thread since
/// the last call, if any.
pub(crate) fn take() -> Option<String> {
    RECORDED.with(|recorded| recorded.borrow_mut().take())
}

fn record(info: &PanicHookInfo<'_>) {
    // A panic while unwinding from the first is not the one that ended the
    // run; keep the first.
    if RECORDED.with(|recorded| recorded.borrow().is_some()) {
        return;
    }
    let message = one_line(&payload_message(info.payload()));
    let backtrace = Backtrace::force_capture().to_string();
    log::debug!("host panic backtrace:\n{backtrace}");
    let function = host_function(&backtrace);
    let place = info.location().map(|l| format!(" ({}:{}:{})", short_path(l.file()), l.line(), l.column()));
    let line = match function {
        Some(function) => format!("host function {function} panicked: {message}{}", place.unwrap_or_default()),
        None => format!("a host function panicked: {message}{}", place.unwrap_or_default()),
    };
    RECORDED.with(|recorded| *recorded.borrow_mut() = Some(line));
}

/// The message of a panic payload (`panic!` makes a `&str` or a `String`).
pub(crate) fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() { "(empty panic message)".to_owned() } else { lines.join(" / ") }
}

/// A source path without the cargo registry's prefix:
/// `wasi-webgpu-wasmtime-0.5.0/src/trait_impls.rs`.
fn short_path(file: &str) -> &str {
    const REGISTRY: &str = "/registry/src/";
    match file.find(REGISTRY) {
        // Skip the index directory (`index.crates.io-…/`) too.
        Some(at) => file[at + REGISTRY.len()..].split_once('/').map_or(file, |(_, rest)| rest),
        None => file,
    }
}

/// The WIT name (`gpu-queue.label`, `gpu-buffer.map-async`) of the
/// innermost `wasi-webgpu-wasmtime` host trait method in a backtrace, as
/// `std::backtrace::Backtrace` prints it. `None` where that frame was inlined
/// away (optimised builds) or the panic came from elsewhere.
pub(crate) fn host_function(backtrace: &str) -> Option<String> {
    backtrace.lines().find_map(|line| {
        let symbol = line.trim_start();
        let symbol = symbol.split_once(": ").map_or(symbol, |(_, s)| s);
        wit_name(symbol)
    })
}

/// `…::<impl wasi_webgpu_wasmtime::wasi::webgpu::webgpu::HostGpuQueue for …>::label`
/// (or `<… as …::HostGpuQueue>::label`) → `gpu-queue.label`; the
/// `…WithStore` traits hold the async functions, and the plain `Host` trait
/// the interface's free functions.
fn wit_name(symbol: &str) -> Option<String> {
    const TRAIT_PATH: &str = "::wasi::webgpu::webgpu::Host";
    let start = symbol.find(TRAIT_PATH)? + TRAIT_PATH.len();
    let rest = &symbol[start..];
    let end = rest.find(['<', '>', ' '])?;
    let resource = rest[..end].strip_suffix("WithStore").unwrap_or(&rest[..end]);
    let method = rest[end..].split_once(">::")?.1;
    let method = method.split("::").next().filter(|m| !m.is_empty() && !m.starts_with('{'))?;
    let method = method.strip_suffix(|c: char| c == '_').unwrap_or(method).replace('_', "-");
    Some(if resource.is_empty() { method } else { format!("{}.{method}", kebab(resource)) })
}

/// `GpuQueue` → `gpu-queue`.
fn kebab(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_wit_function_of_a_host_trait_frame() {
        let backtrace = "\
   0: std::backtrace::Backtrace::force_capture
   1: core::panicking::panic
   2: wasi_webgpu_wasmtime::trait_impls::<impl wasi_webgpu_wasmtime::wasi::webgpu::webgpu::HostGpuQueue for wasi_webgpu_wasmtime::WasiWebGpuCtx>::label
             at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasi-webgpu-wasmtime-0.5.0/src/trait_impls.rs:10:9
   3: wasi_webgpu_wasmtime::wasi::webgpu::webgpu::add_to_linker::{{closure}}";
        assert_eq!(host_function(backtrace).as_deref(), Some("gpu-queue.label"));
        let symbol = "<wasi_webgpu_wasmtime::HasWasiWebGpuCtx as \
                      wasi_webgpu_wasmtime::wasi::webgpu::webgpu::HostGpuBufferWithStore<T>>::map_async::{{closure}}";
        assert_eq!(wit_name(symbol).as_deref(), Some("gpu-buffer.map-async"));
        let symbol = "<wasi_webgpu_wasmtime::WasiWebGpuCtx as \
                      wasi_webgpu_wasmtime::wasi::webgpu::webgpu::HostGpuRenderBundleEncoder>::set_bind_group";
        assert_eq!(wit_name(symbol).as_deref(), Some("gpu-render-bundle-encoder.set-bind-group"));
        let symbol = "wasi_webgpu_wasmtime::trait_impls::<impl wasi_webgpu_wasmtime::wasi::webgpu::webgpu::\
                      HostGpuRenderBundleEncoder for wasi_webgpu_wasmtime::WasiWebGpuCtx>::set_bind_group";
        assert_eq!(wit_name(symbol).as_deref(), Some("gpu-render-bundle-encoder.set-bind-group"));
        let symbol =
            "<wasi_webgpu_wasmtime::WasiWebGpuCtx as wasi_webgpu_wasmtime::wasi::webgpu::webgpu::Host>::get_gpu";
        assert_eq!(wit_name(symbol).as_deref(), Some("get-gpu"));
        assert_eq!(host_function("   0: main\n   1: std::rt::lang_start"), None);
    }

    #[test]
    fn shortens_registry_paths() {
        assert_eq!(
            short_path(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/wasi-webgpu-wasmtime-0.5.0/src/a.rs"
            ),
            "wasi-webgpu-wasmtime-0.5.0/src/a.rs"
        );
        assert_eq!(short_path("tests/src/runtime.rs"), "tests/src/runtime.rs");
        assert_eq!(one_line("a\n\n  b  \n"), "a / b");
    }
}
