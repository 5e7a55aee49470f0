//! WGSL front end: parsing with naga, plus the little source scanning that naga's IR cannot answer
//! (which `enable` directives were written, where an entry point is declared).

use std::ops::Range;

use naga::front::wgsl::{Frontend, ImplementedEnableExtension, Options};

use crate::valid;
use crate::{Diagnostic, explain};

/// A parsed module together with the `enable` directives of its source.
pub(crate) struct Parsed {
    pub module: naga::Module,
    pub enables: Vec<String>,
}

/// Parses `source`, accepting only the `enable` extensions WebGPU defines.
pub(crate) fn parse(source: &str, path: &str) -> Result<Parsed, Diagnostic> {
    let mut options = Options::new();
    // naga's default lets every `enable` through (wgpu-core narrows it to the device's features);
    // narrowing it to WebGPU's optional features makes `enable wgpu_mesh_shader;` a parse error
    // that points at the directive, instead of a vaguer validation error later.
    options.capabilities = valid::parser_capabilities();
    let module =
        Frontend::new_with_options(options).parse(source).map_err(|error| parse_diagnostic(&error, source, path))?;
    Ok(Parsed { module, enables: enables(source) })
}

fn parse_diagnostic(error: &naga::front::wgsl::ParseError, source: &str, path: &str) -> Diagnostic {
    let span = error.labels().next().and_then(|(span, _)| span.to_range());
    if let Some(span) = span.clone()
        && let Some(diagnostic) = missing_attribute(error.message(), span, source, path)
    {
        return diagnostic;
    }
    let rendered = error.emit_to_string_with_path(&crate::display_source(source), path);
    let labels: Vec<(Range<usize>, &str)> =
        error.labels().filter_map(|(span, label)| Some((span.to_range()?, label))).collect();
    if let Some((message, labels)) = crate::explain::parse::explain(error.message(), &labels, &rendered, source) {
        return Diagnostic::at(message, &labels, source, path);
    }
    Diagnostic::new(explain::parse::wgsl(error.message()), span, explain::parse::wgsl(&rendered), source)
}

/// naga's "variable `@binding(0)` needs a 'group' attribute" names the variable by the span of its
/// attributes; this one names it by its name, and points there.
fn missing_attribute(message: &str, span: Range<usize>, source: &str, path: &str) -> Option<Diagnostic> {
    let attribute = message.strip_prefix("variable `@")?.split_once("` needs a '")?.1.strip_suffix("' attribute")?;
    let after = source.get(span.end..)?;
    let mut name = None;
    let mut depth = 0u32;
    for (token, range) in Tokens::new(after) {
        match token {
            Token::Punct('<') => depth += 1,
            Token::Punct('>') => depth = depth.saturating_sub(1),
            Token::Ident("var") => {}
            Token::Ident(ident) if depth == 0 => {
                name = Some((ident, span.end + range.start..span.end + range.end));
                break;
            }
            _ if depth > 0 => {}
            _ => return None,
        }
    }
    let (name, at) = name?;
    let message = format!("variable `{name}` needs a `@{attribute}` attribute");
    Some(Diagnostic::at(message, &[(Some(at), format!("add `@{attribute}(..)` to `{name}`"))], source, path))
}

/// The capabilities that the `enable` directives of a parsed module ask for.
pub(crate) fn enabled_capabilities(enables: &[String]) -> naga::valid::Capabilities {
    let mut caps = naga::valid::Capabilities::empty();
    for ext in ImplementedEnableExtension::all() {
        let ident = naga::front::wgsl::EnableExtension::Implemented(*ext).to_ident();
        if enables.iter().any(|e| e == ident) {
            caps |= ext.capability();
        }
    }
    caps
}

/// The extension names of the `enable` directives at the top of `source`.
///
/// naga checks the directives but does not keep them in the module, so they are read back from the
/// source. This runs after a successful parse, so the directive block is known to be well formed and
/// a token-level scan is exact.
pub(crate) fn enables(source: &str) -> Vec<String> {
    let mut tokens = Tokens::new(source);
    let mut enables = Vec::new();
    while let Some(Token::Ident(word)) = tokens.peek().map(|(t, _)| t) {
        let is_enable = word == "enable";
        if !matches!(word, "enable" | "requires" | "diagnostic") {
            break;
        }
        tokens.next();
        for (token, _) in tokens.by_ref() {
            match token {
                Token::Punct(';') => break,
                Token::Ident(name) if is_enable && !enables.iter().any(|e| e == name) => enables.push(name.to_string()),
                _ => {}
            }
        }
    }
    enables
}

/// Where a function is declared: its name, and the attributes written before `fn`.
#[derive(Debug)]
pub(crate) struct FnDecl {
    pub name: Range<usize>,
    /// `(attribute name, span from '@' through its closing ')')`.
    pub attributes: Vec<(String, Range<usize>)>,
}

impl FnDecl {
    pub(crate) fn attribute(&self, name: &str) -> Option<Range<usize>> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, span)| span.clone())
    }
}

