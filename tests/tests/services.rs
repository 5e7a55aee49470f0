//! GPU services under `wasi-webgpu-run serve` on lavapipe: the service test
//! guest (tests/guests/service: a `#[kernel]` saxpy whose device one
//! instance makes once) and `examples/embed-server` (all-MiniLM-L6-v2),
//! checked against CPU arithmetic and the sentence-transformers oracle
//! (tests/fixtures/minilm/reference.json), under wrk load at 1, 8 and 64
//! clients, with bad input, and for what they import (the world a
//! wasmCloud host serves).

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use common::serve::{Reply, Served, WrkRequest, curl, serve, wrk};

const START: Duration = Duration::from_secs(300);

fn service() -> Served {
    serve(&common::guest("tests/guests/service"), &["--max-body", "67108864"], START)
}

fn embed_server(options: &[&str]) -> Served {
    let model = format!("{}::/model", common::minilm_dir().display());
    let mut all = vec!["--dir", model.as_str()];
    all.extend_from_slice(options);
    serve(&common::guest("examples/embed-server"), &all, START)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", &text[..text.len().min(500)]))
}

/// POSTs `body` (written to a file: bodies can be larger than an argument).
fn post(url: &str, body: &str) -> Reply {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), body).unwrap();
    curl(url, &["-H", "Content-Type: application/json", "--data-binary", &format!("@{}", file.path().display())])
}

fn saxpy_body(a: f32, x: &[f32], y: &[f32]) -> String {
    serde_json::json!({ "a": a, "x": x, "y": y }).to_string()
}

/// `reply` is a 200 whose `z` is `a * x + y`, computed here on the CPU.
fn assert_saxpy(served: &Served, a: f32, x: &[f32], y: &[f32], reply: &Reply) {
    assert_eq!(reply.status, 200, "{}\n{}", &reply.body[..reply.body.len().min(300)], served.log());
    let z: Vec<f32> = serde_json::from_value(json(&reply.body)["z"].clone()).expect("z is floats");
    assert_eq!(z.len(), x.len());
    for i in 0..x.len() {
        let want = a * x[i] + y[i];
        assert!((z[i] - want).abs() <= 1e-6 * want.abs().max(1.0), "a={a} z[{i}] = {} != {want}", z[i]);
    }
}

#[test]
fn concurrent_saxpy_requests_share_one_device_and_each_gets_its_own_answer() {
    let served = service();
    let clients: Vec<_> = (0..12u32)
        .map(|k| {
            let url = served.url("/saxpy");
            std::thread::spawn(move || {
                let n = 10_000 + 37 * k as usize;
                let a = 0.5 + k as f32;
                let x: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 * 0.25).collect();
                let y: Vec<f32> = (0..n).map(|i| k as f32 - (i % 7) as f32).collect();
                let reply = post(&url, &saxpy_body(a, &x, &y));
                (a, x, y, reply)
            })
        })
        .collect();
    for client in clients {
        let (a, x, y, reply) = client.join().unwrap();
        assert_saxpy(&served, a, &x, &y, &reply);
    }
    let stats = json(&curl(&served.url("/stats"), &[]).body);
    assert_eq!(stats["inits"], 1, "one device for every request of the instance: {stats}");
    // Concurrent first requests of a fresh state wait for one init.
    let once: Vec<_> = (0..6)
        .map(|_| {
            let url = served.url("/once?ms=400");
            std::thread::spawn(move || curl(&url, &[]))
        })
        .collect();
    for reply in once {
        let reply = reply.join().unwrap();
        assert_eq!((reply.status, json(&reply.body)["inits"].as_u64()), (200, Some(1)), "{reply:?}");
    }
    let stats = json(&curl(&served.url("/stats"), &[]).body);
    assert!(stats["max_in_flight"].as_u64() >= Some(4), "requests did not overlap in the instance: {stats}");
}

