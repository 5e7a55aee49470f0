//! Replacements for `wasi-webgpu-wasmtime` host functions that cannot work
//! under wasmtime 48's async component model.
//!
//! `wasi-webgpu-wasmtime` 0.5 turns wgpu-core callbacks into futures with
//! `callback_future::CallbackFuture`, which captures the waker of its *first*
//! poll and never updates it. Wasmtime polls a new host task once with
//! `Waker::noop()` (`first_poll` in its concurrent runtime) before handing it
//! to its event loop, so the callback's wake-up goes nowhere and the guest
//! waits forever. `map-async` escapes this only because it blocks in
//! `poll_all_devices(true)` before returning; `on-submitted-work-done` does
//! not, so it is defined again here on a channel, which registers the current
//! waker on every poll. The device poller thread fires the callback, polling
//! quickly while such a wait is pending.

use anyhow::{Context as _, Result};
use wasi_webgpu_wasmtime::Queue;
use wasmtime::component::{Accessor, Linker, Resource};

use crate::WasmtimeResultExt as _;
use crate::runtime::HostState;

/// The interface `wasi-webgpu-wasmtime` implements.
const WEBGPU_INTERFACE: &str = "wasi:webgpu/webgpu@0.3.0-rc.2";

/// Overrides the affected functions in `linker`, which must already hold
/// `wasi-webgpu-wasmtime`'s definitions.
pub(crate) fn install(linker: &mut Linker<HostState>) -> Result<()> {
    linker.allow_shadowing(true);
    let result = linker
        .instance(WEBGPU_INTERFACE)
        .and_then(|mut instance| {
            instance.func_wrap_concurrent(
                "[method]gpu-queue.on-submitted-work-done",
                |accessor: &Accessor<HostState>, (queue,): (Resource<Queue>,)| {
                    Box::pin(on_submitted_work_done(accessor, queue))
                },
            )
        })
        .anyhow()
        .context("failed to override gpu-queue.on-submitted-work-done");
    linker.allow_shadowing(false);
    result
}

async fn on_submitted_work_done(accessor: &Accessor<HostState>, queue: Resource<Queue>) -> wasmtime::Result<()> {
    let (done, wait) = tokio::sync::oneshot::channel::<()>();
    let _urgent = accessor.with(|mut access| -> wasmtime::Result<_> {
        let state = access.get();
        let queue_id = **state.table.get(&queue)?;
        state.gpu.queue_on_submitted_work_done(
            queue_id,
            Box::new(move || {
                // The receiver is gone only if the guest's call was
                // cancelled; nobody is waiting then.
                let _ = done.send(());
            }),
        );
        Ok(state.poll.urgent())
    })?;
    // A dropped sender means wgpu-core discarded the callback (device lost or
    // destroyed); the submitted work is over either way.
    let _ = wait.await;
    Ok(())
}
