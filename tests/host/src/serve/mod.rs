//! Serving `wasi:http/handler@0.3.0` components over HTTP/1.1: what
//! `wasi-webgpu-run serve` runs.
//!
//! # Instances
//!
//! The server keeps [`ServeOptions::instances`] component instances (one by
//! default), each on a thread of its own, and gives every request to the
//! first instance with room: an instance serves up to
//! [`ServeOptions::max_concurrent`] requests at once (component-model async
//! interleaves them in one instance), so the GPU state a guest makes once —
//! device, pipelines, uploaded weights — is shared by every request it
//! serves. Requests beyond that wait in one queue.
//!
//! An instance is replaced by a fresh one, made when the next request
//! needs it, when
//! * it traps or a host function panics: the request that caused it and any
//!   others it was serving get a 500 naming the trap;
//! * a request runs past [`ServeOptions::request_timeout`]: that request gets
//!   a 504; the instance takes no new requests, finishes the others and is
//!   dropped (the timed-out task with it). A guest that holds its thread
//!   past the deadline — a loop that never yields — is stopped by epoch
//!   interruption half a second later, and its other requests get a 500;
//! * it has served [`ServeOptions::max_requests`] requests, if set.
//!
//! A request waits for an instance at most its timeout. A guest stuck in a
//! host call that never returns (GPU work that never ends) holds its slot;
//! its requests get a 504 from the HTTP side, and the other slots go on.
//!
//! # Limits
//!
//! A request body over [`ServeOptions::max_body_bytes`] gets a 413: at once
//! when its `Content-Length` says so, else when the excess arrives (the
//! guest's read fails; the server answers 413 whatever the guest then does).
//! Outgoing HTTP requests from the guest are refused (`HTTP-request-denied`).
//!
//! # Shutdown
//!
//! [`Server::shutdown`] stops accepting connections, lets every request in
//! flight finish (at most [`ServeOptions::shutdown_grace`]), closes idle
//! keep-alive connections, and ends the instances.

mod instance;
mod queue;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use wasmtime::component::Component;
use wasmtime_wasi_http::WasiBody;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p3::bindings::ServicePre;

use self::queue::{LimitedBody, Queue};
use crate::runtime::{HostState, wasi_builder};
use crate::wgpu_core::global::Global;
use crate::{LOG_PREFIX, Runner, WasmtimeResultExt as _};

/// How a [`Server`] is set up. `Default` is what `wasi-webgpu-run serve`
/// uses without options.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Where to listen; port 0 picks a free port ([`Server::local_addr`]
    /// says which). Default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// How many component instances serve at once, each with its own GPU
    /// state, on a thread and a GPU instance (wgpu-core `Global`) of its
    /// own, so that one's waits for the GPU never wait for another's work.
    /// Default 1.
    pub instances: usize,
    /// How many requests one instance serves at once. Default 64.
    pub max_concurrent: usize,
    /// Requests an instance serves before a fresh one replaces it; `None`
    /// (the default) keeps it for as long as it works.
    pub max_requests: Option<u64>,
    /// How long a request may take from arrival (queueing included) to its
    /// response's headers before it gets a 504. Default 60 s.
    pub request_timeout: Duration,
    /// Largest request body; a larger one gets a 413. Default 16 MiB.
    pub max_body_bytes: u64,
    /// How long [`Server::shutdown`] waits for requests in flight. Default
    /// 30 s.
    pub shutdown_grace: Duration,
    /// Write one line per request to stderr. Default on.
    pub log_requests: bool,
    /// `argv[0]` of every instance.
    pub program_name: String,
    /// Arguments after the program name.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Host directories to preopen, as `(host path, guest path)`.
    pub dirs: Vec<(PathBuf, String)>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            instances: 1,
            max_concurrent: 64,
            max_requests: None,
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 16 << 20,
            shutdown_grace: Duration::from_secs(30),
            log_requests: true,
            program_name: "service".into(),
            args: Vec::new(),
            env: Vec::new(),
            dirs: Vec::new(),
        }
    }
}

