//! `wasi-webgpu-run serve` as the tests drive it: the real binary in a
//! child process, curl for single requests and wrk (with Lua checks of every
//! response) for load. Both clients come from Debian (tests/setup.sh).

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `wasi-webgpu-run serve`; killed when dropped.
pub struct Served {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: Arc<Mutex<String>>,
}

/// Starts `wasi-webgpu-run serve --addr 127.0.0.1:0 OPTIONS TARGET` and
/// waits (up to `wait`, a crate directory is built first) for its
/// `serving http://…` line.
pub fn serve(target: &Path, options: &[&str], wait: Duration) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(options)
        .arg(target)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wasi-webgpu-run starts");
    let log = Arc::new(Mutex::new(String::new()));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    for stream in [
        child.stderr.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child.stdout.take().map(|s| Box::new(s) as _),
    ]
    .into_iter()
    .flatten()
    {
        let log = Arc::clone(&log);
        let ready_tx = ready_tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving http://").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or_default().to_owned();
                    let _ = ready_tx.send(addr);
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
    }
    drop(ready_tx);
    let mut served = Served { child: Some(child), base: String::new(), log };
    match ready_rx.recv_timeout(wait) {
        Ok(addr) => served.base = format!("http://{addr}"),
        Err(_) => {
            let status = served.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            panic!("serve did not print its address within {wait:?} (exit {status:?}):\n{}", served.log());
        }
    }
    served
}

impl Served {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything the server wrote so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends `signal` (e.g. `TERM`) and waits up to `wait` for the exit.
    pub fn stop(mut self, signal: &str, wait: Duration) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let sent = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{signal} failed");
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("waitable") {
                // The reader threads see EOF right after.
                std::thread::sleep(Duration::from_millis(100));
                return (status, self.log());
            }
            if start.elapsed() > wait {
                let _ = child.kill();
                panic!("serve did not exit within {wait:?} of SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Asks for the server's `stats:` line (SIGUSR1) and returns it.
    pub fn stats_line(&self) -> String {
        let before = self.log().matches("stats: ").count();
        let sent = Command::new("kill").arg("-USR1").arg(self.pid().to_string()).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -USR1 failed");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            let log = self.log();
            if log.matches("stats: ").count() > before {
                return log.lines().rev().find(|l| l.contains("stats: ")).expect("a stats line").to_owned();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no stats line after SIGUSR1:\n{}", self.log());
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A response as curl saw it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// `curl -s URL ARGS`, with a 120 s limit; status 0 when curl got no
/// response (a connection the server closed).
pub fn curl(url: &str, args: &[&str]) -> Reply {
    let output = Command::new("curl")
        .args(["-s", "--max-time", "120", "-o", "-", "-w", "\n%{http_code}"])
        .args(args)
        .arg(url)
        .output()
        .expect("curl runs (tests/setup.sh installs it)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
    Reply { status: code.trim().parse().unwrap_or(0), body: body.to_owned() }
}

/// What one wrk run measured.
#[derive(Debug)]
pub struct Load {
    pub requests: u64,
    /// Responses with the expected status and body.
    pub good: u64,
    /// Responses with another status or body.
    pub bad: u64,
    /// wrk's connect, read, write and timeout errors.
    pub errors: u64,
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The first bad response, for the assertion message.
    pub first_bad: String,
}

/// One wrk load: `connections` clients over `threads` threads for
/// `seconds`, every request `method path` with `body`; a response is good
/// if its status is 200 and its body passes `check` (Lua: `body ==
/// EXPECTED` for an exact body, or any Lua expression over `body`).
/// (wrk runs for its whole duration: a Lua `wrk.thread:stop()` ends a
/// thread but not the run, so counts are asserted as minimums.)
pub fn wrk(base: &str, connections: u32, threads: u32, seconds: u32, request: &WrkRequest) -> Load {
    let dir = tempfile::tempdir().expect("a temp dir");
    let script = dir.path().join("check.lua");
    let headers =
        if request.body.is_empty() { String::new() } else { r#"["Content-Type"] = "application/json""#.into() };
    let lua = format!(
        r#"local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) good = 0; bad = 0; first_bad = "" end
local payload = wrk.format("{method}", "{path}", {{ {headers} }}, [==[{body}]==])
function request() return payload end
local EXPECTED = [==[{expected}]==]
function response(status, headers, body)
  if status == 200 and ({check}) then good = good + 1 else
    bad = bad + 1
    if first_bad == "" then first_bad = status .. " " .. string.sub(body or "", 1, 200) end
  end
end
function done(summary, latency, requests)
  local g, b, fb = 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good"); b = b + t:get("bad")
    if fb == "" then fb = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d good=%d bad=%d errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, g, b, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
  io.write("WRK first_bad=" .. string.gsub(fb, "\n", " ") .. "\n")
end
"#,
        method = request.method,
        path = request.path,
        body = request.body,
        expected = request.expected,
        check = request.check.as_deref().unwrap_or("body == EXPECTED"),
    );
    assert!(threads <= connections, "wrk needs at least one connection per thread");
    std::fs::write(&script, lua).expect("the wrk script is written");
    let output = Command::new("wrk")
        .arg(format!("-c{connections}"))
        .arg(format!("-t{threads}"))
        .arg(format!("-d{seconds}s"))
        .arg("--timeout")
        .arg("60s")
        .arg("-s")
        .arg(&script)
        .arg(base)
        .output()
        .expect("wrk runs (tests/setup.sh installs it)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("WRK requests="))
        .unwrap_or_else(|| panic!("wrk printed no summary:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    let value = |key: &str| super::number_after(line, &format!("{key}="));
    let duration_s = value("duration_us") / 1e6;
    Load {
        requests: value("requests") as u64,
        good: value("good") as u64,
        bad: value("bad") as u64,
        errors: value("errors") as u64,
        requests_per_s: value("good") / duration_s.max(1e-9),
        p50_ms: value("p50_us") / 1e3,
        p99_ms: value("p99_us") / 1e3,
        first_bad: stdout.lines().find_map(|l| l.strip_prefix("WRK first_bad=")).unwrap_or_default().to_owned(),
    }
}

/// The request a [`wrk`] run repeats and what its response must be.
pub struct WrkRequest {
    pub method: &'static str,
    pub path: String,
    pub body: String,
    pub expected: String,
    /// A Lua condition over `body` (and `EXPECTED`) instead of equality.
    pub check: Option<String>,
}

/// The resident set of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
    super::number_after(line, "VmRSS:") as u64
}

/// The server's probe guest (`tests/guests/http-probe`): raw wasi:http
/// bindings, no SDK and no GPU, so it checks the server alone. Its own
/// workspace, built into the guests' shared directory like the runner's
/// probe.
pub fn http_probe() -> std::path::PathBuf {
    static PROBE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PROBE
        .get_or_init(|| {
            let opts = wasi_webgpu_run::BuildOptions {
                target_dir: Some(super::root().join("target/wasi-webgpu-guests")),
                quiet: true,
                ..wasi_webgpu_run::BuildOptions::default()
            };
            wasi_webgpu_run::build_guest_with(&super::root().join("tests/guests/http-probe"), &opts)
                .unwrap_or_else(|e| panic!("building the http probe guest: {e:#}"))
        })
        .clone()
}
