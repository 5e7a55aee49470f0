//! `wasi-webgpu-run serve`: a wasi:http/handler@0.3.0 component behind an
//! HTTP/1.1 server ([`wasi_webgpu_host::Server`]) until SIGINT or SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use wasi_webgpu_host::{LOG_PREFIX, ServeOptions, Server};

use crate::cli::{Common, common_option, parse_seconds, prepare};

pub(crate) const SERVE_USAGE: &str = "\
usage: wasi-webgpu-run serve [OPTIONS] <COMPONENT.wasm | GUEST-CRATE-DIR> [--] [ARGS...]

Serves a component that exports wasi:http/handler@0.3.0 (built first when
given a crate directory) until SIGINT or SIGTERM, then lets the requests in
flight finish. One line per request on stderr. Each instance keeps its GPU
state (device, pipelines, weights) for every request it serves, up to
--concurrency at once; after a trap the requests it was serving get a 500
and the next request gets a fresh instance.

options:
      --addr ADDR        listen on ADDR (default 127.0.0.1:8080; port 0 picks
                         a free one, printed in the `serving` line)
      --instances N      component instances serving at once (default 1)
      --concurrency N    requests one instance serves at once (default 64)
      --max-requests N   replace an instance after N requests (default: never)
      --request-timeout SECONDS
                         answer 504 to a request without a response by then
                         (default 60); a guest that holds its thread past it
                         loses its instance
      --max-body BYTES   answer 413 to a larger request body (default 16 MiB)
      --shutdown-grace SECONDS
                         how long shutdown waits for requests (default 30)
      --no-request-log   no line per request
  -e, --env, --dir, --adapter, --backend, --no-cache, -q, -v: as for a run
  -h, --help             print this help

SIGUSR1 prints a `stats:` line: the counters, each instance's wasmtime
resource-table size after its last request, and the process's RSS.";

#[derive(Debug)]
pub(crate) struct ServeCli {
    target: PathBuf,
    options: ServeOptions,
    pub(crate) common: Common,
    help: bool,
}

pub(crate) fn parse(mut args: impl Iterator<Item = String>, mut common: Common) -> Result<ServeCli> {
    let mut options = ServeOptions::default();
    let target = loop {
        let Some(arg) = args.next() else {
            bail!("serve: missing the component or guest crate directory to serve");
        };
        if arg == "-h" || arg == "--help" {
            return Ok(ServeCli { target: PathBuf::new(), options, common, help: true });
        }
        let mut value = |name: &str| args.next().with_context(|| format!("option {name} needs a value"));
        if common_option(&arg, &mut value, &mut common)? {
            continue;
        }
        let count = |name: &str, text: String| -> Result<u64> {
            text.parse()
                .ok()
                .filter(|&n| n > 0)
                .with_context(|| format!("{name} expects a positive count, got `{text}`"))
        };
        match arg.as_str() {
            "--addr" => {
                let text = value(&arg)?;
                options.addr = text
                    .parse::<SocketAddr>()
                    .with_context(|| format!("--addr expects IP:PORT (e.g. 127.0.0.1:8080), got `{text}`"))?;
            }
            "--instances" => options.instances = count(&arg, value(&arg)?)? as usize,
            "--concurrency" => options.max_concurrent = count(&arg, value(&arg)?)? as usize,
            "--max-requests" => options.max_requests = Some(count(&arg, value(&arg)?)?),
            "--max-body" => options.max_body_bytes = count(&arg, value(&arg)?)?,
            "--request-timeout" => options.request_timeout = parse_seconds(&arg, &value(&arg)?)?,
            "--shutdown-grace" => options.shutdown_grace = parse_seconds(&arg, &value(&arg)?)?,
            "--no-request-log" => options.log_requests = false,
            "--" => break args.next().context("serve: missing the component or guest crate directory after `--`")?,
            flag if flag.starts_with('-') && flag.len() > 1 => bail!("unknown option `{flag}` of `serve`"),
            _ => break arg,
        }
    };
    let mut rest: Vec<String> = args.collect();
    if rest.first().is_some_and(|a| a == "--") {
        rest.remove(0);
    }
    options.args = rest;
    options.env = std::mem::take(&mut common.env);
    options.dirs = std::mem::take(&mut common.dirs);
    Ok(ServeCli { target: PathBuf::from(target), options, common, help: false })
}