/// Counters of a [`Server`], from [`Server::stats`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServeStats {
    /// Requests received.
    pub requests: u64,
    /// Responses the guest gave (any status).
    pub guest_responses: u64,
    /// Requests answered by the server instead: 413, 500 (trap, failed
    /// handler), 503, 504.
    pub server_errors: u64,
    /// 504s among them.
    pub timeouts: u64,
    /// Instances that trapped, panicked a host function or were stopped.
    pub traps: u64,
    /// Instances made so far (the first one included).
    pub instances_started: u64,
    /// Requests received and not yet answered.
    pub in_flight: u64,
    /// Entries of each instance slot's wasmtime resource table after its
    /// last finished request: it returns to the same number between
    /// requests unless a request leaks a resource.
    pub table_entries: Vec<usize>,
}

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    guest_responses: AtomicU64,
    server_errors: AtomicU64,
    timeouts: AtomicU64,
    traps: AtomicU64,
    instances_started: AtomicU64,
    in_flight: AtomicU64,
    table_entries: Vec<AtomicUsize>,
}

/// What the HTTP side and the instance slots share.
struct Shared {
    options: ServeOptions,
    queue: Queue<Job>,
    stats: Stats,
}

/// A request on its way to an instance.
struct Job {
    request: http::Request<WasiBody>,
    reply: tokio::sync::oneshot::Sender<Reply>,
    deadline: Instant,
}

/// An instance's answer to a [`Job`].
enum Reply {
    Response { response: http::Response<WasiBody>, instance: usize },
    Error { status: u16, message: String, instance: usize },
}

impl Reply {
    fn error(status: u16, message: String, instance: usize) -> Self {
        Self::Error { status, message, instance }
    }

    fn timed_out(timeout: Duration, instance: usize) -> Self {
        Self::error(504, format!("the guest did not answer within the request timeout ({timeout:?})"), instance)
    }
}

/// A running server; see the [module docs](self).
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: tokio::sync::watch::Sender<bool>,
    accept: tokio::task::JoinHandle<()>,
    connections: Arc<tokio::sync::Semaphore>,
    slots: Vec<std::thread::JoinHandle<()>>,
    epoch_ticker: Option<std::thread::JoinHandle<()>>,
    ticking: Arc<AtomicBool>,
}

/// How many connections may be open at once; `Server::shutdown` waits for
/// all of them by taking every permit.
const MAX_CONNECTIONS: u32 = 4096;

