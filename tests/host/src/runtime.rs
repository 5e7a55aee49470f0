//! Wiring of wasmtime, `wasmtime-wasi` and `wasi-webgpu-wasmtime`, and the
//! mapping of a guest's fate to an exit status.
//!
//! Guests are WASI 0.3 commands: the SDK exports `wasi:cli/run@0.3.0` through
//! the `wasip3` crate, while Rust's std on `wasm32-wasip2` still prints through
//! `wasi:cli/*@0.2`. Both WASI versions are therefore linked, plus
//! `wasi:webgpu`, and `run` is called inside `Store::run_concurrent` because it
//! is an async export.
//!
//! The engine, linker and GPU instance live as long as the [`Runner`]; each run
//! gets a fresh `Store`, so guests never see each other's resources.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use wasi_webgpu_wasmtime::{WasiWebGpuCtx, WasiWebGpuCtxView, WasiWebGpuOptions};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::WasmtimeResultExt as _;
use crate::cache::{ComponentCache, default_cache_dir};
use crate::guest_thread::{self, GuestEnd, GuestJob, MemoryWatch};
use crate::wgpu_core::global::Global;
use crate::wgpu_core::id::{DeviceId, QueueId};
use crate::wgpu_types::{
    AdapterInfo, Backends, InstanceDescriptor, InstanceFlags, NoopBackendOptions, RequestAdapterError,
};
use crate::{AdapterChoice, adapter, host_fixes};

/// Exit code for a run that did not finish normally: a wasm trap (a guest
/// panic ends in one; its message was already written to the guest's stderr;
/// so do running out of memory and a call that copies too much data) or a
/// panic inside a host function. Same value as a panicking native Rust
/// program, so scripts treat both alike.
pub const TRAP_EXIT_CODE: i32 = 101;

/// Exit code for a run stopped by [`RunOptions::timeout`], as `timeout(1)`
/// uses.
pub const TIMEOUT_EXIT_CODE: i32 = 124;

/// How long after [`RunOptions::timeout`] a run may take to stop before the
/// runner gives up on it: what a guest blocked inside a host call gets to
/// return to wasm, where the timeout then stops it. See
/// [`RunOutcome::left_running`].
pub const TIMEOUT_GRACE: Duration = Duration::from_secs(1);

/// Stack size of the thread each guest runs on and of the wasmtime stacks
/// (fibers) its wasm code and the host functions it calls run on. Host
/// functions recurse as deep as their input nests: naga parses WGSL
/// recursively, and a shader nested thousands deep overflows a default
/// 2 MiB stack, which kills the process (a stack overflow cannot be caught).
/// Only the pages a run touches take memory.
pub const GUEST_STACK_SIZE: usize = 256 << 20;

/// Captured output is kept in memory; this bounds it so a guest printing in a
/// loop fails with a trap instead of exhausting the test process.
const CAPTURE_LIMIT: usize = 256 << 20;

/// How a guest run is set up.
///
/// `Default` gives what the `wasi-webgpu-run` binary does: no arguments, no
/// environment variables, no directories, and stdio passed through to the
/// process.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// `argv[0]` as the guest sees it; defaults to the component's file stem.
    pub program_name: Option<String>,
    /// Arguments after the program name.
    pub args: Vec<String>,
    /// Environment variables; the guest sees none by default.
    pub env: Vec<(String, String)>,
    /// Collect the guest's stdout and stderr into [`RunOutcome`] instead of
    /// writing them to the process's stdout and stderr. Also gives the guest
    /// an empty stdin instead of the process's.
    pub capture: bool,
    /// Host directories to preopen, as `(host path, guest path)`, read-write.
    pub dirs: Vec<(PathBuf, String)>,
    /// Stop the guest after this long: the run ends with
    /// [`GuestStatus::TimedOut`] (exit code 124), one line on stderr.
    ///
    /// It covers a guest waiting on the host (a timer, an async host
    /// function), a guest running its own code without end (`loop {}`, a CPU
    /// device kernel that never finishes: wasmtime's epoch interruption stops
    /// it within milliseconds of the deadline), and a guest blocked inside a
    /// synchronous host call, e.g. the reference host's `map-async` waiting
    /// for GPU work that runs for hours. That last one no code can
    /// interrupt: [`TIMEOUT_GRACE`] after the deadline, the run returns
    /// anyway with [`RunOutcome::left_running`] set, leaving the guest's
    /// thread inside the call (with its store and GPU objects) until the call
    /// returns, maybe never. `wasi-webgpu-run` then ends the process. A
    /// library user may carry on, and guests that need no GPU run at once;
    /// but the stuck work goes on using the GPU, and the reference host's
    /// wait holds wgpu-core's device registry, so until that work ends every
    /// later `request-device` and `map-async` waits for it (and times out in
    /// turn).
    ///
    /// Not covered: time spent before the guest starts (reading, compiling
    /// and instantiating the component).
    pub timeout: Option<Duration>,
}

