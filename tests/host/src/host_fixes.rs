//! Replacements for `wasi-webgpu-wasmtime` host functions that cannot work
//! under wasmtime 48's async component model.
//!
//! `wasi-webgpu-wasmtime` 0.5 turns wgpu-core callbacks into futures with
//! `callback_future::CallbackFuture`, which captures the waker of its *first*
//! poll and never updates it. Wasmtime polls a new host task once with
//! `Waker::noop()` (`first_poll` in its concurrent runtime) before handing it
//! to its event loop, so a callback fired later goes nowhere and the guest
//! waits forever. `map-async` escapes this only because it blocks in
//! `poll_all_devices(true)` before returning, so its callback fires on the
//! guest's own thread before wasmtime polls it again; `on-submitted-work-done`
//! does not, so it is defined again here the same way: it waits for the GPU
//! on the guest's thread and completes within its first poll.
//!
//! Waiting on the guest's thread is also what makes the wait end as soon as
//! the GPU is done (a fence wait in the driver, like native
//! `Device::poll(Wait)`), and what keeps every poll of wgpu-core on that one
//! thread: a poll elsewhere could take `map-async`'s callback and fire it
//! after wasmtime's second poll, losing the wake-up (tests/BAD_INPUTS.md has
//! the history). The cost is the one `map-async` already has: while the GPU
//! works, the guest's other tasks wait too, and a guest stuck behind GPU
//! work that never ends is stopped by the runner's timeout grace period.
//!
//! `request-adapter` is also defined again here, but only when the user
//! chose an adapter (`wasi-webgpu-run --adapter`): `wasi-webgpu-wasmtime` lets
//! wgpu pick from the guest's options, which cannot name one adapter.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use wasi_webgpu_wasmtime::wasi::webgpu::webgpu::{Gpu, GpuQueue, GpuRequestAdapterOptions, HostGpuDevice as _};
use wasi_webgpu_wasmtime::{Adapter, Device, Queue, WasiWebGpuCtxView as _};
use wasmtime::StoreContextMut;
use wasmtime::component::{Accessor, Linker, Resource};

use crate::runtime::HostState;
use crate::wgpu_types::{Backends, PollType};
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
            instance.func_wrap("[method]gpu-device.queue", device_queue)?;
            instance.func_wrap_concurrent(
                "[method]gpu-queue.on-submitted-work-done",
                |accessor: &Accessor<HostState>, (queue,): (Resource<Queue>,)| {
                    Box::pin(on_submitted_work_done(accessor, queue))
                },
            )
        })
        .anyhow()
        .context("failed to override gpu-device.queue and gpu-queue.on-submitted-work-done");
    linker.allow_shadowing(false);
    result
}

/// `wasi-webgpu-wasmtime`'s `gpu-device.queue`, which also notes the queue's
/// device: its `Queue` is a bare wgpu-core queue id, from which wgpu-core
/// offers no way back to the device that `on_submitted_work_done` waits on.
fn device_queue(
    mut store: StoreContextMut<'_, HostState>,
    (device,): (Resource<Device>,),
) -> wasmtime::Result<(Resource<GpuQueue>,)> {
    let state = store.data_mut();
    let device_id = *state.table.get(&device)?.device_id();
    let queue = state.webgpu_ctx().queue(device)?;
    let queue_id = **state.table.get(&queue)?;
    state.queue_devices.insert(queue_id, device_id);
    Ok((queue,))
}

async fn on_submitted_work_done(accessor: &Accessor<HostState>, queue: Resource<Queue>) -> wasmtime::Result<()> {
    accessor.with(|mut access| -> wasmtime::Result<()> {
        let state = access.get();
        let queue_id = **state.table.get(&queue)?;
        // Waits for everything submitted so far, as `map-async` does, and
        // fires the callbacks of what finished (buffer maps included) here.
        // Only this queue's device is waited on, so other guests' GPU work
        // neither delays this one nor has its callbacks fired here; every
        // queue a guest holds came from `device_queue`, the fallback is for
        // safety. An error is a lost device, whose work is over either way.
        let _ = match state.queue_devices.get(&queue_id) {
            Some(&device_id) => state.gpu.device_poll(device_id, PollType::wait_indefinitely()).map(|_| ()),
            None => state.gpu.poll_all_devices(true).map(|_| ()),
        };
        Ok(())
    })
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
