//! Randomized API call sequences: proptest generates sequences of buffer,
//! mapping, copy, clear and dispatch calls, valid and not — including map,
//! read and write futures dropped after one poll, maps and reads joined with
//! a `destroy` or `unmap` of their buffer, concurrent reads, destroys of
//! buffers with work in flight, and buffers and textures the host fails to
//! allocate — and the misuse
//! guest's interpreter (`tests/guests/misuse/src/interp.rs`) runs them
//! against a CPU model. Every sequence must end without a trap, every error
//! must be a variant of the SDK's `Error`, and no read may disagree with the
//! model.
//!
//! `WASI_WEBGPU_PROPTEST_CASES` sets the number of sequences (64 by
//! default; 1000 for the full run). Sequences run in batches, each sequence
//! on a fresh device, so a batch is one guest run. A failing sequence is
//! shrunk, one guest run per step, and printed in the interpreter's syntax.
//! `WASI_WEBGPU_PROPTEST_VERBOSE=1` prints every op and its outcome.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use wasi_webgpu_host::{GuestStatus, RunOptions};

const DEFAULT_CASES: u32 = 64;
const BATCH: usize = 100;
const SHRINK_RUNS: u32 = 200;

/// Usages a buffer may have.
const USAGES: &[&str] = &[
    "STORAGE|COPY_SRC|COPY_DST",
    "MAP_READ|COPY_DST",
    "MAP_WRITE|COPY_SRC",
    "COPY_SRC|COPY_DST",
    "STORAGE",
    "MAP_READ",
    "MAP_WRITE",
    "UNIFORM|COPY_DST",
    "INDIRECT|STORAGE|COPY_DST",
];
/// Usages WebGPU forbids.
const BAD_USAGES: &[&str] = &["NONE", "MAP_READ|STORAGE", "MAP_WRITE|COPY_DST", "MAP_READ|MAP_WRITE"];

fn slot() -> impl Strategy<Value = u32> {
    0u32..3
}

fn values() -> impl Strategy<Value = String> {
    prop::collection::vec(0u32..1000, 0..8).prop_map(|v| {
        if v.is_empty() { "-".to_owned() } else { v.iter().map(u32::to_string).collect::<Vec<_>>().join(",") }
    })
}

fn usage() -> impl Strategy<Value = &'static str> {
    prop_oneof![9 => prop::sample::select(USAGES), 1 => prop::sample::select(BAD_USAGES)]
}

fn new_op() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (slot(), 0u64..40, usage(), prop::bool::weighted(0.15)).prop_map(|(s, len, u, m)| {
            format!("new {s} {len} {u}{}", if m { " m" } else { "" })
        }),
        1 => (slot(), values(), usage()).prop_map(|(s, v, u)| format!("init {s} {v} {u}")),
    ]
}

fn op() -> impl Strategy<Value = String> {
    let element = 0u64..45;
    let byte = 0u64..170;
    prop_oneof![
        2 => new_op(),
        3 => (slot(), element.clone(), values()).prop_map(|(s, at, v)| format!("write {s} {at} {v}")),
        2 => (slot(), byte.clone(), values()).prop_map(|(s, b, v)| format!("qwrite {s} {b} {v}")),
        3 => (slot(), element.clone(), element.clone()).prop_map(|(s, a, b)| format!("read {s} {a} {b}")),
        2 => (slot(), prop::sample::select(&["r", "w"][..]), element.clone(), element.clone())
            .prop_map(|(s, m, a, b)| format!("map {s} {m} {a} {b}")),
        2 => (slot(), element.clone(), element.clone()).prop_map(|(s, a, b)| format!("get {s} {a} {b}")),
        2 => (slot(), element, values()).prop_map(|(s, a, v)| format!("put {s} {a} {v}")),
        2 => slot().prop_map(|s| format!("unmap {s}")),
        1 => slot().prop_map(|s| format!("destroy {s}")),
        1 => slot().prop_map(|s| format!("drop {s}")),
        2 => (slot(), slot(), byte.clone(), byte.clone(), byte.clone())
            .prop_map(|(s, d, a, b, n)| format!("copy {s} {d} {a} {b} {n}")),
        1 => (slot(), byte.clone(), prop::option::of(byte)).prop_map(|(s, o, n)| {
            format!("clear {s} {o} {}", n.map_or("-".to_owned(), |n| n.to_string()))
        }),
        2 => (slot(), prop_oneof![4 => 0u32..3, 1 => 65_535u32..65_537], 1u32..3, 1u32..3)
            .prop_map(|(s, x, y, z)| format!("dispatch {s} {x} {y} {z}")),
        1 => slot().prop_map(|s| format!("nopipe {s}")),
        8 => concurrent_op(),
    ]
}