impl RunOptions {
    /// Options that capture stdout and stderr: what tests usually want.
    pub fn captured() -> Self {
        Self { capture: true, ..Self::default() }
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Preopens `host` as `guest` (read-write).
    pub fn dir(mut self, host: impl Into<PathBuf>, guest: impl Into<String>) -> Self {
        self.dirs.push((host.into(), guest.into()));
        self
    }

    /// Sets [`RunOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// How a guest run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuestStatus {
    /// `run` returned `Ok(())`. Exit code 0.
    Ok,
    /// `run` returned `Err(())`. Exit code 1.
    Err,
    /// The guest called `wasi:cli/exit` with this code.
    Exit(i32),
    /// The guest trapped, for example after a panic. Holds the one-line
    /// reason. Exit code [`TRAP_EXIT_CODE`].
    Trapped(String),
    /// A host function panicked (e.g. a part of `wasi-webgpu-wasmtime` that
    /// is not implemented yet, reached by a guest's call). Holds the
    /// runner's one line about it: the WIT function where the backtrace
    /// names it (`host function gpu-queue.label panicked: not yet implemented
    /// (wasi-webgpu-wasmtime-0.5.0/src/trait_impls.rs:…)`), the panic message
    /// and where it panicked. Exit code [`TRAP_EXIT_CODE`]; the runner stays
    /// usable.
    HostPanicked(String),
    /// [`RunOptions::timeout`] elapsed. Exit code [`TIMEOUT_EXIT_CODE`].
    TimedOut(Duration),
}

impl GuestStatus {
    /// The process exit code this status maps to.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::Err => 1,
            Self::Exit(code) => *code,
            Self::Trapped(_) | Self::HostPanicked(_) => TRAP_EXIT_CODE,
            Self::TimedOut(_) => TIMEOUT_EXIT_CODE,
        }
    }
}

/// The result of a guest run.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// How the guest ended.
    pub status: GuestStatus,
    /// `status.exit_code()`, for convenience.
    pub exit_code: i32,
    /// Captured stdout; empty unless [`RunOptions::capture`] was set.
    pub stdout: Vec<u8>,
    /// Captured stderr, followed by the runner's own line on a trap, host
    /// panic or timeout; empty unless [`RunOptions::capture`] was set.
    pub stderr: Vec<u8>,
    /// The full error (with wasm backtrace) behind a trap, for debugging.
    pub trap_details: Option<String>,
    /// The run timed out while the guest was inside a host call that had not
    /// returned [`TIMEOUT_GRACE`] after the deadline. Its thread was left
    /// running inside that call, holding the guest's store and GPU objects
    /// until the call returns; see [`RunOptions::timeout`].
    pub left_running: bool,
    /// Whether the compiled component came from the cache (on disk, or in
    /// memory for a component this runner loaded before) rather than being
    /// compiled.
    pub compiled_from_cache: bool,
    /// Time spent compiling or loading the component.
    pub load_time: Duration,
    /// Time from instantiation to the end of `run`.
    pub run_time: Duration,
}

impl RunOutcome {
    /// `true` if the exit code is 0.
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// Captured stdout as text (lossy UTF-8).
    pub fn stdout_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Captured stderr as text (lossy UTF-8).
    pub fn stderr_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Store data: WASI state and the GPU instance share one resource table.
pub(crate) struct HostState {
    wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) gpu: Arc<Global>,
    gpu_options: WasiWebGpuOptions,
    /// Each queue the guest was given, with its device (see
    /// `host_fixes::device_queue`).
    pub(crate) queue_devices: HashMap<QueueId, DeviceId>,
    pub(crate) memory: MemoryWatch,
    http: WasiHttpCtx,
    http_hooks: NoOutgoingRequests,
}

