//! BERT's WordPiece tokenizer, read from a HuggingFace `tokenizer.json`.

use std::collections::HashMap;
use std::ops::ControlFlow;

use serde::Deserialize;
use serde_json::Value;

use self::text::{AddedToken, Matcher, Normalizer, Piece, WordPiece};

mod text;

/// The sequence length all-MiniLM-L6-v2 was trained with
/// (sentence-transformers' `max_seq_length`), special tokens included.
const DEFAULT_MAX_LEN: usize = 256;

/// Why a `tokenizer.json` (or `vocab.txt`) cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenizerError {
    /// The file is not JSON, or a field has the wrong JSON type.
    #[error("tokenizer.json is malformed: {message}")]
    Json {
        /// `serde_json`'s description, with the line and column.
        message: String,
    },

    /// A field the tokenizer needs is absent.
    #[error("tokenizer.json has no `{field}`")]
    Missing {
        /// The field's path, such as `model.vocab`.
        field: &'static str,
    },

    /// A component this tokenizer does not implement: it implements BERT's
    /// pipeline (`BertNormalizer`, `BertPreTokenizer`, `WordPiece`,
    /// `TemplateProcessing` or `BertProcessing`) and nothing else, rather than
    /// give ids that differ from HuggingFace's.
    #[error("unsupported {component} `{kind}` (only BERT's WordPiece pipeline is implemented)")]
    Unsupported {
        /// Which part of the file: `model`, `normalizer`, `pre_tokenizer`,
        /// `post_processor`, `version`.
        component: &'static str,
        /// The `type` (or value) found there.
        kind: String,
    },

    /// A token the configuration names (the unknown token, a special token
    /// of the post-processor) has no id.
    #[error("the {role} token `{token}` is not in the vocabulary")]
    UnknownToken {
        /// What the token is for, such as `unk` or `post_processor`.
        role: &'static str,
        /// The token.
        token: String,
    },

    /// A field holds a value the tokenizer cannot work with.
    #[error("invalid `{field}`: {reason}")]
    Invalid {
        /// The field's path.
        field: &'static str,
        /// What is wrong, in words.
        reason: String,
    },
}

impl From<serde_json::Error> for TokenizerError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json { message: e.to_string() }
    }
}

/// A BERT WordPiece tokenizer: text to token ids, equal to HuggingFace
/// `tokenizers` for the same `tokenizer.json`.
///
/// [`encode`](Self::encode) runs the whole pipeline: added tokens (such as a
/// literal `[MASK]` in the text) are matched first, the rest is normalised
/// (control characters removed, whitespace made spaces, CJK ideographs split,
/// accents stripped, lowercased), split at whitespace and punctuation, and each
/// word becomes its greedy longest-match-first WordPiece subwords, or `[UNK]`.
/// The result is wrapped as the post-processor says (`[CLS] … [SEP]`) and
/// truncated to [`max_len`](Self::max_len) ids, the special ones kept.
///
/// ```no_run
/// # fn main() -> Result<(), wasi_webgpu_ops::bert::TokenizerError> {
/// let json = std::fs::read_to_string("model/tokenizer.json").unwrap();
/// let tokenizer = wasi_webgpu_ops::bert::Tokenizer::from_json(&json)?;
/// assert_eq!(tokenizer.encode("Hello, world!"), [101, 7592, 1010, 2088, 999, 102]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Tokenizer {
    model: WordPiece,
    normalizer: Option<Normalizer>,
    /// Added tokens matched in the raw text (`normalized: false`).
    raw_tokens: Matcher,
    /// Added tokens matched in the normalised text, by their normalised form.
    normalized_tokens: Matcher,
    /// The post-processor's ids before and after the sequence.
    prefix: Vec<u32>,
    suffix: Vec<u32>,
    max_len: usize,
    pad_id: u32,
}

/// The parts of `tokenizer.json` that matter for encoding one sequence.
/// `truncation` and `padding` are read by the caller of a HuggingFace
/// tokenizer per call (sentence-transformers asks for 256 whatever the file
/// says), so only the padding id is taken from them.
#[derive(Deserialize)]
struct File {
    version: Option<String>,
    #[serde(default)]
    added_tokens: Vec<AddedTokenFile>,
    normalizer: Option<Value>,
    pre_tokenizer: Option<Value>,
    post_processor: Option<Value>,
    padding: Option<PaddingFile>,
    model: Option<Value>,
}

#[derive(Deserialize)]
struct AddedTokenFile {
    content: String,
    #[serde(default)]
    single_word: bool,
    #[serde(default)]
    lstrip: bool,
    #[serde(default)]
    rstrip: bool,
    #[serde(default = "yes")]
    normalized: bool,
}