impl Server {
    /// Binds `options.addr` and starts serving `component`, which must
    /// export `wasi:http/handler@0.3.0`. Needs a multi-threaded tokio
    /// runtime (the connections run on it).
    pub async fn start(runner: &Runner, component: &Component, options: ServeOptions) -> Result<Self> {
        anyhow::ensure!(options.instances > 0, "serve needs at least one instance");
        anyhow::ensure!(options.max_concurrent > 0, "serve needs room for at least one request per instance");
        let instance_pre = runner
            .linker()
            .instantiate_pre(component)
            .anyhow()
            .context("the component cannot be linked (it may import an interface the runner does not provide)")?;
        let pre = ServicePre::new(instance_pre).anyhow().context(
            "the component does not export wasi:http/handler@0.3.0 (is it a command? run it without `serve`)",
        )?;
        // Preopens are checked now, not at the first request.
        wasi_builder(&options.program_name, &options.args, &options.env, &options.dirs)?;
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .with_context(|| format!("cannot listen on {}", options.addr))?;
        let addr = listener.local_addr().context("the listener has no address")?;

        let stats =
            Stats { table_entries: (0..options.instances).map(|_| AtomicUsize::new(0)).collect(), ..Stats::default() };
        let shared = Arc::new(Shared { options, queue: Queue::new(), stats });
        // Each slot has a GPU instance of its own: the reference host's
        // `map-async` waits for every device of its instance, which would
        // make one slot's reads wait for the others' work.
        let make_state = |global: Arc<Global>| -> Arc<dyn Fn() -> Result<HostState> + Send + Sync> {
            let shared = Arc::clone(&shared);
            Arc::new(move || {
                let o = &shared.options;
                let mut builder = wasi_builder(&o.program_name, &o.args, &o.env, &o.dirs)?;
                builder.inherit_stdout().inherit_stderr();
                Ok(HostState::new(builder.build(), Arc::clone(&global)))
            })
        };
        let mut slots = Vec::new();
        for index in 0..shared.options.instances {
            let global = if index == 0 { Arc::clone(runner.global()) } else { runner.new_global() };
            let slot = instance::Slot {
                index,
                engine: runner.engine().clone(),
                pre: pre.clone(),
                make_state: make_state(global),
                shared: Arc::clone(&shared),
            };
            slots.push(instance::spawn(slot).context("cannot start an instance thread")?);
        }
        // Epoch interruption is how a request timeout stops wasm that never
        // yields; the engine's epoch only moves when someone moves it.
        let ticking = Arc::new(AtomicBool::new(true));
        let epoch_ticker = {
            let engine = runner.engine().clone();
            let ticking = Arc::clone(&ticking);
            std::thread::Builder::new()
                .name("wasi-webgpu-serve-epoch".into())
                .spawn(move || {
                    while ticking.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(50));
                        engine.increment_epoch();
                    }
                })
                .context("cannot start the epoch thread")?
        };

        let (stop, stopped) = tokio::sync::watch::channel(false);
        let connections = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS as usize));
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped, Arc::clone(&connections)));
        Ok(Self { addr, shared, stop, accept, connections, slots, epoch_ticker: Some(epoch_ticker), ticking })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The counters so far.
    pub fn stats(&self) -> ServeStats {
        self.shared.stats.snapshot()
    }

    /// Stops accepting connections, waits up to
    /// [`ServeOptions::shutdown_grace`] for the requests in flight, then
    /// ends the instances. Returns the final counters.
    pub async fn shutdown(mut self) -> ServeStats {
        let _ = self.stop.send(true);
        let _ = (&mut self.accept).await;
        let grace = self.shared.options.shutdown_grace;
        let all = self.connections.acquire_many(MAX_CONNECTIONS);
        if tokio::time::timeout(grace, all).await.is_err() {
            let left = MAX_CONNECTIONS as usize - self.connections.available_permits();
            eprintln!("{LOG_PREFIX}: {left} connection(s) still open after {grace:?}; stopping anyway");
        }
        self.shared.queue.close();
        let slots = std::mem::take(&mut self.slots);
        let joined = tokio::task::spawn_blocking(move || slots.into_iter().for_each(|slot| drop(slot.join())));
        if tokio::time::timeout(grace, joined).await.is_err() {
            eprintln!("{LOG_PREFIX}: an instance is still busy after {grace:?} (stuck in a host call?); leaving it");
        }
        self.stats()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.shared.queue.close();
        self.ticking.store(false, Ordering::Relaxed);
        if let Some(ticker) = self.epoch_ticker.take() {
            let _ = ticker.join();
        }
    }
}

impl Stats {
    fn snapshot(&self) -> ServeStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ServeStats {
            requests: get(&self.requests),
            guest_responses: get(&self.guest_responses),
            server_errors: get(&self.server_errors),
            timeouts: get(&self.timeouts),
            traps: get(&self.traps),
            instances_started: get(&self.instances_started),
            in_flight: get(&self.in_flight),
            table_entries: self.table_entries.iter().map(|n| n.load(Ordering::Relaxed)).collect(),
        }
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    connections: Arc<tokio::sync::Semaphore>,
) {
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = stopped.changed() => return,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait, don't spin.
                    log::warn!("accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(handle(&shared, peer, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util_timer::TokioTimer)
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = stop_requested(&mut stopped) => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                log::debug!("connection from {peer}: {error}");
            }
        });
    }
}

/// Resolves once [`Server::shutdown`] (or the server's drop) asks to stop.
async fn stop_requested(stopped: &mut tokio::sync::watch::Receiver<bool>) {
    while !*stopped.borrow_and_update() {
        if stopped.changed().await.is_err() {
            return;
        }
    }
}