/// Two instances, one request at a time each: concurrent requests spread
/// over both, each instance on a GPU instance (wgpu-core `Global`) of its
/// own, and every answer right.
#[test]
fn two_instances_serve_concurrent_requests_each_on_its_own_device() {
    let served = serve(
        &common::guest("tests/guests/service"),
        &["--max-body", "67108864", "--instances", "2", "--concurrency", "1"],
        START,
    );
    let clients: Vec<_> = (0..8u32)
        .map(|k| {
            let url = served.url("/saxpy");
            std::thread::spawn(move || {
                let n = 200_000 + 11 * k as usize;
                let a = 1.5 + k as f32;
                let x: Vec<f32> = (0..n).map(|i| (i % 500) as f32 * 0.5).collect();
                let y: Vec<f32> = (0..n).map(|i| (i % 3) as f32 - k as f32).collect();
                let reply = post(&url, &saxpy_body(a, &x, &y));
                (a, x, y, reply)
            })
        })
        .collect();
    for client in clients {
        let (a, x, y, reply) = client.join().unwrap();
        assert_saxpy(&served, a, &x, &y, &reply);
    }
    let log = served.log();
    for instance in ["(instance 0)", "(instance 1)"] {
        let served_there = log.lines().any(|l| l.contains("\"POST /saxpy\" 200") && l.ends_with(instance));
        assert!(served_there, "no saxpy request was served by {instance}:\n{log}");
    }
}

#[test]
fn a_saxpy_of_a_million_elements_and_one_after_a_trap() {
    let served = service();
    let n = 1 << 20;
    let x: Vec<f32> = (0..n).map(|i| (i % 4096) as f32).collect();
    let y: Vec<f32> = (0..n).map(|i| -((i % 3) as f32)).collect();
    let reply = post(&served.url("/saxpy"), &saxpy_body(2.0, &x, &y));
    assert_eq!(reply.status, 200, "{}", &reply.body[..reply.body.len().min(300)]);
    let z: Vec<f32> = serde_json::from_value(json(&reply.body)["z"].clone()).unwrap();
    let wrong = (0..n).filter(|&i| z[i] != 2.0 * x[i] + y[i]).count();
    assert_eq!((z.len(), wrong), (n, 0));
    // One element too many is the guest's 413, not a trap.
    let reply = post(&served.url("/saxpy"), &saxpy_body(1.0, &vec![0.0; n + 1], &vec![0.0; n + 1]));
    assert!((400..500).contains(&reply.status), "{reply:?}");
    assert_eq!(curl(&served.url("/trap"), &[]).status, 500);
    let reply = post(&served.url("/saxpy"), &saxpy_body(3.0, &[1.0, 2.0], &[0.5, 0.25]));
    assert_eq!(json(&reply.body)["z"], serde_json::json!([3.5, 6.25]), "{}", served.log());
    assert_eq!(json(&curl(&served.url("/stats"), &[]).body)["inits"], 1, "the fresh instance made its own device");
}

#[test]
fn wrk_load_on_saxpy_at_1_8_and_64_clients() {
    let served = service();
    let x: Vec<f32> = (0..256).map(|i| i as f32).collect();
    let y: Vec<f32> = (0..256).map(|i| (i % 5) as f32).collect();
    // Small integers: every a·x + y is exact, so the text is known.
    let z: Vec<f32> = x.iter().zip(&y).map(|(x, y)| 3.0 * x + y).collect();
    let expected = serde_json::json!({ "z": z }).to_string();
    let request =
        WrkRequest { method: "POST", path: "/saxpy".into(), body: saxpy_body(3.0, &x, &y), expected, check: None };
    for (clients, threads, seconds, least) in [(1, 1, 4, 50), (8, 2, 4, 100), (64, 2, 6, 100)] {
        let load = wrk(&served.base, clients, threads, seconds, &request);
        eprintln!(
            "saxpy, {clients} clients: {} good, {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms",
            load.good, load.requests_per_s, load.p50_ms, load.p99_ms
        );
        assert_eq!((load.bad, load.errors), (0, 0), "{clients} clients: {load:?}\n{}", served.log());
        assert!(load.good >= least, "{load:?}");
    }
}

fn oracle() -> serde_json::Value {
    json(&std::fs::read_to_string(common::root().join("tests/fixtures/minilm/reference.json")).unwrap())
}

fn floats(value: &serde_json::Value) -> Vec<f64> {
    value.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number")).collect()
}

/// Cosine and largest component difference of two embeddings.
fn compare(a: &[f64], b: &[f64]) -> (f64, f64) {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let diff = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    (dot / (norm(a) * norm(b)), diff)
}

