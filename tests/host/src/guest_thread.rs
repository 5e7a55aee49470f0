//! Runs one guest on a thread of its own and turns how it ended into one
//! line, with a watchdog for [`RunOptions::timeout`].
//!
//! A timeout has three cases, each stopped differently:
//!
//! * the guest awaits the host (a timer, a stream): the guest thread's own
//!   tokio timer drops the run at the deadline;
//! * the guest runs its own wasm code and never yields (`loop {}`, a CPU
//!   kernel that never ends): wasmtime's epoch interruption. The waiting side
//!   increments the engine's epoch at the deadline; compiled wasm checks the
//!   epoch at every function entry and loop back-edge, and the store's
//!   callback traps once its own deadline has passed (stores of other runs
//!   on the same engine see theirs has not, and go on);
//! * the guest is blocked inside a host call that waits for the GPU on the
//!   guest's thread (the reference host's `map-async` and
//!   `on-submitted-work-done`, so GPU work that runs for hours holds it for
//!   hours; `host_fixes` says why they wait there): no Rust code can
//!   interrupt that call. The waiting side gives up [`TIMEOUT_GRACE`] after
//!   the deadline and leaves the thread running; the CLI then ends the
//!   process.
//!
//! [`RunOptions::timeout`]: crate::RunOptions::timeout

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, ResourceLimiter, Store, UpdateDeadline};
use wasmtime_wasi::I32Exit;
use wasmtime_wasi::p3::bindings::Command;

use crate::runtime::{GUEST_STACK_SIZE, HostState, TIMEOUT_GRACE};
use crate::{GuestStatus, WasmtimeResultExt as _, host_panic};

/// Everything a guest thread needs; all of it owned, so that a thread left
/// behind in a host call borrows nothing from the [`Runner`](crate::Runner).
pub(crate) struct GuestJob {
    pub(crate) engine: Engine,
    pub(crate) linker: Arc<Linker<HostState>>,
    pub(crate) component: Component,
    pub(crate) state: HostState,
    /// [`RunOptions::timeout`](crate::RunOptions::timeout), and the instant
    /// it ends at.
    pub(crate) timeout: Option<(Duration, Instant)>,
}

/// How a run ended, with the runner's own line about it (empty for a normal
/// end).
pub(crate) struct GuestEnd {
    pub(crate) status: GuestStatus,
    pub(crate) runner_line: String,
    pub(crate) trap_details: Option<String>,
}

impl GuestEnd {
    fn quiet(status: GuestStatus) -> Self {
        Self { status, runner_line: String::new(), trap_details: None }
    }

    fn host_panicked(line: String) -> Self {
        Self { runner_line: line.clone(), status: GuestStatus::HostPanicked(line), trap_details: None }
    }
}

/// The epoch callback's error when the run's deadline has passed.
#[derive(Debug)]
pub(crate) struct DeadlineReached;

impl std::fmt::Display for DeadlineReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the run's timeout elapsed")
    }
}

impl std::error::Error for DeadlineReached {}

/// Lets the guest's memory grow as wasmtime would without a limiter, and
/// remembers a growth that failed, so that the trap which usually follows
/// (Rust's allocation-failure abort) can say the guest ran out of memory.
#[derive(Default)]
pub(crate) struct MemoryWatch {
    failed_growth: Option<String>,
}

impl ResourceLimiter for MemoryWatch {
    fn memory_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = maximum.is_none_or(|max| desired <= max);
        if !allowed {
            self.failed_growth = Some(format!("growing its memory to {} MiB was refused", desired >> 20));
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.failed_growth = Some(format!("growing its memory failed: {error}"));
        Ok(())
    }

    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|max| desired <= max))
    }
}

/// Runs `job` on a new thread and waits for it. `Ok(None)`: the deadline
/// and [`TIMEOUT_GRACE`] passed with the guest still inside a host call; its
/// thread is left running. `Err`: the guest could not be started.
pub(crate) async fn run(job: GuestJob, engine: &Engine) -> Result<Option<GuestEnd>> {
    let deadline = job.timeout.map(|(_, deadline)| deadline);
    let (send, mut ended) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("wasi-webgpu-guest".into())
        .stack_size(GUEST_STACK_SIZE)
        .spawn(move || {
            host_panic::record_on_this_thread();
            let end = std::panic::catch_unwind(AssertUnwindSafe(|| job.run())).unwrap_or_else(|payload| {
                Ok(GuestEnd::host_panicked(host_panic::take().unwrap_or_else(|| {
                    format!("the runner panicked: {}", host_panic::payload_message(payload.as_ref()))
                })))
            });
            // The receiver is gone only if the waiting side gave up on it.
            let _ = send.send(end);
        })
        .context("failed to start the guest's thread")?;
    let lost = "the guest's thread ended without a result";
    let Some(deadline) = deadline else {
        return ended.await.context(lost)?.map(Some);
    };
    if let Ok(end) = tokio::time::timeout_at(deadline.into(), &mut ended).await {
        return end.context(lost)?.map(Some);
    }
    // Makes wasm code that is running check its store's deadline (see the
    // module docs).
    engine.increment_epoch();
    match tokio::time::timeout(TIMEOUT_GRACE, ended).await {
        Ok(end) => end.context(lost)?.map(Some),
        Err(_) => {
            log::debug!("the guest is still in a host call {TIMEOUT_GRACE:?} after its deadline; leaving its thread");
            Ok(None)
        }
    }
}

