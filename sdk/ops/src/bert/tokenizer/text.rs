//! The stages of BERT tokenization, each behaving like its HuggingFace
//! `tokenizers` counterpart: `BertNormalizer`, the added-token split,
//! `BertPreTokenizer` and the `WordPiece` model.
//!
//! The Unicode tables are the ones `tokenizers` itself uses
//! (`unicode_categories` and `unicode-normalization-alignments`, both Unicode
//! 9.0): newer tables would classify characters added since then differently
//! (an unassigned code point is kept, a newer combining mark would be
//! stripped), and the ids would no longer match.

use std::collections::HashMap;
use std::ops::ControlFlow;

use unicode_categories::UnicodeCategories;
use unicode_normalization_alignments::UnicodeNormalization;

/// `BertNormalizer`'s settings, `strip_accents` resolved.
#[derive(Clone, Copy, Debug)]
pub(super) struct Normalizer {
    pub clean_text: bool,
    pub handle_chinese_chars: bool,
    pub strip_accents: bool,
    pub lowercase: bool,
}

impl Normalizer {
    /// Normalises `text` in the order `tokenizers` does: clean, pad CJK
    /// ideographs with spaces, NFD and drop nonspacing marks, lowercase.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        for c in text.chars() {
            let c = if self.clean_text {
                let removed = if c.is_ascii() {
                    c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')
                } else {
                    c == '\u{FFFD}' || is_control(c)
                };
                if removed {
                    continue;
                }
                if is_whitespace(c) { ' ' } else { c }
            } else {
                c
            };
            if self.handle_chinese_chars && is_chinese_char(c) {
                out.push(' ');
                out.push(c);
                out.push(' ');
            } else {
                out.push(c);
            }
        }
        // ASCII has no decompositions, marks or case mappings beyond A-Z:
        // most text skips the table lookups.
        let ascii = out.is_ascii();
        if self.strip_accents && !ascii {
            out = out.nfd().map(|(c, _)| c).filter(|c| !c.is_mark_nonspacing()).collect();
        }
        if self.lowercase {
            if ascii {
                out.make_ascii_lowercase();
            } else {
                // Per character, as `tokenizers` does: `str::to_lowercase`
                // would turn a word-final Σ into ς, `tokenizers` gives σ.
                out = out.chars().flat_map(char::to_lowercase).collect();
            }
        }
        out
    }
}

/// `\t`, `\n` and `\r` are control characters that BERT counts as spaces.
fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// Cc, Cf and Co (not Cn: an unassigned code point is kept).
fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.is_other()
}

/// The CJK Unified Ideographs blocks and their extensions and compatibility
/// blocks, exactly the ranges BERT's original code (and `tokenizers`) uses;
/// kana and Hangul are not among them.
fn is_chinese_char(c: char) -> bool {
    matches!(
        c as u32,
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

/// ASCII punctuation (which includes symbols such as `$`, `+`, `^`) and the
/// Unicode P* categories.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_punctuation()
}

/// What a regex's `\w` matches (UTS #18): what `single_word` added tokens
/// test their neighbours with.
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || c.is_mark()
        || c.is_number_decimal_digit()
        || c.is_punctuation_connector()
        || matches!(c, '\u{200C}' | '\u{200D}')
}

/// `BertPreTokenizer`: calls `word` for each word of `text`, split at
/// whitespace (dropped) and at punctuation (each mark a word of its own).
pub(super) fn pre_tokenize<'a>(text: &'a str, mut word: impl FnMut(&'a str) -> ControlFlow<()>) -> ControlFlow<()> {
    for chunk in text.split(char::is_whitespace) {
        let mut start = 0;
        for (i, c) in chunk.char_indices() {
            if is_punctuation(c) {
                if start < i {
                    word(&chunk[start..i])?;
                }
                let end = i + c.len_utf8();
                word(&chunk[i..end])?;
                start = end;
            }
        }
        if start < chunk.len() {
            word(&chunk[start..])?;
        }
    }
    ControlFlow::Continue(())
}

/// A token of `tokenizer.json`'s `added_tokens`, matched in the text before
/// the model sees it (`[CLS]` in the input is the id of `[CLS]`).
#[derive(Clone, Debug)]
pub(super) struct AddedToken {
    pub content: String,
    pub id: u32,
    pub single_word: bool,
    pub lstrip: bool,
    pub rstrip: bool,
}

/// A part of a text split at its added tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Piece<'a> {
    Text(&'a str),
    Token(u32),
}

/// Finds added tokens like `tokenizers`' Aho-Corasick automaton in
/// leftmost-longest mode. The few patterns a BERT tokenizer has (its five
/// special tokens) are checked directly, after a first-byte filter, which
/// keeps the scan linear in the text.
#[derive(Clone, Debug, Default)]
pub(super) struct Matcher {
    tokens: Vec<AddedToken>,
    first_bytes: Vec<bool>,
}

