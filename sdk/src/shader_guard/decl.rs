//! The guard's declaration-level parser: module-scope `const`, `override`,
//! `alias`, `struct`, `var` and `fn` declarations, by token ranges. Function
//! bodies are not parsed, only kept as a range for the memory and
//! reference scans.

use std::collections::HashMap;
use std::ops::Range;

use super::Refusal;
use super::lex::{Kind, Token, takes_template};

/// What a module-scope name declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Const,
    Override,
    Alias,
    Struct,
    Var,
    Fn,
}

/// A struct member: its type and its `@size` / `@align` arguments.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) ty: Range<usize>,
    pub(crate) size: Option<Range<usize>>,
    pub(crate) align: Option<Range<usize>>,
}

/// One module-scope declaration. Fields a kind has no use for stay empty.
#[derive(Debug, Clone)]
pub(crate) struct Item<'s> {
    pub(crate) kind: ItemKind,
    pub(crate) name: &'s str,
    /// The token of the name, for positions.
    pub(crate) at: usize,
    /// The declared type (`const`, `override`, `var`; an alias's target).
    pub(crate) ty: Option<Range<usize>>,
    /// The initializer (`const`, `override` default, `var`).
    pub(crate) init: Option<Range<usize>>,
    /// An override's `@id`, a struct member's layout, a var's address space.
    pub(crate) id: Option<Range<usize>>,
    pub(crate) members: Vec<Member>,
    pub(crate) space: &'s str,
    /// A function's stage attribute (`compute`, `vertex`, `fragment`).
    pub(crate) stage: Option<&'s str>,
    /// A function's `@workgroup_size` arguments, and the attribute's token.
    pub(crate) workgroup_size: Vec<Range<usize>>,
    pub(crate) workgroup_size_at: usize,
    /// A function's parameters, return type and body.
    pub(crate) body: Range<usize>,
}

impl<'s> Item<'s> {
    fn new(kind: ItemKind, name: &'s str, at: usize) -> Self {
        Self {
            kind,
            name,
            at,
            ty: None,
            init: None,
            id: None,
            members: Vec::new(),
            space: "",
            stage: None,
            workgroup_size: Vec::new(),
            workgroup_size_at: at,
            body: 0..0,
        }
    }
}

/// A parsed module: its tokens, its declarations and their names.
pub(crate) struct Module<'s> {
    pub(crate) source: &'s str,
    pub(crate) tokens: Vec<Token>,
    pub(crate) items: Vec<Item<'s>>,
    pub(crate) names: HashMap<&'s str, usize>,
}

/// An attribute: its name and its arguments, split at top-level commas.
struct Attribute<'s> {
    name: &'s str,
    at: usize,
    args: Vec<Range<usize>>,
}

impl<'s> Module<'s> {
    /// Parses the declarations of `source`, whose nesting
    /// [`scan_nesting`](super::lex::scan_nesting) has bounded.
    pub(crate) fn parse(source: &'s str, tokens: Vec<Token>) -> Result<Self, Refusal> {
        let mut module = Self { source, tokens, items: Vec::new(), names: HashMap::new() };
        let mut i = 0;
        while i < module.tokens.len() {
            let mut attributes = Vec::new();
            while module.text(i) == "@" {
                let (attribute, next) = module.attribute(i);
                attributes.push(attribute);
                i = next;
            }
            let keyword = module.text(i);
            let name_at = i + 1;
            let name = module.text(name_at);
            let named = module.tokens.get(name_at).is_some_and(|t| t.kind == Kind::Ident);
            let item = match keyword {
                "const" | "override" if named => {
                    let kind = if keyword == "const" { ItemKind::Const } else { ItemKind::Override };
                    let mut item = Item::new(kind, name, name_at);
                    let mut j = name_at + 1;
                    if module.text(j) == ":" {
                        let end = module.until(j + 1, &["=", ";"]);
                        item.ty = Some(j + 1..end);
                        j = end;
                    }
                    if module.text(j) == "=" {
                        let end = module.until(j + 1, &[";"]);
                        item.init = Some(j + 1..end);
                        j = end;
                    }
                    item.id = attributes.iter().find(|a| a.name == "id").and_then(|a| a.args.first().cloned());
                    i = j + 1;
                    Some(item)
                }
                "alias" if named => {
                    let mut item = Item::new(ItemKind::Alias, name, name_at);
                    let end = module.until(name_at + 2, &[";"]);
                    item.ty = Some(name_at + 2..end);
                    i = end + 1;
                    Some(item)
                }
                "struct" if named => {
                    let mut item = Item::new(ItemKind::Struct, name, name_at);
                    let mut j = name_at + 2;
                    // From inside the braces, the first `}` outside brackets closes them.
                    let close = module.until(name_at + 2, &["}"]);
                    // Each member: attributes, a name, `:`, a type up to `,` or `}`.
                    while j < close && j < module.tokens.len() {
                        let mut member = Member { ty: 0..0, size: None, align: None };
                        while module.text(j) == "@" {
                            let (attribute, next) = module.attribute(j);
                            match attribute.name {
                                "size" => member.size = attribute.args.first().cloned(),
                                "align" => member.align = attribute.args.first().cloned(),
                                _ => {}
                            }
                            j = next;
                        }
                        let end = module.until(j + 2, &[",", "}"]).min(close);
                        member.ty = (j + 2).min(end)..end;
                        if !member.ty.is_empty() {
                            item.members.push(member);
                        }
                        j = end + 1;
                    }
                    i = close + 1;
                    Some(item)
                }
                "var" => {
                    let mut j = i + 1;
                    let mut space = "";
                    if module.text(j) == "<" {
                        space = module.text(j + 1);
                        j = module.template_end(j) + 1;
                    }
                    let name = module.text(j);
                    let mut item = Item::new(ItemKind::Var, name, j);
                    item.space = space;
                    j += 1;
                    if module.text(j) == ":" {
                        let end = module.until(j + 1, &["=", ";"]);
                        item.ty = Some(j + 1..end);
                        j = end;
                    }
                    if module.text(j) == "=" {
                        let end = module.until(j + 1, &[";"]);
                        item.init = Some(j + 1..end);
                        j = end;
                    }
                    i = j + 1;
                    Some(item)
                }
                "fn" if named => {
                    let mut item = Item::new(ItemKind::Fn, name, name_at);
                    item.stage =
                        attributes.iter().find(|a| matches!(a.name, "compute" | "vertex" | "fragment")).map(|a| a.name);
                    if let Some(size) = attributes.iter().find(|a| a.name == "workgroup_size") {
                        item.workgroup_size = size.args.clone();
                        item.workgroup_size_at = size.at;
                    }
                    let open = module.until(name_at + 1, &["{"]);
                    let end = module.until(open + 1, &["}"]);
                    item.body = name_at + 1..end.min(module.tokens.len());
                    i = end + 1;
                    Some(item)
                }
                _ => {
                    // Directives, `const_assert` and what the host will
                    // reject: skipped to their end.
                    i = if matches!(keyword, "enable" | "requires" | "diagnostic" | "const_assert") {
                        module.until(i + 1, &[";"]) + 1
                    } else {
                        i + 1
                    };
                    None
                }
            };
            if let Some(item) = item {
                if module.items.len() == module.items.capacity() {
                    module
                        .items
                        .try_reserve(module.items.len() + 8)
                        .map_err(|_| Refusal::out_of_memory(source.len()))?;
                }
                // A name declared twice is a host error; the first one counts here.
                let index = module.items.len();
                module.names.entry(item.name).or_insert(index);
                module.items.push(item);
            }
        }
        Ok(module)
    }