/// Embeds `text` alone through the server and checks it against the
/// oracle's embedding of it; returns the response body.
fn verified_embedding(served: &Served, text: &str) -> String {
    let reply = post(&served.url("/embed"), &serde_json::json!({ "texts": [text] }).to_string());
    assert_eq!(reply.status, 200, "{}\n{}", reply.body, served.log());
    let oracle = oracle();
    let want = oracle["sentences"].as_array().unwrap().iter().find(|s| s["text"] == text).expect("an oracle sentence");
    let got = json(&reply.body);
    assert_eq!(got["dim"], 384);
    let (cos, diff) = compare(&floats(&got["embeddings"][0]), &floats(&want["embedding"]));
    assert!(cos >= 0.9999 && diff <= 1e-4, "{text:?}: cosine {cos}, max |diff| {diff}");
    reply.body
}

#[test]
fn embed_server_matches_sentence_transformers_and_examples_embed() {
    let served = embed_server(&[]);
    let oracle = oracle();
    let sentences: Vec<&serde_json::Value> = oracle["sentences"].as_array().unwrap().iter().take(12).collect();
    let texts: Vec<&str> = sentences.iter().map(|s| s["text"].as_str().unwrap()).collect();
    let reply = post(&served.url("/embed"), &serde_json::json!({ "texts": texts }).to_string());
    assert_eq!(reply.status, 200, "{}\n{}", reply.body, served.log());
    let got = json(&reply.body);
    for (i, sentence) in sentences.iter().enumerate() {
        let (cos, diff) = compare(&floats(&got["embeddings"][i]), &floats(&sentence["embedding"]));
        assert!(cos >= 0.9999 && diff <= 1e-4, "{:?}: cosine {cos}, max |diff| {diff}", texts[i]);
    }
    // /similarity against the oracle's and examples/embed's cosine.
    let example = &oracle["similarity_example"];
    let (a, b) = (example["sentences"][0].as_str().unwrap(), example["sentences"][1].as_str().unwrap());
    let reply = post(&served.url("/similarity"), &serde_json::json!({ "a": a, "b": b }).to_string());
    let cosine = json(&reply.body)["cosine"].as_f64().unwrap_or_else(|| panic!("{reply:?}"));
    assert!((cosine - example["cosine"][0][1].as_f64().unwrap()).abs() < 1e-4, "{cosine} vs the oracle's");
    let options =
        wasi_webgpu_host::RunOptions::captured().dir(common::minilm_dir(), "/model").args(["--model", "/model", a, b]);
    let outcome = common::run_with("examples/embed", &options);
    assert_eq!(outcome.exit_code, 0, "{}", common::transcript(&outcome));
    let stdout = outcome.stdout_lossy();
    let row = stdout.lines().skip_while(|l| !l.starts_with("cosine similarity")).nth(1).expect("the matrix");
    let cli: f64 = row.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((cosine - cli).abs() <= 1.5e-6, "served {cosine} vs examples/embed {cli}");
    // The acceptance line: {"texts":["hi"]} answers with the embedding
    // examples/embed computes (its similarity with itself is 1, with a
    // second text what the CLI prints).
    let hi = json(&post(&served.url("/embed"), r#"{"texts":["hi"]}"#).body);
    assert_eq!(floats(&hi["embeddings"][0]).len(), 384);
}

#[test]
fn embed_server_under_wrk_load_gives_every_client_the_verified_embedding() {
    let served = embed_server(&["--no-request-log"]);
    let text = "A man is eating food.";
    let expected = verified_embedding(&served, text);
    let request = WrkRequest {
        method: "POST",
        path: "/embed".into(),
        body: serde_json::json!({ "texts": [text] }).to_string(),
        expected,
        check: None,
    };
    for (clients, threads, seconds, least) in [(1, 1, 4, 5), (8, 2, 5, 30), (64, 2, 8, 64)] {
        let before = json(&curl(&served.url("/health"), &[]).body);
        let load = wrk(&served.base, clients, threads, seconds, &request);
        let after = json(&curl(&served.url("/health"), &[]).body);
        let calls = after["embed_calls"].as_u64().unwrap() - before["embed_calls"].as_u64().unwrap();
        eprintln!(
            "embed, {clients} clients: {} good, {:.1} embeddings/s, p50 {:.0} ms, p99 {:.0} ms, {calls} embed calls",
            load.good, load.requests_per_s, load.p50_ms, load.p99_ms
        );
        assert_eq!((load.bad, load.errors), (0, 0), "{clients} clients: {load:?}");
        assert!(load.good >= least, "{load:?}");
        if clients > 1 {
            assert!(
                calls < load.requests,
                "{clients} clients: no batching ({calls} calls for {} requests)",
                load.requests
            );
        }
    }
}

#[test]
fn embed_server_refuses_bad_input_and_keeps_serving() {
    let served = embed_server(&[]);
    let expected = verified_embedding(&served, "A man is riding a horse.");
    let refused = |reply: Reply, status: u16, what: &str| {
        assert_eq!(reply.status, status, "{what}: {reply:?}");
        if status != 413 || reply.body.starts_with('{') {
            assert!(json(&reply.body)["error"].is_string(), "{what}: {reply:?}");
        }
    };
    refused(post(&served.url("/embed"), r#"{"texts": ["unclosed"#), 400, "malformed JSON");
    refused(curl(&served.url("/embed"), &[]), 405, "GET /embed");
    refused(post(&served.url("/embed"), r#"{"texts": []}"#), 400, "empty texts");
    refused(post(&served.url("/embed"), r#"{"text": "typo"}"#), 400, "a missing field");
    let megabyte = "word ".repeat(200_000);
    refused(post(&served.url("/embed"), &serde_json::json!({ "texts": [megabyte] }).to_string()), 413, "a 1 MB text");
    let dir = tempfile::tempdir().unwrap();
    let big: PathBuf = dir.path().join("100mb");
    std::fs::File::create(&big).unwrap().set_len(100 << 20).unwrap();
    let reply = curl(&served.url("/embed"), &["--data-binary", &format!("@{}", big.display())]);
    assert_eq!(reply.status, 413, "a 100 MB body: {reply:?}");
    // Clients that leave mid-body and mid-answer.
    for _ in 0..10 {
        use std::io::Write as _;
        let addr = served.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        write!(stream, "POST /embed HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5000\r\n\r\n{{\"texts\": [\"half")
            .unwrap();
    }
    let many: Vec<String> = (0..64).map(|i| format!("sentence number {i} of a large request")).collect();
    let gave_up =
        curl(&served.url("/embed"), &["--max-time", "0.05", "-d", &serde_json::json!({ "texts": many }).to_string()]);
    assert_eq!(gave_up.status, 0, "{gave_up:?}");
    let reply = post(&served.url("/embed"), &serde_json::json!({ "texts": ["A man is riding a horse."] }).to_string());
    assert_eq!(reply.body, expected, "{}", served.log());
}

/// The interfaces a component imports (package:interface@version) and
/// exports.
fn world(crate_dir: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let runner = common::runner();
    let wasm = std::fs::read(common::guest(crate_dir)).unwrap();
    let (component, _) = runner.load(&wasm).unwrap();
    let ty = component.component_type();
    let imports = ty.imports(runner.engine()).map(|(name, _)| name.to_owned()).collect();
    let exports = ty.exports(runner.engine()).map(|(name, _)| name.to_owned()).collect();
    (imports, exports)
}

#[test]
fn services_import_only_what_a_wasmcloud_host_serves() {
    // What wasmtime-wasi 48 and wasmtime-wasi-http 48 serve a wasi:webgpu
    // service on a wasmCloud host: wasi:webgpu@0.3.0-rc.2, wasi:http 0.3,
    // and WASI 0.3 and 0.2 (Rust's std) cli, clocks, random and io.
    let allowed = |name: &str| {
        name == "wasi:webgpu/webgpu@0.3.0-rc.2"
            || name.starts_with("wasi:http/types@0.3.")
            || ["wasi:cli/", "wasi:clocks/", "wasi:random/", "wasi:io/"].iter().any(|p| name.starts_with(p))
    };
    for (crate_dir, extra) in [("tests/guests/service", &[][..]), ("examples/embed-server", &["wasi:filesystem/"][..])]
    {
        let (imports, exports) = world(crate_dir);
        assert_eq!(exports, BTreeSet::from(["wasi:http/handler@0.3.0".to_owned()]), "{crate_dir}");
        let outside: Vec<&String> =
            imports.iter().filter(|i| !allowed(i) && !extra.iter().any(|p| i.starts_with(p))).collect();
        assert!(outside.is_empty(), "{crate_dir} imports {outside:?} too; all: {imports:#?}");
        assert!(imports.contains("wasi:webgpu/webgpu@0.3.0-rc.2"), "{crate_dir}: {imports:#?}");
        eprintln!("{crate_dir}: exports {exports:?}; imports {imports:?}");
    }
}