/// Cancelled, joined and interrupted calls, destroys of buffers in use, and
/// creations the host fails (issue 13).
fn concurrent_op() -> impl Strategy<Value = String> {
    let element = 0u64..45;
    let byte = 0u64..170;
    let mode = || prop::sample::select(&["r", "w"][..]);
    // Mostly valid ranges (an 8-byte aligned start, a few elements), so that
    // the host's map is really in flight when the future is dropped or the
    // buffer destroyed or unmapped.
    let span = || prop_oneof![3 => (0u64..4, 0u64..8).prop_map(|(a, n)| (2 * a, 2 * a + n)), 1 => (0u64..45, 0u64..45)];
    prop_oneof![
        2 => (slot(), mode(), span()).prop_map(|(s, m, (a, b))| format!("mapdrop {s} {m} {a} {b}")),
        2 => (slot(), span()).prop_map(|(s, (a, b))| format!("readdrop {s} {a} {b}")),
        1 => (slot(), element.clone(), values()).prop_map(|(s, at, v)| format!("writedrop {s} {at} {v}")),
        1 => (slot(), mode(), span()).prop_map(|(s, m, (a, b))| format!("mapdestroy {s} {m} {a} {b}")),
        1 => (slot(), span()).prop_map(|(s, (a, b))| format!("readdestroy {s} {a} {b}")),
        2 => (slot(), mode(), span()).prop_map(|(s, m, (a, b))| format!("mapunmap {s} {m} {a} {b}")),
        2 => (slot(), element.clone(), element.clone(), element.clone(), element)
            .prop_map(|(s, a, b, c, d)| format!("readread {s} {a} {b} {c} {d}")),
        1 => (slot(), slot(), byte.clone(), byte.clone(), byte)
            .prop_map(|(s, d, a, b, n)| format!("copyx {s} {d} {a} {b} {n}")),
        1 => (slot(), usage()).prop_map(|(s, u)| format!("huge {s} {u}")),
        1 => slot().prop_map(|s| format!("hugetex {s}")),
    ]
}

fn sequence() -> impl Strategy<Value = Vec<String>> {
    (prop::collection::vec(new_op(), 2..5), prop::collection::vec(op(), 0..24)).prop_map(|(mut head, tail)| {
        head.extend(tail);
        head
    })
}

/// The variant names of the SDK's `Error`, read from its source.
fn error_variants() -> BTreeSet<String> {
    let source = std::fs::read_to_string(common::root().join("sdk/src/error.rs")).expect("sdk/src/error.rs");
    let body = source.split("pub enum Error {").nth(1).expect("enum Error").split("\n}\n").next().unwrap();
    let variants: BTreeSet<String> = body
        .lines()
        .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
        .filter_map(|l| {
            let name: String = l.trim().chars().take_while(char::is_ascii_alphanumeric).collect();
            name.starts_with(|c: char| c.is_ascii_uppercase()).then_some(name)
        })
        .collect();
    assert!(variants.contains("MapState") && variants.contains("Validation"), "{variants:?}");
    variants
}

/// What one guest run said about each of its sequences.
struct Batch {
    /// Per sequence: its output lines, or why the run as a whole failed.
    lines: Vec<Vec<String>>,
    failure: Option<String>,
}

