//! The guard's lexer and its nesting scan: WGSL tokens by byte offset, and
//! the depth and size of every expression, found without building a tree.

use super::{Bound, Refusal};

/// What a token is; punctuation is compared by its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    Number,
    Punct,
}

/// One token: its kind and where its text is in the source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Token {
    pub(crate) fn text<'s>(&self, source: &'s str) -> &'s str {
        &source[self.start as usize..self.end as usize]
    }
}

/// Punctuation, longest first so that the first match is the longest one.
const PUNCT: &[&str] = &[
    ">>=", "<<=", "->", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=",
    "|=", "^=",
];

fn ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic() || !c.is_ascii()
}

fn ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric() || !c.is_ascii()
}

/// Splits `source` into tokens, skipping whitespace and (nested) comments.
/// Fails only when the token list cannot be allocated; bytes that are no
/// WGSL token become one-character punctuation, which the host rejects.
pub(crate) fn tokens(source: &str) -> Result<Vec<Token>, Refusal> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    // A token is at least one byte; most are several. Reserving a quarter
    // of the source up front avoids most regrowth without over-committing.
    tokens.try_reserve(source.len() / 4 + 16).map_err(|_| Refusal::out_of_memory(source.len()))?;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                i += 1;
            }
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            // Block comments nest in WGSL; a counter, not recursion.
            let mut depth = 0usize;
            while i < bytes.len() {
                if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            continue;
        }
        let start = i;
        let kind = if b.is_ascii_digit() || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let hex = b == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X'));
            i += 1;
            while i < bytes.len() {
                let c = bytes[i];
                let exponent = if hex { matches!(c, b'p' | b'P') } else { matches!(c, b'e' | b'E') };
                if exponent && matches!(bytes.get(i + 1), Some(b'+' | b'-')) {
                    i += 2;
                } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
                    i += 1;
                } else {
                    break;
                }
            }
            Kind::Number
        } else {
            let c = source[i..].chars().next().unwrap_or('\0');
            if ident_start(c) {
                i += c.len_utf8();
                while let Some(c) = source[i..].chars().next().filter(|&c| ident_continue(c)) {
                    i += c.len_utf8();
                }
                Kind::Ident
            } else {
                i += PUNCT.iter().find(|p| source[i..].starts_with(**p)).map_or(c.len_utf8(), |p| p.len());
                Kind::Punct
            }
        };
        if tokens.len() == tokens.capacity() {
            tokens.try_reserve(tokens.len()).map_err(|_| Refusal::out_of_memory(source.len()))?;
        }
        tokens.push(Token { kind, start: start as u32, end: i as u32 });
    }
    Ok(tokens)
}

/// Identifiers after which `<` opens a template list rather than
/// comparing: the predeclared types and functions that take one, and `var`.
pub(crate) fn takes_template(name: &str) -> bool {
    matches!(name, "var" | "array" | "atomic" | "ptr" | "bitcast" | "binding_array")
        || (name.len() == 4 && name.starts_with("vec"))
        || (name.len() == 6 && name.starts_with("mat"))
        || name.starts_with("texture_")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Paren,
    Bracket,
    Brace,
    Template,
}

/// One open bracket. `ops` counts the operators of the element (the part
/// between commas or semicolons) being scanned, `child` the deepest
/// bracket closed in it so far: `ops + child` bounds the depth of the
/// element's expression tree, as a left-leaning chain `1+1+…+1` is as deep
/// as it is long.
#[derive(Debug, Clone, Copy)]
struct Frame {
    open: Open,
    ops: u32,
    child: u32,
    deepest: u32,
}

impl Frame {
    fn new(open: Open) -> Self {
        Self { open, ops: 0, child: 0, deepest: 0 }
    }

    fn element_depth(&self) -> u32 {
        self.ops + self.child
    }

    fn end_element(&mut self) {
        self.deepest = self.deepest.max(self.element_depth());
        self.ops = 0;
        self.child = 0;
    }
}

