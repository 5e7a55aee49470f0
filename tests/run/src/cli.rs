//! The command line: runs a wasi:webgpu guest component, building it first
//! when given a guest crate directory; `wasi-webgpu-run new <dir>` creates a
//! guest crate.
//!
//! stdout is exactly the guest's stdout, so the output can be piped and
//! compared; everything the runner says goes to stderr, prefixed with
//! `wasi-webgpu-run:`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use wasi_webgpu_host::wgpu_types::RequestAdapterError;
use wasi_webgpu_host::{
    AdapterChoice, GuestStatus, LOG_PREFIX, RunOptions, Runner, RunnerConfig, describe_adapter, ensure_xdg_runtime_dir,
    parse_backends,
};

use crate::{BuildOptions, SdkSource, Template, build_guest_with, new_guest};

const USAGE: &str = "\
usage: wasi-webgpu-run [OPTIONS] <COMPONENT.wasm | GUEST-CRATE-DIR> [--] [ARGS...]
       wasi-webgpu-run serve [OPTIONS] <COMPONENT.wasm | GUEST-CRATE-DIR> [--] [ARGS...]
       wasi-webgpu-run new [--ops] <DIR>
       wasi-webgpu-run --list-adapters [--backend LIST]

Runs a wasi:webgpu guest component. Given a crate directory, builds it for
wasm32-wasip2 (release) first. ARGS are passed to the guest after its program
name. `new DIR` creates a guest crate in the new directory DIR, with one
compute kernel (with --ops: one call of wasi-webgpu-ops' matmul instead);
`wasi-webgpu-run DIR` then builds and runs it. `serve` serves a
wasi:http/handler@0.3.0 component over HTTP (`serve --help` for its options).

options:
  -e, --env NAME=VALUE   set an environment variable for the guest (repeatable)
      --dir HOST[::GUEST]
                         give the guest read-write access to a host directory
                         (GUEST defaults to HOST; repeatable)
      --timeout SECONDS  stop the guest after this long, with one line on
                         stderr and exit code 124. Covers a guest waiting on
                         the host, one running its own code without end (a
                         loop, a CPU-device kernel), and one stuck inside a
                         host call (e.g. waiting for GPU work that does not
                         end): 1 s after the deadline the runner ends the
                         process, the GPU work with it. Reading and compiling
                         the component are not counted.
      --list-adapters    print the GPU adapters, one per line with its index,
                         name, backend and device type, and exit
      --adapter INDEX|NAME
                         give the guest this adapter (an index from
                         --list-adapters, or part of a name), whatever the
                         guest's request-adapter options
      --backend LIST     create the GPU instance with only these backends,
                         comma-separated: vulkan, gl, metal, dx12, noop (noop
                         runs no GPU work; it is only used when named)
      --no-cache         compile the component even if a cached copy exists
  -q, --quiet            print only errors: not the adapter line, the exit
                         summary or cargo's progress
  -v, --verbose          log the build, the cache and timings (-vv: more)
  -h, --help             print this help

exit status: the guest's (0 when `run` returns Ok, 1 when it returns Err, the
code passed to wasi:cli/exit); 101 when the guest traps (e.g. panics, runs out
of memory, passes one host call too much data) or a host function panics;
124 on timeout; 2 when the runner itself fails (bad usage, build error, invalid
component). Each failure ends with one `wasi-webgpu-run:` line saying what
happened.

environment: RUST_LOG (the runner's logging, e.g. `debug` or
`wasi_webgpu_host=debug,wgpu_core=warn`; overrides -v),
WASI_WEBGPU_CACHE_DIR (compiled-component cache, default
$XDG_CACHE_HOME/wasi-webgpu or ~/.cache/wasi-webgpu),
WASI_WEBGPU_GUEST_TARGET_DIR (target directory for guest builds; default: for
a crate that is its own workspace, like those `new` makes, one shared by all
such crates, guest-target in the cache directory, so the SDK is built once;
for a crate in a larger workspace, wasi-webgpu-guests in its target directory).";

