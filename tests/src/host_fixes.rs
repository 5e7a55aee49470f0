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
//!
//! `request-adapter` is also defined again here, but only when the user
//! chose an adapter (`wasi-webgpu-run --adapter`): `wasi-webgpu-wasmtime` lets
//! wgpu pick from the guest's options, which cannot name one adapter.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use wasi_webgpu_wasmtime::wasi::webgpu::webgpu::{Gpu, GpuRequestAdapterOptions};
use wasi_webgpu_wasmtime::{Adapter, Queue};
use wasmtime::component::{Accessor, Linker, Resource};

use crate::runtime::HostState;
use crate::wgpu_types::Backends;
use crate::{AdapterChoice, WasmtimeResultExt as _, adapter};

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

/// Makes every `request-adapter` call return the adapter `choice` names
/// (enumerated on `backends`), or none if it has gone since the runner
/// checked it. The guest's options are ignored: the user's choice wins.
pub(crate) fn install_adapter_choice(
    linker: &mut Linker<HostState>,
    backends: Backends,
    choice: AdapterChoice,
) -> Result<()> {
    let choice = Arc::new(choice);
    linker.allow_shadowing(true);
    let result = linker
        .instance(WEBGPU_INTERFACE)
        .and_then(|mut instance| {
            instance.func_wrap_concurrent(
                "[method]gpu.request-adapter",
                move |accessor: &Accessor<HostState>,
                      (_gpu, _options): (Resource<Gpu>, Option<GpuRequestAdapterOptions>)| {
                    let choice = Arc::clone(&choice);
                    Box::pin(async move {
                        accessor.with(|mut access| -> wasmtime::Result<(Option<Resource<Adapter>>,)> {
                            let state = access.get();
                            let Some(id) = adapter::select(&state.gpu, backends, &choice) else {
                                log::warn!("the chosen adapter ({choice}) is gone; the guest gets none");
                                return Ok((None,));
                            };
                            log::debug!("request-adapter: returning the chosen {choice}");
                            let adapter: Adapter = Arc::new(id);
                            Ok((Some(state.table.push(adapter)?),))
                        })
                    })
                },
            )
        })
        .anyhow()
        .context("failed to override gpu.request-adapter");
    linker.allow_shadowing(false);
    result
}