impl HostState {
    pub(crate) fn new(wasi: WasiCtx, gpu: Arc<Global>) -> Self {
        Self {
            wasi,
            table: ResourceTable::new(),
            gpu,
            gpu_options: WasiWebGpuOptions::default(),
            queue_devices: HashMap::new(),
            memory: MemoryWatch::default(),
            http: WasiHttpCtx::new(),
            http_hooks: NoOutgoingRequests,
        }
    }
}

/// The WASI context of a guest: `argv`, environment and preopened
/// directories; the caller picks its stdio.
pub(crate) fn wasi_builder(
    program_name: &str,
    args: &[String],
    env: &[(String, String)],
    dirs: &[(PathBuf, String)],
) -> Result<WasiCtxBuilder> {
    let mut builder = WasiCtxBuilder::new();
    builder.arg(program_name).args(args).envs(env);
    for (host, guest) in dirs {
        builder
            .preopened_dir(host, guest, FsPerms::ReadWrite)
            .anyhow()
            .with_context(|| format!("failed to preopen {}", host.display()))?;
    }
    Ok(builder)
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.http_hooks }
    }
}

/// Guests get no outgoing HTTP: the reference host is a GPU sandbox, and
/// without `wasmtime-wasi-http`'s default client no TLS stack is built in.
/// `wasi:http/client.send` answers `HTTP-request-denied`.
struct NoOutgoingRequests;

impl WasiHttpHooks for NoOutgoingRequests {
    fn send_request(
        &mut self,
        _request: http::Request<WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        Box::new(std::future::ready(Err(wasmtime_wasi_http::Error::HttpRequestDenied)))
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiWebGpuCtxView for HostState {
    fn webgpu_ctx(&mut self) -> WasiWebGpuCtx<'_> {
        WasiWebGpuCtx { instance: &self.gpu, table: &mut self.table, options: &self.gpu_options }
    }
}

/// How a [`Runner`] is set up: where compiled components are cached and which
/// GPU its guests get.
///
/// `Default` is what [`Runner::new`] uses: the [`default_cache_dir`], every
/// real backend, and the adapter wgpu picks from each guest's
/// `request-adapter` options.
#[derive(Clone, Debug)]
pub struct RunnerConfig {
    /// Directory of the compiled-component cache; `None` keeps compiled
    /// components in memory only, for the runner's lifetime.
    pub cache_dir: Option<PathBuf>,
    /// The backends the GPU instance is created with; guests only see
    /// adapters on these. [`Backends::NOOP`] enables wgpu's noop backend,
    /// which creates and maps buffers but executes no GPU work; the default
    /// leaves it out.
    pub backends: Backends,
    /// The adapter every `request-adapter` call returns, whatever options the
    /// guest passes; `None` lets wgpu pick from the guest's options.
    /// [`Runner::with_config`] fails if no adapter matches.
    pub adapter: Option<AdapterChoice>,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self { cache_dir: default_cache_dir(), backends: Backends::all() - Backends::NOOP, adapter: None }
    }
}

/// A wgpu-core instance on `backends`.
fn gpu_instance(backends: Backends) -> Arc<Global> {
    let mut descriptor = InstanceDescriptor::new_without_display_handle();
    descriptor.backends = backends;
    descriptor.backend_options.noop = NoopBackendOptions { enable: backends.contains(Backends::NOOP) };
    // WebGPU resolves timestamp queries in nanoseconds and has no timestamp
    // period to convert them with; wgpu-core converts them only with this
    // flag (a no-op on GPUs whose period is 1 ns, like lavapipe).
    descriptor.flags |= InstanceFlags::AUTOMATIC_TIMESTAMP_NORMALIZATION;
    let global = Arc::new(Global::new("wasi-webgpu", descriptor, None));
    log::debug!("GPU instance created for backends {backends:?}");
    global
}

/// Runs guest components. Build one and reuse it: it owns the GPU instance
/// (slow to create) and the compiled-component cache.
pub struct Runner {
    engine: Engine,
    linker: Arc<Linker<HostState>>,
    global: Arc<Global>,
    backends: Backends,
    adapter: Option<AdapterChoice>,
    cache: ComponentCache,
}