impl Matcher {
    pub fn new(tokens: Vec<AddedToken>) -> Self {
        let tokens: Vec<_> = tokens.into_iter().filter(|t| !t.content.is_empty()).collect();
        let mut first_bytes = vec![false; 256];
        for token in &tokens {
            first_bytes[usize::from(token.content.as_bytes()[0])] = true;
        }
        Self { tokens, first_bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Calls `piece` with the text between matches and the matches' ids, in
    /// order.
    pub fn split<'a>(&self, text: &'a str, mut piece: impl FnMut(Piece<'a>) -> ControlFlow<()>) -> ControlFlow<()> {
        if self.tokens.is_empty() {
            if !text.is_empty() {
                piece(Piece::Text(text))?;
            }
            return ControlFlow::Continue(());
        }
        let bytes = text.as_bytes();
        // `done` is where the text not yet handed to `piece` starts;
        // `pos` is where the automaton resumes (the raw match's end, even
        // when `rstrip` took the spaces after it).
        let mut done = 0;
        let mut pos = 0;
        while pos < bytes.len() {
            if !self.first_bytes[usize::from(bytes[pos])] {
                pos += 1;
                continue;
            }
            let rest = &bytes[pos..];
            let Some(token) =
                self.tokens.iter().filter(|t| rest.starts_with(t.content.as_bytes())).max_by_key(|t| t.content.len())
            else {
                pos += 1;
                continue;
            };
            // A pattern is valid UTF-8 and its first byte is not a
            // continuation byte, so both ends are char boundaries.
            let (mut start, mut stop) = (pos, pos + token.content.len());
            pos = stop;
            if token.single_word {
                let before = text[..start].chars().next_back();
                let after = text[stop..].chars().next();
                if before.is_some_and(is_word_char) || after.is_some_and(is_word_char) {
                    continue;
                }
            }
            if token.lstrip {
                let kept = text[..start].trim_end_matches(char::is_whitespace).len();
                start = kept.max(done);
            }
            if token.rstrip {
                let rest = &text[stop..];
                stop += rest.len() - rest.trim_start_matches(char::is_whitespace).len();
            }
            start = start.max(done);
            if done < start {
                piece(Piece::Text(&text[done..start]))?;
            }
            piece(Piece::Token(token.id))?;
            done = stop;
        }
        if done < text.len() {
            piece(Piece::Text(&text[done..]))?;
        }
        ControlFlow::Continue(())
    }
}

/// The `WordPiece` model: greedy longest-match-first subwords.
#[derive(Clone, Debug)]
pub(super) struct WordPiece {
    pub vocab: HashMap<String, u32>,
    pub unk: u32,
    pub prefix: String,
    pub max_input_chars_per_word: usize,
    /// The longest vocabulary entry, in bytes: no longer candidate can
    /// match, so the search per word is linear in its length, not quadratic.
    pub longest: usize,
}

impl WordPiece {
    /// Appends `word`'s subword ids to `out`, or the unknown token's id if
    /// the word is too long or some part of it has no match. `candidate` is
    /// scratch space, reused between words.
    pub fn tokenize(&self, word: &str, candidate: &mut String, out: &mut Vec<u32>) {
        if word.chars().nth(self.max_input_chars_per_word).is_some() {
            out.push(self.unk);
            return;
        }
        let first = out.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len().min(start + self.longest);
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            let mut found = None;
            while start < end {
                candidate.clear();
                if start > 0 {
                    candidate.push_str(&self.prefix);
                }
                candidate.push_str(&word[start..end]);
                if let Some(&id) = self.vocab.get(candidate.as_str()) {
                    found = Some(id);
                    break;
                }
                end -= word[start..end].chars().next_back().map_or(1, char::len_utf8);
            }
            let Some(id) = found else {
                out.truncate(first);
                out.push(self.unk);
                return;
            };
            out.push(id);
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> Normalizer {
        Normalizer { clean_text: true, handle_chinese_chars: true, strip_accents: true, lowercase: true }
    }

    fn words(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let _ = pre_tokenize(text, |w| {
            out.push(w);
            ControlFlow::Continue(())
        });
        out
    }

    #[test]
    fn normalizes_like_bert() {
        let n = normalizer();
        assert_eq!(n.normalize("Héllo\tWORLD\u{0}\u{FFFD}\u{200B}!"), "hello world!");
        assert_eq!(n.normalize("中文"), " 中  文 ");
        assert_eq!(n.normalize("İ"), "i");
        assert_eq!(n.normalize("ΟΔΟΣ"), "οδοσ");
        // Private use is removed, an unassigned code point is kept.
        assert_eq!(n.normalize("a\u{E000}b\u{0378}"), "ab\u{0378}");
    }

    #[test]
    fn splits_whitespace_and_punctuation() {
        assert_eq!(words("  Hey friend!  How?!"), ["Hey", "friend", "!", "How", "?", "!"]);
        assert_eq!(words("a$b"), ["a", "$", "b"]);
        assert_eq!(words("¿qué?"), ["¿", "qué", "?"]);
        assert!(words(" \t ").is_empty());
    }

    #[test]
    fn matches_added_tokens_leftmost_longest() {
        let token = |content: &str, id| AddedToken {
            content: content.into(),
            id,
            single_word: false,
            lstrip: false,
            rstrip: false,
        };
        let m = Matcher::new(vec![token("[A]", 1), token("[A][B]", 2), token("B]", 3)]);
        let mut pieces = Vec::new();
        let _ = m.split("x[A][B]]y[A]", |p| {
            pieces.push(p);
            ControlFlow::Continue(())
        });
        assert_eq!(pieces, [Piece::Text("x"), Piece::Token(2), Piece::Text("]y"), Piece::Token(1)]);
    }
}