#[derive(Deserialize)]
struct PaddingFile {
    pad_id: Option<u32>,
}

#[derive(Deserialize)]
struct WordPieceFile {
    vocab: Option<HashMap<String, u32>>,
    #[serde(default = "unk")]
    unk_token: String,
    #[serde(default = "hashes")]
    continuing_subword_prefix: String,
    #[serde(default = "hundred")]
    max_input_chars_per_word: usize,
}

/// `BertNormalizer`, with `tokenizers`' defaults for absent fields.
#[derive(Deserialize)]
struct BertNormalizerFile {
    #[serde(default = "yes")]
    clean_text: bool,
    #[serde(default = "yes")]
    handle_chinese_chars: bool,
    #[serde(default)]
    strip_accents: Option<bool>,
    #[serde(default = "yes")]
    lowercase: bool,
}

#[derive(Deserialize)]
struct TemplateFile {
    single: Vec<TemplatePiece>,
    #[serde(default)]
    special_tokens: HashMap<String, SpecialTokenFile>,
}

#[derive(Deserialize)]
enum TemplatePiece {
    Sequence { id: String },
    SpecialToken { id: String },
}

#[derive(Deserialize)]
struct SpecialTokenFile {
    ids: Vec<u32>,
}

#[derive(Deserialize)]
struct BertProcessingFile {
    sep: (String, u32),
    cls: (String, u32),
}

fn yes() -> bool {
    true
}
fn unk() -> String {
    "[UNK]".into()
}
fn hashes() -> String {
    "##".into()
}
fn hundred() -> usize {
    100
}

/// A component's `type`, or `(no type)`.
fn kind(value: &Value) -> String {
    value.get("type").and_then(Value::as_str).unwrap_or("(no type)").to_owned()
}

impl Tokenizer {
    /// Reads a HuggingFace `tokenizer.json` for a BERT WordPiece model.
    ///
    /// Accepted: model `WordPiece`; normalizer `BertNormalizer` or none;
    /// pre-tokenizer `BertPreTokenizer`; post-processor `TemplateProcessing`
    /// (a single-sequence template of special tokens around `$A`),
    /// `BertProcessing` or none. Anything else is
    /// [`TokenizerError::Unsupported`], naming it. The file's `truncation` is
    /// not applied: [`max_len`](Self::max_len) starts at 256, the model's
    /// sequence length, and [`with_max_len`](Self::with_max_len) changes it.
    pub fn from_json(json: &str) -> Result<Self, TokenizerError> {
        let file: File = serde_json::from_str(json)?;
        if let Some(version) = file.version.filter(|v| v != "1.0") {
            return Err(TokenizerError::Unsupported { component: "version", kind: version });
        }

        let model = file.model.ok_or(TokenizerError::Missing { field: "model" })?;
        match model.get("type").and_then(Value::as_str) {
            Some("WordPiece") => {}
            Some(other) => {
                return Err(TokenizerError::Unsupported { component: "model", kind: other.to_owned() });
            }
            None => return Err(TokenizerError::Missing { field: "model.type" }),
        }
        let model: WordPieceFile = serde_json::from_value(model)?;
        let vocab = model.vocab.ok_or(TokenizerError::Missing { field: "model.vocab" })?;
        let model =
            Self::word_piece(vocab, model.unk_token, model.continuing_subword_prefix, model.max_input_chars_per_word)?;

        let normalizer = match file.normalizer {
            None => None,
            Some(value) if kind(&value) == "BertNormalizer" => {
                let n: BertNormalizerFile = serde_json::from_value(value)?;
                Some(Normalizer {
                    clean_text: n.clean_text,
                    handle_chinese_chars: n.handle_chinese_chars,
                    strip_accents: n.strip_accents.unwrap_or(n.lowercase),
                    lowercase: n.lowercase,
                })
            }
            Some(value) => {
                return Err(TokenizerError::Unsupported { component: "normalizer", kind: kind(&value) });
            }
        };

        match file.pre_tokenizer {
            Some(value) if kind(&value) == "BertPreTokenizer" => {}
            Some(value) => {
                return Err(TokenizerError::Unsupported { component: "pre_tokenizer", kind: kind(&value) });
            }
            None => {
                return Err(TokenizerError::Unsupported { component: "pre_tokenizer", kind: "null".into() });
            }
        }

        let (prefix, suffix) = match file.post_processor {
            None => (Vec::new(), Vec::new()),
            Some(value) => match kind(&value).as_str() {
                "TemplateProcessing" => Self::template(serde_json::from_value(value)?)?,
                "BertProcessing" => {
                    let p: BertProcessingFile = serde_json::from_value(value)?;
                    (vec![p.cls.1], vec![p.sep.1])
                }
                other => {
                    return Err(TokenizerError::Unsupported { component: "post_processor", kind: other.to_owned() });
                }
            },
        };

        let added = Self::added_tokens(&model, &file.added_tokens);
        let (normalized, raw): (Vec<_>, Vec<_>) = added.into_iter().partition(|(n, _)| *n);
        let normalized = normalized
            .into_iter()
            .map(|(_, mut token)| {
                if let Some(n) = &normalizer {
                    token.content = n.normalize(&token.content);
                }
                token
            })
            .collect();
        let pad_id = file.padding.and_then(|p| p.pad_id).or_else(|| model.vocab.get("[PAD]").copied()).unwrap_or(0);

        Ok(Self {
            model,
            normalizer,
            raw_tokens: Matcher::new(raw.into_iter().map(|(_, t)| t).collect()),
            normalized_tokens: Matcher::new(normalized),
            prefix,
            suffix,
            max_len: DEFAULT_MAX_LEN,
            pad_id,
        })
    }

