//! One instance slot of the server: a thread that keeps a component
//! instance, hands it requests from the queue (several at once), and replaces
//! it after a trap, a timeout or its request quota.
//!
//! Each slot runs on a thread of its own with [`GUEST_STACK_SIZE`] and a
//! current-thread runtime, like a `wasi-webgpu-run` guest: the reference
//! host's GPU waits block the thread they are called on (see `host_fixes`),
//! so an instance waiting for the GPU holds up only its own requests, and the
//! HTTP side, on the server's runtime, goes on accepting and queueing.

use std::collections::HashMap;
use std::future::poll_fn;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use wasmtime::component::Accessor;
use wasmtime::{AsContextMut as _, Engine, Store, UpdateDeadline};
use wasmtime_wasi_http::WasiHttpView as _;
use wasmtime_wasi_http::handler::{ExpirationError, Prepared, Proxy};
use wasmtime_wasi_http::p3::bindings::ServicePre;

use super::{Job, Reply, Shared};
use crate::guest_thread::{CatchUnwind, DeadlineReached, one_line_reason};
use crate::runtime::{GUEST_STACK_SIZE, HostState};
use crate::{LOG_PREFIX, host_panic};

/// How long past a request's deadline an instance may keep running before
/// epoch interruption stops it: time for the request's own timer to answer
/// 504 when the guest is merely waiting, so only a guest that holds the
/// thread (a loop that never yields) loses its instance.
const KILL_GRACE: Duration = Duration::from_millis(500);

/// What a slot needs to make instances; shared by all slots.
pub(crate) struct Slot {
    pub(crate) index: usize,
    pub(crate) engine: Engine,
    pub(crate) pre: ServicePre<HostState>,
    pub(crate) make_state: Arc<dyn Fn() -> anyhow::Result<HostState> + Send + Sync>,
    pub(crate) shared: Arc<Shared>,
}

/// Why an instance ended.
enum End {
    /// The queue is closed and the instance's requests are done.
    Closed,
    /// It reached its request quota or a request timed out; a fresh one
    /// takes over.
    Retired,
    /// It trapped (or a host function panicked): every request it was
    /// serving got a 5xx.
    Failed,
}

/// Starts the slot's thread.
pub(crate) fn spawn(slot: Slot) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name(format!("wasi-webgpu-serve-{}", slot.index)).stack_size(GUEST_STACK_SIZE).spawn(
        move || {
            host_panic::record_on_this_thread();
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_time().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("{LOG_PREFIX}: instance {}: cannot start its runtime: {error}", slot.index);
                    return;
                }
            };
            runtime.block_on(slot.run());
            runtime.shutdown_background();
        },
    )
}

/// A request the instance is serving.
struct InFlight {
    reply: tokio::sync::oneshot::Sender<Reply>,
    deadline: Instant,
}