/// Answers one request: hands it to an instance and waits for its reply.
async fn handle(shared: &Shared, peer: SocketAddr, request: http::Request<Incoming>) -> http::Response<WasiBody> {
    let arrived = Instant::now();
    let stats = &shared.stats;
    let options = &shared.options;
    stats.requests.fetch_add(1, Ordering::Relaxed);
    stats.in_flight.fetch_add(1, Ordering::Relaxed);
    let method = request.method().clone();
    let path = request.uri().path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let exceeded = Arc::new(AtomicBool::new(false));
    let (response, instance) = match forward(shared, request, arrived, &exceeded).await {
        // However the guest took its failed read, the answer is 413.
        _ if exceeded.load(Ordering::Relaxed) => (too_large(options.max_body_bytes), None),
        Ok((mut response, instance)) => {
            stats.guest_responses.fetch_add(1, Ordering::Relaxed);
            response.headers_mut().remove(GENERATED_BY_SERVER);
            (response, Some(instance))
        }
        Err((status, message, instance)) => (plain(status, &message), instance),
    };
    let status = response.status().as_u16();
    if response.headers().contains_key(GENERATED_BY_SERVER) {
        stats.server_errors.fetch_add(1, Ordering::Relaxed);
        if status == 504 {
            stats.timeouts.fetch_add(1, Ordering::Relaxed);
        }
    }
    stats.in_flight.fetch_sub(1, Ordering::Relaxed);
    if options.log_requests {
        let by = instance.map_or_else(|| "server".to_owned(), |i| format!("instance {i}"));
        eprintln!(
            "{LOG_PREFIX}: {peer} \"{method} {path}\" {status} {:.1} ms ({by})",
            arrived.elapsed().as_secs_f64() * 1e3
        );
    }
    response
}

/// The header on every response the server makes itself, so clients (and
/// the counters) can tell them from the guest's.
const GENERATED_BY_SERVER: &str = "x-wasi-webgpu-run";

type Failure = (u16, String, Option<usize>);

async fn forward(
    shared: &Shared,
    request: http::Request<Incoming>,
    arrived: Instant,
    exceeded: &Arc<AtomicBool>,
) -> Result<(http::Response<WasiBody>, usize), Failure> {
    let options = &shared.options;
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > options.max_body_bytes) {
        exceeded.store(true, Ordering::Relaxed);
        return Err((413, String::new(), None));
    }
    let (mut parts, body) = request.into_parts();
    // The guest sees an absolute URL, as wasi:http's `request.get-authority`
    // and `get-scheme` expect of a server request.
    let authority = parts.headers.get(http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri = format!("http://{authority}{path}")
        .parse()
        .map_err(|_| (400, format!("the request's Host `{authority}` is not a valid authority"), None))?;
    let body = LimitedBody::new(body, options.max_body_bytes, Arc::clone(exceeded)).boxed_unsync();
    let deadline = arrived + options.request_timeout;
    let (reply, replied) = tokio::sync::oneshot::channel();
    let job = Job { request: http::Request::from_parts(parts, body), reply, deadline };
    if shared.queue.push(job).is_err() {
        return Err((503, "the server is shutting down".into(), None));
    }
    // The instance answers 504 itself at the deadline; this covers an
    // instance stuck in a host call, which cannot.
    let wait = options.request_timeout + Duration::from_secs(1);
    match tokio::time::timeout_at((arrived + wait).into(), replied).await {
        Ok(Ok(Reply::Response { response, instance })) => Ok((response, instance)),
        Ok(Ok(Reply::Error { status, message, instance })) => Err((status, message, Some(instance))),
        Ok(Err(_)) => Err((503, "the instance serving the request stopped before answering".into(), None)),
        Err(_) => Err((
            504,
            format!(
                "no answer within the request timeout ({:?}); the instance may be stuck in a host call",
                options.request_timeout
            ),
            None,
        )),
    }
}

fn plain(status: u16, message: &str) -> http::Response<WasiBody> {
    let body =
        Full::new(Bytes::from(format!("{message}\n"))).map_err(|never: Infallible| match never {}).boxed_unsync();
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(GENERATED_BY_SERVER, http::HeaderValue::from_static("1"));
    response
}

fn too_large(limit: u64) -> http::Response<WasiBody> {
    let mut response = plain(413, &format!("the request body is over the server's limit of {limit} bytes"));
    // The rest of the body is not read, so the connection cannot be reused.
    response.headers_mut().insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
    response
}

/// hyper's timers (the header read timeout) on tokio.
mod hyper_util_timer {
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant};

    use hyper::rt::{Sleep, Timer};

    #[derive(Clone, Copy, Debug)]
    pub(super) struct TokioTimer;

    struct TokioSleep(Pin<Box<tokio::time::Sleep>>);

    impl Future for TokioSleep {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.0.as_mut().poll(cx)
        }
    }

    impl Sleep for TokioSleep {}

    impl Timer for TokioTimer {
        fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
            Box::pin(TokioSleep(Box::pin(tokio::time::sleep(duration))))
        }

        fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
            Box::pin(TokioSleep(Box::pin(tokio::time::sleep_until(deadline.into()))))
        }
    }
}