/// Refuses braces nested deeper than [`Bound::BlockDepth`], brackets of
/// all kinds nested deeper than [`Bound::Nesting`], runs of unary
/// operators longer than it, and expressions whose tree may be deeper than
/// [`Bound::ExpressionDepth`]. Bracket kinds that do not match are left to
/// the host's parser, which reports them.
pub(crate) fn scan_nesting(source: &str, tokens: &[Token]) -> Result<(), Refusal> {
    let max_nesting = Bound::Nesting.max() as usize;
    let max_depth = Bound::ExpressionDepth.max() as u32;
    // The root frame stands for the module (and a function body's braces).
    let mut stack: Vec<Frame> = Vec::new();
    stack.try_reserve_exact(max_nesting + 2).map_err(|_| Refusal::out_of_memory(max_nesting))?;
    stack.push(Frame::new(Open::Brace));
    let max_blocks = Bound::BlockDepth.max() as usize;
    let mut blocks = 0usize;
    let mut unary_run = 0usize;
    // Whether the previous token ends an operand (so `-` after it is binary
    // and `[` or `(` after it index or call it).
    let mut after_operand = false;
    let mut previous_ident: Option<&str> = None;
    for token in tokens {
        let text = token.text(source);
        let mut ends_operand = false;
        let mut count_op = false;
        let mut ident = None;
        match (token.kind, text) {
            (Kind::Ident, "return") => {}
            (Kind::Ident, _) => {
                ends_operand = true;
                ident = Some(text);
            }
            (Kind::Number, _) => ends_operand = true,
            (_, "(" | "[" | "{") => {
                let open = match text {
                    "(" => Open::Paren,
                    "[" => Open::Bracket,
                    _ => Open::Brace,
                };
                let top = stack.last_mut().expect("the root frame is never popped");
                if open == Open::Brace {
                    top.end_element();
                    blocks += 1;
                    if blocks > max_blocks {
                        return Err(Refusal::at(token.start, Bound::BlockDepth, blocks as u64));
                    }
                } else if after_operand {
                    // A call or an index: one more level over its operand.
                    top.ops += 1;
                }
                if stack.len() + unary_run > max_nesting {
                    return Err(Refusal::at(token.start, Bound::Nesting, (stack.len() + unary_run) as u64));
                }
                stack.push(Frame::new(open));
                unary_run = 0;
            }
            (_, ")" | "]" | "}") => {
                let open = match text {
                    ")" => Open::Paren,
                    "]" => Open::Bracket,
                    _ => Open::Brace,
                };
                // Templates still open here were comparisons after all.
                while stack.len() > 1
                    && stack.last().is_some_and(|f| f.open == Open::Template && open != Open::Template)
                {
                    close(&mut stack);
                }
                if stack.len() > 1 && stack.last().is_some_and(|f| f.open == open) {
                    close(&mut stack);
                    if open == Open::Brace {
                        blocks -= 1;
                    }
                }
                if open == Open::Brace {
                    stack.last_mut().expect("root").end_element();
                } else {
                    ends_operand = true;
                }
            }
            (_, "<") if previous_ident.is_some_and(takes_template) => {
                if stack.len() + unary_run > max_nesting {
                    return Err(Refusal::at(token.start, Bound::Nesting, (stack.len() + unary_run) as u64));
                }
                stack.push(Frame::new(Open::Template));
            }
            (_, ">" | ">>" | ">=" | ">>=") if stack.last().is_some_and(|f| f.open == Open::Template) => {
                close(&mut stack);
                if text.starts_with(">>") && stack.last().is_some_and(|f| f.open == Open::Template) {
                    close(&mut stack);
                }
                ends_operand = true;
            }
            (_, "," | ";") => {
                stack.last_mut().expect("root").end_element();
            }
            // `--x` is a decrement token to the host's lexer, but a run
            // of them counts as the unary minuses it looks like.
            (_, "--" | "++") if !after_operand => {
                unary_run += 2;
                let top = stack.last_mut().expect("root");
                top.ops += 2;
                if stack.len() + unary_run > max_nesting {
                    return Err(Refusal::at(token.start, Bound::Nesting, (stack.len() + unary_run) as u64));
                }
                continue;
            }
            (_, "." | "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "!" | "~" | "<" | ">" | "<<" | ">>" | "&&")
            | (_, "||" | "==" | "!=" | "<=" | ">=") => {
                count_op = true;
                let unary = !after_operand && matches!(text, "-" | "!" | "~" | "*" | "&");
                if unary {
                    unary_run += 1;
                    if stack.len() + unary_run > max_nesting {
                        return Err(Refusal::at(token.start, Bound::Nesting, (stack.len() + unary_run) as u64));
                    }
                }
            }
            _ => {}
        }
        if count_op {
            let top = stack.last_mut().expect("root");
            top.ops += 1;
            if top.element_depth() > max_depth {
                return Err(Refusal::at(token.start, Bound::ExpressionDepth, top.element_depth().into()));
            }
        } else if ends_operand {
            unary_run = 0;
        }
        // A member name after `.` is an operand too.
        after_operand = ends_operand;
        previous_ident = ident;
        let top = stack.last().expect("root");
        if top.element_depth() > max_depth {
            return Err(Refusal::at(token.start, Bound::ExpressionDepth, top.element_depth().into()));
        }
    }
    Ok(())
}

/// Pops the innermost frame into its parent's current element.
fn close(stack: &mut Vec<Frame>) {
    let mut frame = stack.pop().expect("not the root");
    frame.end_element();
    let parent = stack.last_mut().expect("root");
    if frame.open != Open::Brace {
        parent.child = parent.child.max(frame.deepest + 1);
    }
}