/// Exit code when the runner fails before the guest starts.
const RUNNER_FAILURE: u8 = 2;

/// What the command line asks for.
#[derive(Debug)]
enum Action {
    Help,
    Run(Cli),
    New(PathBuf, Template),
    ListAdapters(RunnerConfig),
    Serve(crate::serve::ServeCli),
}

#[derive(Debug)]
struct Cli {
    target: PathBuf,
    opts: RunOptions,
    config: RunnerConfig,
    quiet: bool,
}

/// The parsed command line, and the verbosity for the logger, which is set up
/// even when the rest fails to parse.
fn parse_args(args: impl Iterator<Item = String>) -> (u8, Result<Action>) {
    let mut verbosity = 0;
    let action = parse_action(args, &mut verbosity);
    (verbosity, action)
}

fn parse_action(mut args: impl Iterator<Item = String>, verbosity: &mut u8) -> Result<Action> {
    let mut opts = RunOptions::default();
    let mut shared = Common { verbosity: *verbosity, ..Common::default() };
    let mut list_adapters = false;
    let mut seen_option = false;
    let target = loop {
        let Some(arg) = args.next() else {
            if list_adapters {
                *verbosity = shared.verbosity;
                return Ok(Action::ListAdapters(shared.config));
            }
            bail!("missing the component or guest crate directory to run");
        };
        if arg == "-h" || arg == "--help" {
            return Ok(Action::Help);
        }
        let mut value = |name: &str| args.next().with_context(|| format!("option {name} needs a value"));
        if common_option(&arg, &mut value, &mut shared)? {
            seen_option = true;
            continue;
        }
        match arg.as_str() {
            "--list-adapters" => list_adapters = true,
            "--timeout" => {
                let secs = value(&arg)?;
                opts.timeout = Some(parse_seconds("--timeout", &secs)?);
            }
            "--" => {
                break args.next().context("missing the component or guest crate directory after `--`")?;
            }
            "serve" if !seen_option && !list_adapters => {
                let cli = crate::serve::parse(args, shared)?;
                *verbosity = cli.common.verbosity;
                return Ok(Action::Serve(cli));
            }
            "new" if !seen_option && !list_adapters => {
                let (mut dir, mut template) = (None, Template::Kernel);
                for arg in args {
                    match arg.as_str() {
                        "--ops" => template = Template::Ops,
                        flag if flag.starts_with('-') && flag.len() > 1 => bail!("unknown option `{flag}` of `new`"),
                        _ if dir.is_some() => bail!("`new` takes one directory, got `{arg}` too"),
                        _ => dir = Some(PathBuf::from(arg)),
                    }
                }
                let dir = dir.context("`new` needs the directory of the guest crate to create")?;
                return Ok(Action::New(dir, template));
            }
            flag if flag.starts_with('-') && flag.len() > 1 => {
                bail!("unknown option `{flag}`")
            }
            _ => break arg,
        }
        seen_option = true;
    };
    if list_adapters {
        bail!("--list-adapters takes no component (got `{target}`)");
    }
    *verbosity = shared.verbosity;
    let mut rest: Vec<String> = args.collect();
    if rest.first().is_some_and(|a| a == "--") {
        rest.remove(0);
    }
    opts.args = rest;
    opts.env = std::mem::take(&mut shared.env);
    opts.dirs = std::mem::take(&mut shared.dirs);
    Ok(Action::Run(Cli { target: PathBuf::from(target), opts, config: shared.config, quiet: shared.quiet }))
}

/// The options `run` and `serve` share.
#[derive(Debug, Default)]
pub(crate) struct Common {
    pub(crate) verbosity: u8,
    pub(crate) quiet: bool,
    pub(crate) config: RunnerConfig,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) dirs: Vec<(PathBuf, String)>,
}