pub(crate) fn run(cli: ServeCli) -> Result<i32> {
    if cli.help {
        let _ = writeln!(std::io::stdout(), "{SERVE_USAGE}");
        return Ok(0);
    }
    let ServeCli { target, mut options, common, .. } = cli;
    let (runner, wasm, _) = prepare(&target, common.config, common.quiet)?;
    let bytes = std::fs::read(&wasm).with_context(|| format!("failed to read {}", wasm.display()))?;
    let (component, _) = runner.load(&bytes).with_context(|| format!("{} is not a component", wasm.display()))?;
    options.program_name =
        wasm.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "service".into());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wasi-webgpu-serve-http")
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(async {
        let instances = options.instances;
        let concurrency = options.max_concurrent;
        let server = Server::start(&runner, &component, options).await?;
        // Tests and scripts wait for this line (and read the port from it).
        eprintln!(
            "{LOG_PREFIX}: serving http://{} ({instances} instance(s), up to {concurrency} requests each)",
            server.local_addr()
        );
        wait_for_shutdown(&server).await?;
        let in_flight = server.stats().in_flight;
        eprintln!("{LOG_PREFIX}: shutting down; {in_flight} request(s) in flight");
        let stats = server.shutdown().await;
        eprintln!(
            "{LOG_PREFIX}: stopped after {} request(s): {} answered by the guest, {} by the server ({} timed out), \
             {} instance(s) made, {} trapped",
            stats.requests,
            stats.guest_responses,
            stats.server_errors,
            stats.timeouts,
            stats.instances_started,
            stats.traps
        );
        Ok(0)
    })
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM; prints a `stats:` line on each
/// SIGUSR1 meanwhile.
async fn wait_for_shutdown(server: &Server) -> Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        let mut usr1 = signal(SignalKind::user_defined1()).context("cannot watch SIGUSR1")?;
        loop {
            tokio::select! {
                result = tokio::signal::ctrl_c() => return result.context("cannot watch SIGINT"),
                _ = term.recv() => return Ok(()),
                _ = usr1.recv() => eprintln!("{LOG_PREFIX}: stats: {}", stats_line(server)),
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = server;
        tokio::signal::ctrl_c().await.context("cannot watch Ctrl-C")
    }
}

/// The server's counters and the process's resident memory, one line.
fn stats_line(server: &Server) -> String {
    let s = server.stats();
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1).map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into());
    format!(
        "requests={} in_flight={} guest_responses={} server_errors={} timeouts={} instances_started={} traps={} \
         table_entries={:?} rss_kib={rss}",
        s.requests,
        s.in_flight,
        s.guest_responses,
        s.server_errors,
        s.timeouts,
        s.instances_started,
        s.traps,
        s.table_entries
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn parse_line(args: &[&str]) -> Result<ServeCli> {
        parse(args.iter().map(|a| (*a).to_owned()), Common::default())
    }

    #[test]
    fn serve_options() {
        let cli = parse_line(&[
            "--addr",
            "127.0.0.1:0",
            "--instances",
            "2",
            "--concurrency",
            "8",
            "--max-requests",
            "100",
            "--request-timeout",
            "2.5",
            "--max-body",
            "1024",
            "--dir",
            "/m::/model",
            "-e",
            "A=1",
            "svc.wasm",
            "--",
            "--flag",
        ])
        .unwrap();
        assert_eq!(cli.target, PathBuf::from("svc.wasm"));
        assert_eq!(cli.options.addr, "127.0.0.1:0".parse().unwrap());
        assert_eq!((cli.options.instances, cli.options.max_concurrent), (2, 8));
        assert_eq!(cli.options.max_requests, Some(100));
        assert_eq!(cli.options.request_timeout, Duration::from_millis(2500));
        assert_eq!(cli.options.max_body_bytes, 1024);
        assert_eq!(cli.options.dirs, [(PathBuf::from("/m"), "/model".to_owned())]);
        assert_eq!(cli.options.env, [("A".to_owned(), "1".to_owned())]);
        assert_eq!(cli.options.args, ["--flag"]);
        for bad in
            [&["--addr", "localhost", "x.wasm"][..], &["--instances", "0", "x.wasm"], &["--bogus", "x.wasm"], &[]]
        {
            assert!(parse_line(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