impl GuestJob {
    /// Runs the guest on this thread, which must have [`GUEST_STACK_SIZE`].
    fn run(self) -> Result<GuestEnd> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .context("failed to start the async runtime")?;
        let end = runtime.block_on(self.run_async());
        // Blocking tasks (a read of the process's stdin) must not hold the
        // run open after the guest has ended.
        runtime.shutdown_background();
        end
    }

    async fn run_async(self) -> Result<GuestEnd> {
        let Self { engine, linker, component, state, timeout } = self;
        let deadline = timeout.map(|(_, deadline)| deadline);
        let mut store = Store::new(&engine, state);
        store.limiter(|state| &mut state.memory);
        // Epoch interruption is on for every store of the engine; a store
        // without a deadline must still let every epoch check pass.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| match deadline {
            Some(deadline) if Instant::now() >= deadline => Err(wasmtime::Error::new(DeadlineReached)),
            _ => Ok(UpdateDeadline::Continue(1)),
        });
        let limit = timeout.map_or(Duration::ZERO, |(limit, _)| limit);

        let command = Command::instantiate_async(&mut store, &component, &linker).await.anyhow().context(
            "failed to instantiate the guest (it may import an interface the runner \
                 does not provide)",
        )?;
        let run = CatchUnwind::new(
            store.run_concurrent(async move |accessor| command.wasi_cli_run().call_run(accessor).await),
        );
        let result = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), run).await.ok(),
            None => Some(run.await),
        };
        let timed_out = |how: &str| GuestEnd {
            runner_line: format!("guest timed out after {limit:?} ({how})"),
            status: GuestStatus::TimedOut(limit),
            trap_details: None,
        };
        let end = match result {
            None => timed_out("waiting on the host"),
            Some(Err(payload)) => GuestEnd::host_panicked(host_panic::take().unwrap_or_else(|| {
                format!("a host function panicked: {}", host_panic::payload_message(payload.as_ref()))
            })),
            Some(Ok(Ok(Ok(Ok(()))))) => GuestEnd::quiet(GuestStatus::Ok),
            Some(Ok(Ok(Ok(Err(()))))) => GuestEnd::quiet(GuestStatus::Err),
            Some(Ok(Ok(Err(error)) | Err(error))) => {
                if let Some(exit) = error.downcast_ref::<I32Exit>() {
                    GuestEnd::quiet(GuestStatus::Exit(exit.0))
                } else if error.downcast_ref::<DeadlineReached>().is_some() {
                    timed_out("running its own code; stopped by epoch interruption")
                } else {
                    let mut reason = one_line_reason(&error);
                    if let Some(why) = &store.data().memory.failed_growth {
                        reason.push_str(&format!(" (the guest had run out of memory: {why})"));
                    }
                    GuestEnd {
                        runner_line: format!("guest trapped: {reason}"),
                        status: GuestStatus::Trapped(reason),
                        trap_details: Some(format!("{error:?}")),
                    }
                }
            }
        };
        // Dropping the store frees the guest's GPU objects, which can wait
        // for the GPU; the watchdog covers that too.
        drop(store);
        Ok(end)
    }
}

/// The most telling single line of a trap error: the wasm trap code if there
/// is one (the rest is a multi-line backtrace), else the innermost cause.
pub(crate) fn one_line_reason(error: &wasmtime::Error) -> String {
    let text = match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => trap.to_string(),
        None => error.root_cause().to_string(),
    };
    let mut line = text.lines().next().unwrap_or_default().to_owned();
    if line.contains("fuel allocated for hostcalls has been exhausted") {
        line.push_str(" (one call copied more than wasmtime's 128 MiB per-call limit)");
    }
    line
}

/// Turns a panic while polling the inner future into an `Err`, so a panic in
/// a host function (which wasmtime resumes on the embedder's side of the
/// call) ends one run instead of the whole process.
pub(crate) struct CatchUnwind<F> {
    inner: Pin<Box<F>>,
}

impl<F: Future> CatchUnwind<F> {
    pub(crate) fn new(inner: F) -> Self {
        Self { inner: Box::pin(inner) }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