fn run_batch(sequences: &[Vec<String>]) -> Batch {
    let mut args = vec!["interp".to_owned()];
    args.extend(sequences.iter().map(|s| s.join("; ")));
    let wasm = common::guest("tests/guests/misuse");
    let options = RunOptions::captured().args(args).timeout(Duration::from_secs(300));
    let outcome = common::runner().run(&wasm, &options).expect("the misuse guest runs");
    let mut lines = vec![Vec::new(); sequences.len()];
    let mut current = None;
    for line in outcome.stdout_lossy().lines() {
        if let Some(n) = line.strip_prefix("seq ") {
            current = n.parse::<usize>().ok();
        } else if line.starts_with("end ") {
            current = None;
        } else if let Some(n) = current {
            lines[n].push(line.to_owned());
        }
    }
    let failure = match outcome.status {
        GuestStatus::Ok => None,
        GuestStatus::Trapped(_) | GuestStatus::HostPanicked(_) => {
            Some(format!("TRAP: {}", common::transcript(&outcome)))
        }
        _ => Some(common::transcript(&outcome)),
    };
    Batch { lines, failure }
}

/// Why a sequence's output is wrong, if it is.
fn judge(sequence: &[String], lines: &[String], variants: &BTreeSet<String>) -> Option<String> {
    if lines.len() != sequence.len() {
        return Some(format!("{} ops gave {} lines (a trap ends the output)", sequence.len(), lines.len()));
    }
    for (op, line) in sequence.iter().zip(lines) {
        let fine = match line.split_once(' ').map_or((line.as_str(), ""), |(a, b)| (a, b)) {
            ("ok" | "skip", _) => true,
            ("err", variant) => variants.contains(variant),
            _ => false,
        };
        if !fine {
            return Some(format!("`{op}` -> `{line}`"));
        }
    }
    None
}

/// Runs one sequence alone: `Some(why)` if it fails.
fn fails_alone(sequence: &[String], variants: &BTreeSet<String>) -> Option<String> {
    let batch = run_batch(std::slice::from_ref(&sequence.to_vec()));
    batch.failure.or_else(|| judge(sequence, &batch.lines[0], variants))
}

#[test]
fn random_api_sequences_never_trap_and_match_the_cpu_model() {
    let cases: u32 =
        std::env::var("WASI_WEBGPU_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES);
    let verbose = std::env::var_os("WASI_WEBGPU_PROPTEST_VERBOSE").is_some();
    let variants = error_variants();
    let mut runner = TestRunner::new(Config { cases, ..Config::default() });
    let strategy = sequence();
    let mut trees: Vec<_> =
        (0..cases).map(|_| strategy.new_tree(&mut runner).expect("a sequence strategy never rejects")).collect();

    let (mut ops, mut tally) = (0usize, BTreeMap::<String, usize>::new());
    let started = std::time::Instant::now();
    for start in (0..trees.len()).step_by(BATCH) {
        let end = (start + BATCH).min(trees.len());
        let sequences: Vec<Vec<String>> = trees[start..end].iter().map(|t| t.current()).collect();
        let batch = run_batch(&sequences);
        let failing = (0..sequences.len()).find(|&i| judge(&sequences[i], &batch.lines[i], &variants).is_some());
        let Some(index) = failing.or(batch.failure.as_ref().map(|_| sequences.len() - 1)) else {
            for (sequence, lines) in sequences.iter().zip(&batch.lines) {
                ops += sequence.len();
                if verbose {
                    for (op, line) in sequence.iter().zip(lines) {
                        println!("{op:<40} -> {line}");
                    }
                    println!("--");
                }
                for line in lines {
                    let kind = line.split(' ').take(2).collect::<Vec<_>>();
                    let key = if kind[0] == "err" || kind.get(1) == Some(&"dropped") {
                        kind.join(" ")
                    } else {
                        kind[0].to_owned()
                    };
                    *tally.entry(key).or_default() += 1;
                }
            }
            continue;
        };
        // Shrink the failing sequence, one guest run per step.
        let tree = &mut trees[start + index];
        let mut why = fails_alone(&tree.current(), &variants)
            .or(batch.failure.clone())
            .unwrap_or_else(|| "fails only in its batch".into());
        let mut runs = 0;
        while runs < SHRINK_RUNS && tree.simplify() {
            runs += 1;
            match fails_alone(&tree.current(), &variants) {
                Some(new_why) => why = new_why,
                None => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
        panic!(
            "sequence failed: {why}\nminimal sequence after {runs} shrink runs (rerun with \
             `wasi-webgpu-run tests/guests/misuse -- interp '<sequence>'`):\n{}",
            tree.current().join("; ")
        );
    }
    println!("{cases} sequences, {ops} ops in {:.1?}, no traps, no mismatches: {tally:?}", started.elapsed());
}
