//! `wasi-webgpu-run serve` with the HTTP probe guest (tests/guests/http-probe,
//! no GPU): requests overlapping in one instance, load from wrk at 1, 8 and
//! 64 clients with every response checked, the body limit, clients that go
//! away, traps, timeouts, graceful shutdown and a 10,000-request soak whose
//! RSS and resource table must come back to their baseline. The same server
//! with GPU guests is tested in services.rs.

mod common;

use std::io::Write as _;
use std::time::{Duration, Instant};

use common::serve::{Served, WrkRequest, curl, http_probe, rss_kib, serve, wrk};

const START: Duration = Duration::from_secs(300);

fn probe_server(options: &[&str]) -> Served {
    serve(&http_probe(), options, START)
}

fn stat(served: &Served, key: &str) -> u64 {
    let reply = curl(&served.url("/stats"), &[]);
    assert_eq!(reply.status, 200, "{reply:?}");
    common::number_after(&reply.body, &format!("{key}=")) as u64
}

#[test]
fn one_instance_serves_overlapping_requests() {
    let served = probe_server(&[]);
    let start = Instant::now();
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let url = served.url("/sleep?ms=700");
            std::thread::spawn(move || curl(&url, &[]))
        })
        .collect();
    for client in clients {
        let reply = client.join().unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "slept 700"), "{}", served.log());
    }
    // Served one after another, eight would take 5.6 s.
    assert!(start.elapsed() < Duration::from_millis(4000), "took {:?}:\n{}", start.elapsed(), served.log());
    assert!(stat(&served, "max_in_flight") >= 4, "{}", served.log());
    // One instance, made once, served them all.
    assert_eq!(stat(&served, "requests"), 10);
}

#[test]
fn wrk_at_1_8_and_64_clients_gets_every_response_right() {
    let served = probe_server(&["--no-request-log"]);
    let body: String = (0..2000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let request = WrkRequest { method: "POST", path: "/echo".into(), body: body.clone(), expected: body, check: None };
    for (clients, threads) in [(1, 1), (8, 2), (64, 2)] {
        let load = wrk(&served.base, clients, threads, 5, &request);
        eprintln!(
            "{clients} clients: {} requests, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
            load.requests, load.requests_per_s, load.p50_ms, load.p99_ms
        );
        assert_eq!(load.bad, 0, "{clients} clients: {load:?}");
        assert_eq!(load.errors, 0, "{clients} clients: {load:?}");
        assert!(load.good >= 200, "{clients} clients: {load:?}");
    }
}

#[test]
fn bad_requests_get_4xx_and_the_server_keeps_serving() {
    let served = probe_server(&["--max-body", "1048576"]);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("100mb");
    std::fs::File::create(&big).unwrap().set_len(100 << 20).unwrap();
    let big = format!("@{}", big.display());
    // Declared too large: refused before the guest sees it.
    let reply = curl(&served.url("/echo"), &["--data-binary", &big]);
    assert_eq!(reply.status, 413, "{reply:?}");
    // Streamed too large (chunked, no length): refused when the excess comes.
    let reply = curl(&served.url("/echo"), &["-H", "Transfer-Encoding: chunked", "--data-binary", &big]);
    assert_eq!(reply.status, 413, "{reply:?}");
    // Just under the limit gets through whole.
    let just_under = dir.path().join("1mb");
    std::fs::write(&just_under, vec![b'x'; 1 << 20]).unwrap();
    let reply = curl(&served.url("/echo"), &["--data-binary", &format!("@{}", just_under.display())]);
    assert_eq!((reply.status, reply.body.len()), (200, 1 << 20));
    // Unknown route, wrong method: the guest's own 404.
    assert_eq!(curl(&served.url("/nowhere"), &[]).status, 404);
    assert_eq!(curl(&served.url("/echo"), &[]).status, 404);
    // A client that sends half its body and goes away.
    for _ in 0..20 {
        let addr = served.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(stream, "POST /echo HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 100000\r\n\r\nonly a little").unwrap();
        drop(stream);
    }
    // A client that gives up on a slow answer.
    let gave_up = curl(&served.url("/sleep?ms=2000"), &["--max-time", "0.3"]);
    assert_eq!(gave_up.status, 0, "{gave_up:?}");
    let reply = curl(&served.url("/echo"), &["--data-binary", "still here"]);
    assert_eq!((reply.status, reply.body.as_str()), (200, "still here"), "{}", served.log());
    assert!(served.log().contains("\"POST /echo\" 413"), "{}", served.log());
}

#[test]
fn a_trap_gets_a_500_and_the_next_request_a_fresh_instance() {
    let served = probe_server(&[]);
    assert_eq!(curl(&served.url("/hello"), &[]).status, 200);
    assert_eq!(stat(&served, "requests"), 2);
    let reply = curl(&served.url("/trap"), &[]);
    assert_eq!(reply.status, 500, "{reply:?}");
    assert!(reply.body.contains("the guest trapped"), "{reply:?}");
    // The fresh instance counts from one again.
    assert_eq!(stat(&served, "requests"), 1, "{}", served.log());
    // Load after the trap is unaffected.
    let request =
        WrkRequest { method: "GET", path: "/hello".into(), body: String::new(), expected: "hello".into(), check: None };
    let load = wrk(&served.base, 8, 2, 3, &request);
    assert_eq!((load.bad, load.errors), (0, 0), "{load:?}");
    assert!(served.log().contains("instance 0.1 stopped: the guest trapped"), "{}", served.log());
}

#[test]
fn a_guest_that_never_yields_is_stopped_at_the_request_timeout() {
    let served = probe_server(&["--request-timeout", "2"]);
    let start = Instant::now();
    let reply = curl(&served.url("/spin"), &[]);
    assert_eq!(reply.status, 504, "{reply:?}");
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    // One that waits on the host past its timeout gets a 504 without
    // stopping the instance for anyone else.
    let reply = curl(&served.url("/sleep?ms=5000"), &[]);
    assert_eq!(reply.status, 504, "{reply:?}");
    assert_eq!(curl(&served.url("/hello"), &[]).body, "hello", "{}", served.log());
}

#[test]
fn sigterm_lets_requests_in_flight_finish() {
    let served = probe_server(&[]);
    let url = served.url("/sleep?ms=2000");
    let slow = std::thread::spawn(move || curl(&url, &[]));
    std::thread::sleep(Duration::from_millis(500));
    let (status, log) = served.stop("TERM", Duration::from_secs(30));
    let reply = slow.join().unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (200, "slept 2000"), "{log}");
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("shutting down; 1 request(s) in flight"), "{log}");
}