    /// The text of token `i`; empty past the end.
    pub(crate) fn text(&self, i: usize) -> &'s str {
        self.tokens.get(i).map_or("", |t| t.text(self.source))
    }

    /// The byte offset of token `i` (the end of the source past the last).
    pub(crate) fn offset(&self, i: usize) -> u32 {
        self.tokens.get(i).map_or(self.source.len() as u32, |t| t.start)
    }

    /// The attribute at `i` (an `@`) and the token after it.
    fn attribute(&self, i: usize) -> (Attribute<'s>, usize) {
        let name = self.text(i + 1);
        let mut args = Vec::new();
        let mut next = i + 2;
        if self.text(next) == "(" {
            let close = self.until(next + 1, &[")"]);
            args = self.split(next + 1..close);
            next = close + 1;
        }
        (Attribute { name, at: i, args }, next)
    }

    /// Splits `range` at its top-level commas, dropping a trailing empty
    /// part.
    pub(crate) fn split(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut parts = Vec::new();
        let mut start = range.start;
        while start < range.end {
            let end = self.until(start, &[","]).min(range.end);
            parts.push(start..end);
            start = end + 1;
        }
        parts
    }

    /// The index of the `>` that closes the template list opened at `open`
    /// (the token count when it never closes). A `>>` closes two lists, so
    /// an inner list and its outer one can end at the same token.
    pub(crate) fn template_end(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut i = open;
        while i < self.tokens.len() {
            match self.text(i) {
                "<" if depth == 0 || (i > 0 && takes_template(self.text(i - 1))) => depth += 1,
                ">" | ">=" => depth -= 1,
                ">>" | ">>=" => depth = depth.saturating_sub(2),
                "(" | "[" | "{" => i = self.until(i + 1, &[")", "]", "}"]),
                ";" | "}" | ")" | "]" => return i,
                _ => {}
            }
            if depth == 0 {
                return i;
            }
            i += 1;
        }
        self.tokens.len()
    }

    /// The first token from `i` on that is one of `stops` outside brackets
    /// and template lists opened after `i` (the token count if none is).
    pub(crate) fn until(&self, mut i: usize, stops: &[&str]) -> usize {
        let mut depth = 0usize;
        let mut templates = 0usize;
        while i < self.tokens.len() {
            let text = self.text(i);
            if depth == 0 && templates == 0 && stops.contains(&text) {
                return i;
            }
            match text {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => {
                    if depth == 0 {
                        // Closes a bracket opened before `i`: the part ends here.
                        return i;
                    }
                    depth -= 1;
                    templates = 0;
                }
                "<" if i > 0 && takes_template(self.text(i - 1)) => templates += 1,
                ">" | ">=" if templates > 0 => templates -= 1,
                ">>" | ">>=" if templates > 0 => templates = templates.saturating_sub(2),
                _ => {}
            }
            i += 1;
        }
        self.tokens.len()
    }

    /// The item that `name` declares at module scope.
    pub(crate) fn item(&self, name: &str) -> Option<usize> {
        self.names.get(name).copied()
    }
}