/// Finds the declaration of function `name`.
///
/// naga keeps no span for an entry point, yet limit errors about one should point at it.
pub(crate) fn find_fn(source: &str, name: &str) -> Option<FnDecl> {
    let mut tokens = Tokens::new(source).peekable();
    let mut attributes = Vec::new();
    while let Some((token, span)) = tokens.next() {
        match token {
            Token::Punct('@') => {
                let Some((Token::Ident(attr), attr_span)) = tokens.next() else {
                    attributes.clear();
                    continue;
                };
                let mut end = attr_span.end;
                if matches!(tokens.peek(), Some((Token::Punct('('), _))) {
                    let mut depth = 0usize;
                    for (t, s) in tokens.by_ref() {
                        match t {
                            Token::Punct('(') => depth += 1,
                            Token::Punct(')') => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    end = s.end;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                attributes.push((attr.to_string(), span.start..end));
            }
            Token::Ident("fn") => {
                if let Some((Token::Ident(found), name_span)) = tokens.peek()
                    && *found == name
                {
                    return Some(FnDecl { name: name_span.clone(), attributes });
                }
                attributes.clear();
            }
            _ => attributes.clear(),
        }
    }
    None
}

/// Identifiers in a piece of WGSL, in order.
pub(crate) fn identifiers(source: &str) -> impl Iterator<Item = &str> {
    identifiers_at(source).map(|(name, _)| name)
}

/// Identifiers in a piece of WGSL with their byte ranges, in order.
pub(crate) fn identifiers_at(source: &str) -> impl Iterator<Item = (&str, Range<usize>)> {
    Tokens::new(source).filter_map(|(t, span)| match t {
        Token::Ident(name) => Some((name, span)),
        _ => None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Token<'a> {
    Ident(&'a str),
    /// A numeric literal, kept whole so its letters are not taken for identifiers.
    Number,
    Punct(char),
}

/// A minimal WGSL tokenizer: identifiers, numbers and single punctuation characters, skipping
/// blankspace and (nested) comments. Enough for the scans above, which only run on source naga has
/// already accepted.
struct Tokens<'a> {
    source: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    fn new(source: &'a str) -> Self {
        Self { source, pos: 0 }
    }

    fn peek(&self) -> Option<(Token<'a>, Range<usize>)> {
        Self { source: self.source, pos: self.pos }.next()
    }

    fn rest(&self) -> &'a str {
        &self.source[self.pos..]
    }

    fn skip_trivia(&mut self) {
        loop {
            let rest = self.rest();
            if let Some(c) = rest.chars().next()
                && is_blankspace(c)
            {
                self.pos += c.len_utf8();
            } else if rest.starts_with("//") {
                self.pos += rest.find(['\n', '\r']).unwrap_or(rest.len());
            } else if rest.starts_with("/*") {
                let mut depth = 0usize;
                let mut i = 0;
                let bytes = rest.as_bytes();
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                self.pos += i;
            } else {
                return;
            }
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = (Token<'a>, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        self.skip_trivia();
        let start = self.pos;
        let rest = self.rest();
        let first = rest.chars().next()?;
        let (token, len) = if first.is_alphabetic() || first == '_' {
            let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (Token::Ident(&rest[..len]), len)
        } else if first.is_ascii_digit() || (first == '.' && rest[1..].starts_with(|c: char| c.is_ascii_digit())) {
            let mut prev = first;
            let len = rest
                .char_indices()
                .skip(1)
                .find(|&(_, c)| {
                    // An exponent sign belongs to the number: `1e-3`, `0x1p+4`.
                    let sign = matches!(c, '+' | '-') && matches!(prev, 'e' | 'E' | 'p' | 'P');
                    prev = c;
                    !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || sign)
                })
                .map_or(rest.len(), |(i, _)| i);
            (Token::Number, len)
        } else {
            (Token::Punct(first), first.len_utf8())
        };
        self.pos += len;
        Some((token, start..self.pos))
    }
}

/// WGSL's blankspace set (§3.2), which differs from `char::is_whitespace`.
fn is_blankspace(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enables_skip_comments_and_other_directives() {
        let src = "// enable nope;\n/* enable /* nested */ nope2; */ diagnostic(off, derivative_uniformity);\nenable f16 ,clip_distances,;\nrequires packed_4x8_integer_dot_product;\nenable f16;\nfn enable_me() {}";
        assert_eq!(enables(src), ["f16", "clip_distances"]);
    }

    #[test]
    fn find_fn_collects_attributes() {
        let src = "@group(0) @binding(0) var<uniform> u: f32;\n// @compute fn main\n@compute\n  @workgroup_size(8, 8 /* ) */, 1)\nfn main(@builtin(global_invocation_id) id: vec3u) {}";
        let decl = find_fn(src, "main").expect("declared");
        assert_eq!(&src[decl.name.clone()], "main");
        let names: Vec<_> = decl.attributes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["compute", "workgroup_size"]);
        assert_eq!(&src[decl.attribute("workgroup_size").expect("attribute")], "@workgroup_size(8, 8 /* ) */, 1)");
        assert!(find_fn(src, "mai").is_none());
    }

    #[test]
    fn numbers_are_not_identifiers() {
        let ids: Vec<_> = identifiers("N * 2u + 1e-3f + 0x1fu + M").collect();
        assert_eq!(ids, ["N", "M"]);
    }
}