#[test]
fn a_command_component_is_not_served() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .arg(common::probe())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("does not export wasi:http/handler@0.3.0"), "{stderr}");
}

/// Every counter of a `stats:` line but the list and the RSS.
fn table_entries(line: &str) -> String {
    let start = line.find("table_entries=").expect("table_entries") + "table_entries=".len();
    line[start..].split_whitespace().next().unwrap().to_owned()
}

#[test]
fn a_soak_of_10000_requests_returns_to_its_baseline() {
    let served = probe_server(&["--no-request-log"]);
    let body = "soak ".repeat(200);
    let request = WrkRequest { method: "POST", path: "/echo".into(), body: body.clone(), expected: body, check: None };
    // Warm up: allocator pools and caches reach their working size.
    let warm = wrk(&served.base, 8, 2, 3, &request);
    assert_eq!((warm.bad, warm.errors), (0, 0), "{warm:?}");
    let baseline = served.stats_line();
    let rss_before = rss_kib(served.pid());
    let soak = wrk(&served.base, 16, 2, 40, &request);
    assert_eq!((soak.bad, soak.errors), (0, 0), "{soak:?}");
    assert!(soak.good >= 10_000, "{soak:?}");
    let after = served.stats_line();
    let rss_after = rss_kib(served.pid());
    eprintln!(
        "soak: {} requests; RSS {rss_before} -> {rss_after} KiB; tables {} -> {}",
        soak.good,
        table_entries(&baseline),
        table_entries(&after)
    );
    assert_eq!(table_entries(&baseline), table_entries(&after), "resources leaked:\n{baseline}\n{after}");
    // 10,000 requests that each leaked even 1 KiB would add 10 MB.
    assert!(rss_after < rss_before + 8 * 1024, "RSS grew from {rss_before} to {rss_after} KiB");
}