    /// Reads a BERT `vocab.txt` (one token a line, its id the line number)
    /// with the uncased settings of `bert-base-uncased` and all-MiniLM-L6-v2:
    /// clean text, split CJK, strip accents, lowercase; `[CLS] … [SEP]`;
    /// `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]` and `[MASK]` matched as special
    /// tokens in the text. The same ids as the model's `tokenizer.json`.
    pub fn from_vocab_txt(vocab: &str) -> Result<Self, TokenizerError> {
        let mut map = HashMap::new();
        for (id, line) in vocab.lines().enumerate() {
            let id = u32::try_from(id)
                .map_err(|_| TokenizerError::Invalid { field: "vocab.txt", reason: "more than 2^32 lines".into() })?;
            map.insert(line.trim_end().to_owned(), id);
        }
        let model = Self::word_piece(map, unk(), hashes(), hundred())?;
        let id = |token: &str| {
            model
                .vocab
                .get(token)
                .copied()
                .ok_or_else(|| TokenizerError::UnknownToken { role: "special", token: token.to_owned() })
        };
        let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);
        let pad_id = id("[PAD]").unwrap_or(0);
        let specials: Vec<_> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
            .into_iter()
            .filter_map(|content| {
                Some(AddedToken {
                    content: content.into(),
                    id: id(content).ok()?,
                    single_word: false,
                    lstrip: false,
                    rstrip: false,
                })
            })
            .collect();
        Ok(Self {
            model,
            normalizer: Some(Normalizer {
                clean_text: true,
                handle_chinese_chars: true,
                strip_accents: true,
                lowercase: true,
            }),
            raw_tokens: Matcher::new(specials),
            normalized_tokens: Matcher::default(),
            prefix: vec![cls],
            suffix: vec![sep],
            max_len: DEFAULT_MAX_LEN,
            pad_id,
        })
    }

    fn word_piece(
        vocab: HashMap<String, u32>,
        unk_token: String,
        prefix: String,
        max_input_chars_per_word: usize,
    ) -> Result<WordPiece, TokenizerError> {
        let unk = *vocab.get(&unk_token).ok_or(TokenizerError::UnknownToken { role: "unk", token: unk_token })?;
        let longest = vocab.keys().map(String::len).max().unwrap_or(0);
        Ok(WordPiece { vocab, unk, prefix, max_input_chars_per_word, longest })
    }

    /// The special-token ids of a single-sequence template, before and after
    /// `$A`.
    fn template(file: TemplateFile) -> Result<(Vec<u32>, Vec<u32>), TokenizerError> {
        let mut prefix = Vec::new();
        let mut suffix = Vec::new();
        let mut seen_sequence = false;
        for piece in file.single {
            match piece {
                TemplatePiece::Sequence { id } => {
                    if id != "A" || seen_sequence {
                        return Err(TokenizerError::Invalid {
                            field: "post_processor.single",
                            reason: format!("a single-sequence template holds `$A` once, found `{id}`"),
                        });
                    }
                    seen_sequence = true;
                }
                TemplatePiece::SpecialToken { id } => {
                    let ids = &file
                        .special_tokens
                        .get(&id)
                        .ok_or(TokenizerError::UnknownToken { role: "post_processor", token: id })?
                        .ids;
                    if seen_sequence { &mut suffix } else { &mut prefix }.extend_from_slice(ids);
                }
            }
        }
        if !seen_sequence {
            return Err(TokenizerError::Invalid {
                field: "post_processor.single",
                reason: "the template has no `$A`".into(),
            });
        }
        Ok((prefix, suffix))
    }

    /// `added_tokens` with their ids as `tokenizers` assigns them: the
    /// vocabulary's id if the token is in it, else the next id past the
    /// vocabulary (the file's `id` is only a hint there too). Each comes with
    /// its `normalized` flag.
    fn added_tokens(model: &WordPiece, tokens: &[AddedTokenFile]) -> Vec<(bool, AddedToken)> {
        let mut next_id = u32::try_from(model.vocab.len()).unwrap_or(u32::MAX);
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mut out: Vec<(bool, AddedToken)> = Vec::new();
        for token in tokens.iter().filter(|t| !t.content.is_empty()) {
            let id = match ids.get(token.content.as_str()) {
                Some(&id) => id,
                None => model.vocab.get(&token.content).copied().unwrap_or_else(|| {
                    let id = next_id;
                    next_id = next_id.saturating_add(1);
                    id
                }),
            };
            ids.insert(&token.content, id);
            // A token listed twice keeps its latest options.
            out.retain(|(_, t)| t.content != token.content);
            out.push((
                token.normalized,
                AddedToken {
                    content: token.content.clone(),
                    id,
                    single_word: token.single_word,
                    lstrip: token.lstrip,
                    rstrip: token.rstrip,
                },
            ));
        }
        out
    }

    /// The same tokenizer truncating to `max_len` ids, special tokens
    /// included. It is raised to the number of special tokens (2 for BERT) if
    /// smaller, so `[CLS]` and `[SEP]` always fit.
    #[must_use]
    pub fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len.max(self.prefix.len() + self.suffix.len());
        self
    }

    /// The most ids [`encode`](Self::encode) returns, special tokens
    /// included: 256 unless set by [`with_max_len`](Self::with_max_len).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The id that pads a batch (`[PAD]`, 0 for BERT).
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    /// The number of entries in the WordPiece vocabulary (30,522 for
    /// all-MiniLM-L6-v2).
    pub fn vocab_size(&self) -> usize {
        self.model.vocab.len()
    }

    /// The id of a vocabulary entry, such as `"[CLS]"` or `"##ing"`.
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.model.vocab.get(token).copied()
    }

    /// Tokenizes `text`: `[CLS]`, the ids of its subwords, `[SEP]`, at most
    /// [`max_len`](Self::max_len) ids in all (the text's ids truncated at the
    /// end, the special ones kept). Any text is accepted; an empty one gives
    /// `[CLS] [SEP]`. Time is linear in the text's length.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let budget = self.max_len - self.prefix.len() - self.suffix.len();
        let mut ids = Vec::with_capacity(self.max_len.min(text.len() + 2));
        ids.extend_from_slice(&self.prefix);
        let first = ids.len();
        let mut candidate = String::new();
        // Truncation keeps the first `budget` ids, so the rest of the text
        // need not be tokenized.
        let _ = self.raw_tokens.split(text, |piece| {
            let full = |ids: &Vec<u32>| {
                if ids.len() - first >= budget { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
            };
            match piece {
                Piece::Token(id) => {
                    ids.push(id);
                    full(&ids)
                }
                Piece::Text(raw) => {
                    // ASCII whitespace passes every normaliser step unchanged,
                    // is a starter no mark reorders across, and is where the
                    // pre-tokenizer splits: the text between two such
                    // characters is normalised alone, and only as far as the
                    // ids are needed. Added tokens matched after normalising
                    // could hold spaces, so they take the text whole.
                    let split = self.normalized_tokens.is_empty();
                    let chunks = raw.split(|c| split && matches!(c, ' ' | '\t' | '\n' | '\r'));
                    for chunk in chunks.filter(|c| !c.is_empty()) {
                        let normalized = match &self.normalizer {
                            Some(n) => n.normalize(chunk),
                            None => chunk.to_owned(),
                        };
                        self.normalized_tokens.split(&normalized, |piece| match piece {
                            Piece::Token(id) => {
                                ids.push(id);
                                full(&ids)
                            }
                            Piece::Text(part) => text::pre_tokenize(part, |word| {
                                self.model.tokenize(word, &mut candidate, &mut ids);
                                full(&ids)
                            }),
                        })?;
                    }
                    ControlFlow::Continue(())
                }
            }
        });
        ids.truncate(first + budget);
        ids.extend_from_slice(&self.suffix);
        ids
    }

    /// [`encode`](Self::encode)s each text.
    pub fn encode_batch<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Vec<u32>> {
        texts.iter().map(|t| self.encode(t.as_ref())).collect()
    }
}