/// Takes `arg` if it is one of the [`Common`] options (reading its value
/// with `value`); `Ok(false)` if it is not.
pub(crate) fn common_option(
    arg: &str,
    value: &mut impl FnMut(&str) -> Result<String>,
    common: &mut Common,
) -> Result<bool> {
    match arg {
        "-v" | "--verbose" => common.verbosity += 1,
        "-vv" => common.verbosity += 2,
        "-q" | "--quiet" => common.quiet = true,
        "--no-cache" => common.config.cache_dir = None,
        "--adapter" => common.config.adapter = Some(AdapterChoice::parse(&value(arg)?)?),
        "--backend" | "--backends" => common.config.backends = parse_backends(&value(arg)?)?,
        "-e" | "--env" => {
            let pair = value(arg)?;
            let (name, val) =
                pair.split_once('=').with_context(|| format!("--env expects NAME=VALUE, got `{pair}`"))?;
            if name.is_empty() {
                bail!("--env expects NAME=VALUE, got `{pair}`");
            }
            common.env.push((name.to_owned(), val.to_owned()));
        }
        "--dir" => {
            let spec = value(arg)?;
            let (host, guest) = spec.split_once("::").unwrap_or((&spec, &spec));
            if host.is_empty() || guest.is_empty() {
                bail!("--dir expects HOST or HOST::GUEST, got `{spec}`");
            }
            common.dirs.push((PathBuf::from(host), guest.to_owned()));
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// A positive, finite number of seconds.
pub(crate) fn parse_seconds(option: &str, text: &str) -> Result<Duration> {
    text.parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .with_context(|| format!("{option} expects seconds, got `{text}`"))
}

/// Logs to stderr with the runner's prefix. `RUST_LOG` decides what is
/// logged; without it, `verbosity` does (0: warnings of the runner's own,
/// 1: info, 2: debug).
fn init_logging(verbosity: u8) {
    let level = match verbosity {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let default = format!("wasi_webgpu_host={level},wasi_webgpu_run={level}");
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default))
        .format(|buf, record| writeln!(buf, "{LOG_PREFIX}: [{} {}] {}", record.level(), record.target(), record.args()))
        .init();
}

/// Runs the command line in `std::env::args()` and returns the exit status
/// (see the usage text: `wasi-webgpu-run --help`).
pub fn main() -> ExitCode {
    // SAFETY: first thing in `main`, before any thread exists.
    unsafe { ensure_xdg_runtime_dir() };
    let (verbosity, action) = parse_args(std::env::args().skip(1));
    init_logging(verbosity);
    let result = match action {
        Ok(Action::Help) => {
            // `--help | head` closes the pipe early; that is not an error.
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Action::Run(cli)) => run(cli),
        Ok(Action::New(dir, template)) => new(&dir, template),
        Ok(Action::ListAdapters(config)) => list_adapters(config),
        Ok(Action::Serve(cli)) => crate::serve::run(cli),
        Err(e) => {
            let synopsis = USAGE.lines().next().unwrap_or_default();
            eprintln!("{LOG_PREFIX}: {e:#}\n{synopsis}\n(run `wasi-webgpu-run --help` for the options)");
            return ExitCode::from(RUNNER_FAILURE);
        }
    };
    match result {
        Ok(code) => {
            let _ = std::io::stdout().flush();
            // Exit codes outside 0..=255 (possible through wasi:cli/exit) are
            // truncated by the OS anyway; keep them non-zero.
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Err(e) => {
            eprintln!("{LOG_PREFIX}: error: {e:#}");
            ExitCode::from(RUNNER_FAILURE)
        }
    }
}

fn new(dir: &Path, template: Template) -> Result<i32> {
    let sdk = SdkSource::detect();
    let name = new_guest(dir, &sdk, template)?;
    let crates = if template == Template::Ops { "wasi-webgpu and wasi-webgpu-ops" } else { "wasi-webgpu" };
    let from = match &sdk {
        SdkSource::Path(path) => format!("{crates} from {}", path.display()),
        SdkSource::Registry => format!("{crates} 0.1 from crates.io"),
    };
    eprintln!(
        "{LOG_PREFIX}: created guest crate `{name}` in {} ({from}); run it with `wasi-webgpu-run {}`",
        dir.display(),
        dir.display()
    );
    Ok(0)
}

fn list_adapters(config: RunnerConfig) -> Result<i32> {
    // With `--adapter`, this fails (listing the adapters) unless it names one.
    let runner = Runner::with_config(RunnerConfig { cache_dir: None, ..config })?;
    let adapters = runner.adapters();
    if adapters.is_empty() {
        eprintln!("{LOG_PREFIX}: {}", runner.no_adapter_help());
        return Ok(1);
    }
    let mut stdout = std::io::stdout().lock();
    for (index, info) in adapters.iter().enumerate() {
        let _ = writeln!(stdout, "{index}: {}", describe_adapter(info));
    }
    Ok(0)
}

fn run(cli: Cli) -> Result<i32> {
    let started = Instant::now();
    let (runner, wasm, build_time) = prepare(&cli.target, cli.config.clone(), cli.quiet)?;

    let outcome = runner.run(&wasm, &cli.opts)?;
    if let GuestStatus::Trapped(_) = outcome.status
        && let Some(details) = &outcome.trap_details
    {
        log::info!("trap details:\n{details}");
    }
    if !cli.quiet {
        let ending = match &outcome.status {
            GuestStatus::Ok | GuestStatus::Err | GuestStatus::Exit(_) => "guest exited with",
            GuestStatus::Trapped(_) => "guest trapped, exit status",
            GuestStatus::HostPanicked(_) => "a host function panicked, exit status",
            GuestStatus::TimedOut(_) => "guest timed out, exit status",
        };
        let how = if outcome.compiled_from_cache { "cached" } else { "compiled" };
        let build = build_time.map(|t| format!(", build {}", seconds(t))).unwrap_or_default();
        eprintln!(
            "{LOG_PREFIX}: {ending} {} in {} (load {}, {how}{build}; total {})",
            outcome.exit_code,
            seconds(outcome.run_time),
            seconds(outcome.load_time),
            seconds(started.elapsed())
        );
    }
    if outcome.left_running {
        exit_now(outcome.exit_code);
    }
    Ok(outcome.exit_code)
}

/// The runner for `config` and the component at `target`, built first when
/// `target` is a guest crate directory (the GPU instance, slow to create, is
/// made meanwhile), with the adapter line printed. Also the build's time,
/// when there was one.
pub(crate) fn prepare(target: &Path, config: RunnerConfig, quiet: bool) -> Result<(Runner, PathBuf, Option<Duration>)> {
    let started = Instant::now();
    let runner = std::thread::spawn(move || Runner::with_config(config));
    let (wasm, build_time) = if target.is_dir() {
        let wasm = build_guest_with(target, &BuildOptions { quiet, ..BuildOptions::default() })?;
        log::info!("built {} in {:.1?}", wasm.display(), started.elapsed());
        (wasm, Some(started.elapsed()))
    } else if target.exists() {
        (target.to_path_buf(), None)
    } else {
        bail!("{} does not exist", target.display());
    };
    let runner = runner.join().map_err(|_| anyhow::anyhow!("creating the runner panicked"))??;
    match runner.adapter_info() {
        Ok(info) if !quiet => eprintln!("{LOG_PREFIX}: adapter: {}", describe_adapter(&info)),
        Ok(_) => {}
        Err(RequestAdapterError::NotFound { .. }) => eprintln!("{LOG_PREFIX}: {}", runner.no_adapter_help()),
        Err(e) => {
            eprintln!("{LOG_PREFIX}: requesting a GPU adapter failed ({e}); {}", runner.no_adapter_help())
        }
    }
    Ok((runner, wasm, build_time))
}

/// Ends the process while a guest's thread is still inside a host call,
/// e.g. waiting for GPU work, without running anything that might wait for
/// that call: the runner's drop (it tears down the wgpu-core instance the
/// stuck call is using) and the atexit handlers of the GPU driver. What the runner wrote is flushed first. (On lavapipe a plain
/// `exit` also ended such a run promptly when tried; `_exit` does not depend
/// on the driver.)
fn exit_now(code: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    #[cfg(unix)]
    // SAFETY: `_exit` ends the process at once; nothing runs after it.
    unsafe {
        libc::_exit(code)
    }
    #[cfg(not(unix))]
    std::process::exit(code)
}

/// A duration for people: `0.21 s`, `12.3 ms`, `0.4 ms`.
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs >= 0.1 { format!("{secs:.2} s") } else { format!("{:.1} ms", secs * 1000.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Action> {
        parse_args(args.iter().map(|a| (*a).to_owned())).1
    }

    #[test]
    fn new_takes_one_directory() {
        assert!(matches!(parse(&["new", "demo"]), Ok(Action::New(dir, Template::Kernel)) if dir == Path::new("demo")));
        for args in [["new", "--ops", "demo"], ["new", "demo", "--ops"]] {
            assert!(matches!(parse(&args), Ok(Action::New(dir, Template::Ops)) if dir == Path::new("demo")));
        }
        assert!(parse(&["new"]).is_err());
        assert!(parse(&["new", "--ops"]).is_err());
        assert!(parse(&["new", "--kernel", "demo"]).is_err());
        assert!(parse(&["new", "a", "b"]).is_err());
        // After an option, `new` is a crate directory like any other.
        assert!(matches!(parse(&["-q", "new"]), Ok(Action::Run(cli)) if cli.target == Path::new("new")));
    }

    #[test]
    fn adapter_and_backend_options() {
        let Ok(Action::Run(cli)) = parse(&["--backend", "vulkan,noop", "--adapter", "1", "x.wasm"]) else {
            panic!("parses");
        };
        use wasi_webgpu_host::wgpu_types::Backends;
        assert_eq!(cli.config.backends, Backends::VULKAN | Backends::NOOP);
        assert_eq!(cli.config.adapter, Some(AdapterChoice::Index(1)));
        let Ok(Action::Run(cli)) = parse(&["--adapter", "llvmpipe", "x.wasm"]) else { panic!("parses") };
        assert_eq!(cli.config.adapter, Some(AdapterChoice::Name("llvmpipe".into())));
        assert!(parse(&["--backend", "vulkan,bogus", "x.wasm"]).unwrap_err().to_string().contains("bogus"));
        assert!(matches!(parse(&["--list-adapters"]), Ok(Action::ListAdapters(_))));
        assert!(parse(&["--list-adapters", "x.wasm"]).is_err());
    }

    #[test]
    fn env_and_dir_options() {
        let Ok(Action::Run(cli)) =
            parse(&["-e", "A=1", "--env", "B=x=y", "--dir", "/tmp::/data", "--dir", "/srv", "g.wasm", "--", "-x"])
        else {
            panic!("parses");
        };
        assert_eq!(cli.opts.env, [("A".into(), "1".into()), ("B".into(), "x=y".into())]);
        assert_eq!(
            cli.opts.dirs,
            [(PathBuf::from("/tmp"), "/data".to_owned()), (PathBuf::from("/srv"), "/srv".into())]
        );
        assert_eq!(cli.opts.args, ["-x"]);
        assert!(parse(&["-e", "novalue", "g.wasm"]).is_err());
        assert!(parse(&["-e", "=v", "g.wasm"]).is_err());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(seconds(Duration::from_millis(210)), "0.21 s");
        assert_eq!(seconds(Duration::from_micros(400)), "0.4 ms");
        assert_eq!(seconds(Duration::from_millis(2500)), "2.50 s");
    }
}
