//! Background polling of the GPU devices while guests run.
//!
//! `wgpu-core` only fires completion callbacks (`on-submitted-work-done`,
//! buffer mapping) and frees dropped resources from `poll_all_devices`.
//! `wasi-webgpu-wasmtime` polls inside `map-async` but not for
//! `on-submitted-work-done`, so a guest awaiting that would hang forever unless
//! someone polls. One thread per [`Runner`] does:
//!
//! * nothing unless a guest waits for submitted work (it sleeps on a
//!   condition variable);
//! * a poll every [`URGENT_INTERVAL`] while one does, so the wait ends within
//!   a fraction of a millisecond of the GPU finishing.
//!
//! It must not poll at other times: `map-async` in `wasi-webgpu-wasmtime` 0.5
//! keeps only the waker of its first poll, which wasmtime 48 makes with a
//! no-op waker, and relies on firing its callback itself, inside that first
//! poll. A poll from this thread that fired the callback later would leave the
//! guest waiting forever, which an earlier version that also polled every
//! 10 ms did now and then. wgpu-core still frees dropped resources at every
//! submit and map, which poll too.
//!
//! [`Runner`]: crate::Runner

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::wgpu_core::global::Global;

/// Poll interval while a guest waits for submitted GPU work.
pub(crate) const URGENT_INTERVAL: Duration = Duration::from_micros(200);

#[derive(Default)]
struct State {
    waiters: usize,
    shutdown: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a counter and a flag; a panic elsewhere cannot leave
        // them inconsistent, so poisoning carries no information here.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Owns the polling thread; dropping it stops and joins the thread.
pub(crate) struct DevicePoller {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Lets host functions ask for fast polling; cheap to clone into each store.
#[derive(Clone)]
pub(crate) struct PollHandle {
    shared: Arc<Shared>,
}

/// Fast polling lasts while this guard lives (it is dropped when the wait
/// ends or is cancelled).
pub(crate) struct UrgentGuard {
    shared: Arc<Shared>,
}

impl PollHandle {
    /// Polls every [`URGENT_INTERVAL`] until the guard is dropped.
    pub(crate) fn urgent(&self) -> UrgentGuard {
        self.shared.lock().waiters += 1;
        self.shared.wake.notify_all();
        UrgentGuard { shared: Arc::clone(&self.shared) }
    }
}

impl Drop for UrgentGuard {
    fn drop(&mut self) {
        self.shared.lock().waiters -= 1;
    }
}

impl DevicePoller {
    pub(crate) fn new(global: Arc<Global>) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let thread = std::thread::Builder::new().name("wasi-webgpu-device-poll".into()).spawn({
            let shared = Arc::clone(&shared);
            move || poll_loop(&global, &shared)
        })?;
        Ok(Self { shared, thread: Some(thread) })
    }

    /// A handle for host functions to request fast polling.
    pub(crate) fn handle(&self) -> PollHandle {
        PollHandle { shared: Arc::clone(&self.shared) }
    }
}

impl Drop for DevicePoller {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn poll_loop(global: &Global, shared: &Shared) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        if state.waiters == 0 {
            state = shared.wake.wait(state).unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        drop(state);
        // Errors here are device-lost or out-of-memory conditions of a
        // particular device; the guest observes those through its own calls.
        let _ = global.poll_all_devices(false);
        state = shared.lock();
        // Shutdown notifies the condvar and cuts this short.
        state = shared.wake.wait_timeout(state, URGENT_INTERVAL).unwrap_or_else(PoisonError::into_inner).0;
    }
}
