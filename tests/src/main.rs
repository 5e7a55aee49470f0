//! `wasi-webgpu-run`: runs a wasi:webgpu guest component, building it first
//! when given a guest crate directory.
//!
//! stdout is exactly the guest's stdout, so the output can be piped and
//! compared; everything the runner says goes to stderr, prefixed with
//! `wasi-webgpu-run:`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use wasi_webgpu_host::wgpu_types::RequestAdapterError;
use wasi_webgpu_host::{
    GuestStatus, LOG_PREFIX, NO_ADAPTER_HELP, RunOptions, Runner, build_guest, describe_adapter, ensure_xdg_runtime_dir,
};

const USAGE: &str = "\
usage: wasi-webgpu-run [OPTIONS] <COMPONENT.wasm | GUEST-CRATE-DIR> [--] [ARGS...]

Runs a wasi:webgpu guest component. Given a crate directory, builds it for
wasm32-wasip2 (release) first. ARGS are passed to the guest after its program
name.

options:
  -e, --env NAME=VALUE   set an environment variable for the guest (repeatable)
      --dir HOST[::GUEST]
                         give the guest read-write access to a host directory
                         (GUEST defaults to HOST)
      --timeout SECONDS  stop the guest after this long (exit code 124)
      --no-cache         compile the component even if a cached copy exists
  -v, --verbose          report the build artifact, cache use and timings
  -h, --help             print this help

exit status: the guest's (0 when `run` returns Ok, 1 when it returns Err, the
code passed to wasi:cli/exit); 101 when the guest traps (e.g. panics) or a host
function panics; 124 on timeout; 2 when the runner itself fails (bad usage,
build error, invalid component).

environment: WASI_WEBGPU_CACHE_DIR (compiled-component cache, default
$XDG_CACHE_HOME/wasi-webgpu or ~/.cache/wasi-webgpu),
WASI_WEBGPU_GUEST_TARGET_DIR (target directory for guest builds).";

/// Exit code when the runner fails before the guest starts.
const RUNNER_FAILURE: u8 = 2;

struct Cli {
    target: PathBuf,
    opts: RunOptions,
    no_cache: bool,
    verbose: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Cli>> {
    let mut opts = RunOptions::default();
    let mut no_cache = false;
    let mut verbose = false;
    let target = loop {
        let Some(arg) = args.next() else {
            bail!("missing the component or guest crate directory to run");
        };
        let mut value = |name: &str| args.next().with_context(|| format!("option {name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "-v" | "--verbose" => verbose = true,
            "--no-cache" => no_cache = true,
            "-e" | "--env" => {
                let pair = value(&arg)?;
                let (name, val) =
                    pair.split_once('=').with_context(|| format!("--env expects NAME=VALUE, got `{pair}`"))?;
                opts.env.push((name.to_owned(), val.to_owned()));
            }
            "--dir" => {
                let spec = value(&arg)?;
                let (host, guest) = spec.split_once("::").unwrap_or((&spec, &spec));
                opts.dirs.push((PathBuf::from(host), guest.to_owned()));
            }
            "--timeout" => {
                let secs = value(&arg)?;
                let secs: f64 = secs
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .with_context(|| format!("--timeout expects seconds, got `{secs}`"))?;
                opts.timeout = Some(Duration::from_secs_f64(secs));
            }
            "--" => {
                break args.next().context("missing the component or guest crate directory after `--`")?;
            }
            flag if flag.starts_with('-') && flag.len() > 1 => {
                bail!("unknown option `{flag}`")
            }
            _ => break arg,
        }
    };
    let mut rest: Vec<String> = args.collect();
    if rest.first().is_some_and(|a| a == "--") {
        rest.remove(0);
    }
    opts.args = rest;
    Ok(Some(Cli { target: PathBuf::from(target), opts, no_cache, verbose }))
}

fn main() -> ExitCode {
    // SAFETY: first thing in `main`, before any thread exists.
    unsafe { ensure_xdg_runtime_dir() };
    let cli = match parse_args(std::env::args().skip(1)) {
        Ok(Some(cli)) => cli,
        Ok(None) => {
            // `--help | head` closes the pipe early; that is not an error.
            let _ = writeln!(std::io::stdout(), "{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let synopsis = USAGE.lines().next().unwrap_or_default();
            eprintln!("{LOG_PREFIX}: {e:#}\n{synopsis}\n(run `wasi-webgpu-run --help` for the options)");
            return ExitCode::from(RUNNER_FAILURE);
        }
    };
    match run(cli) {
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

fn run(cli: Cli) -> Result<i32> {
    let started = Instant::now();
    // Creating the GPU instance takes a while; do it while cargo builds.
    let runner = std::thread::spawn(move || if cli.no_cache { Runner::with_cache_dir(None) } else { Runner::new() });
    let wasm = if cli.target.is_dir() {
        let wasm = build_guest(&cli.target)?;
        if cli.verbose {
            eprintln!("{LOG_PREFIX}: built {} in {:.0?}", wasm.display(), started.elapsed());
        }
        wasm
    } else if cli.target.exists() {
        cli.target.clone()
    } else {
        bail!("{} does not exist", cli.target.display());
    };
    let runner = runner.join().map_err(|_| anyhow::anyhow!("creating the runner panicked"))??;

    match runner.adapter_info() {
        Ok(info) => eprintln!("{LOG_PREFIX}: adapter: {}", describe_adapter(&info)),
        Err(RequestAdapterError::NotFound { .. }) => eprintln!("{LOG_PREFIX}: {NO_ADAPTER_HELP}"),
        Err(e) => {
            eprintln!("{LOG_PREFIX}: requesting a GPU adapter failed ({e}); {NO_ADAPTER_HELP}")
        }
    }

    let outcome = runner.run(&wasm, &cli.opts)?;
    if cli.verbose {
        let how = if outcome.compiled_from_cache { "loaded from cache" } else { "compiled" };
        eprintln!(
            "{LOG_PREFIX}: component {how} in {:.1?}, ran in {:.1?}, total {:.1?}",
            outcome.load_time,
            outcome.run_time,
            started.elapsed()
        );
        if let GuestStatus::Trapped(_) = outcome.status
            && let Some(details) = &outcome.trap_details
        {
            eprintln!("{LOG_PREFIX}: trap details:\n{details}");
        }
    }
    Ok(outcome.exit_code)
}