impl Slot {
    async fn run(self) {
        let mut generation = 0u64;
        loop {
            generation += 1;
            let started = Instant::now();
            match self.instance(generation).await {
                Ok(End::Closed) => return,
                Ok(End::Retired) | Ok(End::Failed) => {}
                Err(error) => {
                    // The component could not be instantiated (its start-up
                    // code trapped, or it ran out of memory): the request
                    // waiting longest learns why, then a fresh try. Waiting
                    // a little keeps a component that always fails from
                    // spinning.
                    let reason = format!("the guest could not be instantiated: {error:#}");
                    eprintln!("{LOG_PREFIX}: instance {}: {reason}", self.index);
                    if let Some(job) = self.shared.queue.try_pop() {
                        let _ = job.reply.send(Reply::error(500, reason, self.index));
                    }
                    if self.shared.queue.is_closed() && self.shared.queue.len() == 0 {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100).saturating_sub(started.elapsed())).await;
                }
            }
        }
    }

    /// Makes one instance and serves requests with it until it ends.
    async fn instance(&self, generation: u64) -> anyhow::Result<End> {
        let options = &self.shared.options;
        let mut store = Store::new(&self.engine, (self.make_state)()?);
        store.limiter(|state| &mut state.memory);
        // The requests in flight. A guest that holds the thread past the
        // earliest of their deadlines (plus KILL_GRACE) is stopped by epoch
        // interruption, the only way to stop wasm that never yields. The lock
        // is never held while guest code runs, so the callback cannot find
        // it taken on its own thread.
        let in_flight: Arc<Mutex<HashMap<u64, InFlight>>> = Arc::default();
        let watched = Arc::clone(&in_flight);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            let earliest = lock(&watched).values().map(|entry| entry.deadline).min();
            match earliest {
                Some(deadline) if Instant::now() > deadline + KILL_GRACE => Err(wasmtime::Error::new(DeadlineReached)),
                _ => Ok(UpdateDeadline::Continue(1)),
            }
        });
        let service = self.pre.instantiate_async(&mut store).await.map_err(anyhow::Error::from)?;
        self.shared.stats.instances_started.fetch_add(1, Ordering::Relaxed);
        log::debug!("instance {}.{generation} started", self.index);
        let proxy = Proxy::P3(service);

        let serve = async |accessor: &Accessor<HostState>| -> wasmtime::Result<End> {
            let Proxy::P3(service) = &proxy;
            let func = *service.wasi_http_handler().func_handle().func();
            let mut tasks = FuturesUnordered::new();
            let mut accepting = true;
            let mut served = 0u64;
            loop {
                enum Event {
                    Done(wasmtime::Result<bool>),
                    New(Job),
                    Closed,
                    Idle,
                }
                let quota_left = options.max_requests.is_none_or(|max| served < max);
                let event = poll_fn(|cx| {
                    if let Poll::Ready(Some(done)) = tasks.poll_next_unpin(cx) {
                        return Poll::Ready(Event::Done(done));
                    }
                    let room = tasks.len() < options.max_concurrent;
                    if accepting && quota_left && room && accessor.poll_ready_for_concurrent_call(func, cx).is_ready() {
                        match self.shared.queue.poll_pop(cx) {
                            Poll::Ready(Some(job)) => return Poll::Ready(Event::New(job)),
                            Poll::Ready(None) => return Poll::Ready(Event::Closed),
                            Poll::Pending => {}
                        }
                    }
                    if tasks.is_empty() && (!accepting || !quota_left) {
                        return Poll::Ready(Event::Idle);
                    }
                    Poll::Pending
                })
                .await;
                match event {
                    Event::New(job) => {
                        if Instant::now() >= job.deadline {
                            // It waited in the queue for its whole timeout.
                            let _ = job.reply.send(Reply::timed_out(options.request_timeout, self.index));
                            continue;
                        }
                        served += 1;
                        // Unique among the instance's requests.
                        let id = served;
                        let (tx, mut rx) = futures::channel::oneshot::channel();
                        let prepared = accessor.with(|mut store| {
                            Prepared::new(store.as_context_mut(), &proxy, job.request, HostState::http, tx)
                        });
                        let prepared = match prepared {
                            Ok(prepared) => prepared,
                            Err(error) => {
                                let reason = format!("the request could not be passed to the guest: {error}");
                                let _ = job.reply.send(Reply::error(500, reason, self.index));
                                continue;
                            }
                        };
                        lock(&in_flight).insert(id, InFlight { reply: job.reply, deadline: job.deadline });
                        let deadline = job.deadline;
                        let index = self.index;
                        let timeout = options.request_timeout;
                        let in_flight = &in_flight;
                        tasks.push(async move {
                            let expiry = tokio::time::sleep_until(deadline.into());
                            let answered = prepared.run(accessor, expiry).await?;
                            let entry = lock(in_flight).remove(&id);
                            if let Some(entry) = entry {
                                let reply = match rx.try_recv() {
                                    Ok(Some(Ok(response))) => Reply::Response { response, instance: index },
                                    Ok(Some(Err(error))) if error.downcast_ref::<ExpirationError>().is_some() => {
                                        Reply::timed_out(timeout, index)
                                    }
                                    Ok(Some(Err(error))) => Reply::error(
                                        500,
                                        format!("the guest's handler failed: {}", one_line_reason(&error)),
                                        index,
                                    ),
                                    Ok(None) | Err(_) => {
                                        Reply::error(500, "the guest's handler gave no response".into(), index)
                                    }
                                };
                                let _ = entry.reply.send(reply);
                            }
                            Ok(answered)
                        });
                    }
                    Event::Done(Ok(answered)) => {
                        self.record_table(accessor);
                        if !answered {
                            // A request timed out: its task may still run.
                            // Take no more, finish the others, then make a
                            // fresh instance (the stuck task ends with this
                            // one).
                            accepting = false;
                        }
                    }
                    Event::Done(Err(error)) => return Err(error),
                    Event::Closed => {
                        accepting = false;
                        if tasks.is_empty() {
                            return Ok(End::Closed);
                        }
                    }
                    Event::Idle => {
                        // Response bodies may still stream from guest tasks
                        // that returned; they end within the request timeout.
                        let drained = poll_fn(|cx| accessor.poll_no_interesting_tasks(cx));
                        let _ = tokio::time::timeout(options.request_timeout, drained).await;
                        let closed = self.shared.queue.is_closed() && self.shared.queue.len() == 0;
                        return Ok(if closed { End::Closed } else { End::Retired });
                    }
                }
            }
        };
        let result = CatchUnwind::new(store.run_concurrent(serve)).await;
        let failure = match result {
            Ok(Ok(Ok(end))) => {
                log::debug!("instance {}.{generation} ended after {:?}", self.index, std::mem::discriminant(&end));
                return Ok(end);
            }
            Ok(Ok(Err(error)) | Err(error)) => {
                if error.downcast_ref::<DeadlineReached>().is_some() {
                    "it ran past a request's timeout without yielding, and was stopped".to_owned()
                } else {
                    format!("the guest trapped: {}", one_line_reason(&error))
                }
            }
            Err(payload) => host_panic::take().unwrap_or_else(|| {
                format!("a host function panicked: {}", host_panic::payload_message(payload.as_ref()))
            }),
        };
        self.shared.stats.traps.fetch_add(1, Ordering::Relaxed);
        let pending: Vec<InFlight> = lock(&in_flight).drain().map(|(_, entry)| entry).collect();
        eprintln!(
            "{LOG_PREFIX}: instance {}.{generation} stopped: {failure}; {} request(s) in flight answered 5xx; \
             the next request gets a fresh instance",
            self.index,
            pending.len()
        );
        let now = Instant::now();
        for entry in pending {
            let reply = if now >= entry.deadline {
                Reply::timed_out(options.request_timeout, self.index)
            } else {
                Reply::error(500, format!("{failure}; the instance serving this request was restarted"), self.index)
            };
            let _ = entry.reply.send(reply);
        }
        // Dropping the store frees the guest's GPU objects, which can wait
        // for the GPU; a panic there must not end the slot.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(move || drop(store)));
        Ok(End::Failed)
    }

    /// Notes the size of the instance's resource table, so a soak test can
    /// see that finished requests leave nothing behind.
    fn record_table(&self, accessor: &Accessor<HostState>) {
        let entries = accessor.with(|mut access| access.get().table.iter_mut().count());
        if let Some(slot) = self.shared.stats.table_entries.get(self.index) {
            slot.store(entries, Ordering::Relaxed);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