// Integration tests share one runner across test threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Runner>();
};

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("backends", &self.backends)
            .field("adapter", &self.adapter)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Runner {
    /// A runner with the default [`RunnerConfig`]: caching compiled
    /// components in [`default_cache_dir`].
    pub fn new() -> Result<Self> {
        Self::with_config(RunnerConfig::default())
    }

    /// A runner caching compiled components in `cache_dir`; `None` keeps them
    /// in memory only, for this runner's lifetime.
    pub fn with_cache_dir(cache_dir: Option<PathBuf>) -> Result<Self> {
        Self::with_config(RunnerConfig { cache_dir, ..RunnerConfig::default() })
    }

    /// A runner set up by `config`. Fails if `config.adapter` matches no
    /// adapter; the error lists those there are.
    pub fn with_config(config: RunnerConfig) -> Result<Self> {
        let RunnerConfig { cache_dir, backends, adapter } = config;
        let mut engine_config = Config::new();
        // `wasi:cli/run@0.3.0` is an async export and the webgpu imports are
        // async functions; both need the component-model async ABI.
        engine_config.wasm_component_model_async(true);
        // How RunOptions::timeout stops a guest that never yields.
        engine_config.epoch_interruption(true);
        engine_config.async_stack_size(GUEST_STACK_SIZE);
        let engine = Engine::new(&engine_config).anyhow().context("failed to configure wasmtime")?;

        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .anyhow()
            .context("failed to link wasi:cli@0.2 (used by Rust std)")?;
        wasmtime_wasi::p3::add_to_linker(&mut linker).anyhow().context("failed to link wasi@0.3")?;
        wasi_webgpu_wasmtime::add_to_linker(&mut linker).anyhow().context("failed to link wasi:webgpu")?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker).anyhow().context("failed to link wasi:http@0.3")?;
        host_fixes::install(&mut linker)?;

        let global = gpu_instance(backends);
        if let Some(choice) = &adapter {
            adapter::check_choice(&global, backends, choice)?;
            host_fixes::install_adapter_choice(&mut linker, backends, choice.clone())?;
        }
        let cache = ComponentCache::new(&engine, cache_dir);
        let linker = Arc::new(linker);
        Ok(Self { engine, linker, global, backends, adapter, cache })
    }

    /// The wasmtime engine guests are compiled with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The linker guests are instantiated with.
    pub(crate) fn linker(&self) -> &Linker<HostState> {
        &self.linker
    }

    /// The GPU instance guests share.
    pub fn global(&self) -> &Arc<Global> {
        &self.global
    }

    /// A GPU instance of its own, on the runner's backends: a served
    /// instance's, so that its waits for the GPU (`map-async` waits for
    /// every device of its instance) never wait for another's work.
    pub(crate) fn new_global(&self) -> Arc<Global> {
        gpu_instance(self.backends)
    }

    /// The compiled-component cache.
    pub fn cache(&self) -> &ComponentCache {
        &self.cache
    }

    /// Info of the adapter a guest gets from `request-adapter(none)`: the
    /// chosen one if [`RunnerConfig::adapter`] is set.
    pub fn adapter_info(&self) -> Result<AdapterInfo, RequestAdapterError> {
        adapter::probe(&self.global, self.backends, self.adapter.as_ref())
    }

    /// Why guests of this runner find no adapter, naming the fix (for when
    /// [`Runner::adapter_info`] fails with `NotFound`): the
    /// [`NO_ADAPTER_HELP`](crate::NO_ADAPTER_HELP) message, or with
    /// [`RunnerConfig::backends`] limited, which of them could be started.
    pub fn no_adapter_help(&self) -> String {
        adapter::no_adapter_help(&self.global, self.backends)
    }

    /// Every adapter on the runner's backends, in the order
    /// [`AdapterChoice::Index`] counts them.
    pub fn adapters(&self) -> Vec<AdapterInfo> {
        adapter::list_adapters(&self.global, self.backends)
    }

    /// One line naming the default adapter (see [`crate::describe_adapter`]),
    /// or `None` if there is none; then [`crate::NO_ADAPTER_HELP`] says why.
    pub fn adapter_summary(&self) -> Option<String> {
        self.adapter_info().ok().map(|info| adapter::describe_adapter(&info))
    }

    /// Compiles `wasm` (a component binary), or loads it from the cache.
    /// Returns the component and whether it came from the cache.
    pub fn load(&self, wasm: &[u8]) -> Result<(Component, bool)> {
        self.cache.load_or_compile(&self.engine, wasm)
    }

    /// Runs the component in the file `wasm`.
    ///
    /// Blocks until the guest ends, or with [`RunOptions::timeout`], at most
    /// until the deadline plus [`TIMEOUT_GRACE`]. `Err` means the guest could not be
    /// started (unreadable file, invalid component, missing imports, bad
    /// preopen); everything that happens once it runs, including traps, is in
    /// the [`RunOutcome`].
    ///
    /// Must not be called from inside an async runtime; use
    /// [`Runner::run_async`] there.
    pub fn run(&self, wasm: &Path, opts: &RunOptions) -> Result<RunOutcome> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .context("failed to start the async runtime")?;
        runtime.block_on(self.run_async(wasm, opts))
    }

    /// Async form of [`Runner::run`]; needs a tokio runtime with timers. The
    /// guest runs on a thread of its own either way.
    pub async fn run_async(&self, wasm: &Path, opts: &RunOptions) -> Result<RunOutcome> {
        let bytes = std::fs::read(wasm).with_context(|| format!("failed to read {}", wasm.display()))?;
        let load_start = Instant::now();
        let (component, compiled_from_cache) =
            self.load(&bytes).with_context(|| format!("{} is not a runnable component", wasm.display()))?;
        let load_time = load_start.elapsed();
        let program_name = opts.program_name.clone().unwrap_or_else(|| {
            wasm.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "guest".into())
        });
        let mut outcome = self.run_component_async(&component, &program_name, opts).await?;
        outcome.compiled_from_cache = compiled_from_cache;
        outcome.load_time = load_time;
        Ok(outcome)
    }

    /// Runs an already compiled component with `argv[0] = program_name`.
    ///
    /// The guest runs on a thread of its own (see [`GUEST_STACK_SIZE`]); this
    /// future waits for it, and with [`RunOptions::timeout`] set, stops
    /// waiting at the deadline plus [`TIMEOUT_GRACE`] whatever the guest does.
    pub async fn run_component_async(
        &self,
        component: &Component,
        program_name: &str,
        opts: &RunOptions,
    ) -> Result<RunOutcome> {
        let mut builder = wasi_builder(program_name, &opts.args, &opts.env, &opts.dirs)?;
        let captured = if opts.capture {
            let stdout = MemoryOutputPipe::new(CAPTURE_LIMIT);
            let stderr = MemoryOutputPipe::new(CAPTURE_LIMIT);
            builder.stdout(stdout.clone()).stderr(stderr.clone());
            Some((stdout, stderr))
        } else {
            builder.inherit_stdio();
            None
        };
        let state = HostState::new(builder.build(), Arc::clone(&self.global));

        let run_start = Instant::now();
        let job = GuestJob {
            engine: self.engine.clone(),
            linker: Arc::clone(&self.linker),
            component: component.clone(),
            state,
            timeout: opts.timeout.map(|limit| (limit, run_start + limit)),
        };
        let (end, left_running) = match guest_thread::run(job, &self.engine).await? {
            Some(end) => (end, false),
            None => {
                let limit = opts.timeout.unwrap_or_default();
                let end = GuestEnd {
                    status: GuestStatus::TimedOut(limit),
                    runner_line: format!(
                        "guest timed out after {limit:?} and was still inside a host call {TIMEOUT_GRACE:?} later \
                         (e.g. waiting for GPU work that does not end); the call was left running"
                    ),
                    trap_details: None,
                };
                (end, true)
            }
        };
        let run_time = run_start.elapsed();

        let (stdout, mut stderr) = match &captured {
            Some((out, err)) => (out.contents().to_vec(), err.contents().to_vec()),
            None => (Vec::new(), Vec::new()),
        };
        if !end.runner_line.is_empty() {
            let line = format!("{}: {}\n", crate::LOG_PREFIX, end.runner_line);
            if captured.is_some() {
                stderr.extend_from_slice(line.as_bytes());
            } else {
                eprint!("{line}");
            }
        }
        Ok(RunOutcome {
            exit_code: end.status.exit_code(),
            status: end.status,
            stdout,
            stderr,
            trap_details: end.trap_details,
            left_running,
            compiled_from_cache: false,
            load_time: Duration::ZERO,
            run_time,
        })
    }
}
