//! naga's `Debug` output, parsed back into values (`Scalar { kind: Uint, width: 4 }`, `[3]`,
//! `Storage { access: StorageAccess(LOAD) }`), so that error texts can spell them in WGSL.

/// Length of a handle `[N]` at the start of `text`.
pub(super) fn handle_len(text: &str) -> Option<usize> {
    let digits = text.strip_prefix('[')?;
    let n = digits.find(|c: char| !c.is_ascii_digit())?;
    (n > 0 && digits[n..].starts_with(']')).then_some(n + 2)
}

/// A parsed `Debug` value: `Name { field: value, .. }`, `Name(value, ..)`, `Name`, `[N]`, or a
/// number.
pub(super) struct Debug<'a> {
    pub name: &'a str,
    pub fields: Vec<(&'a str, Debug<'a>)>,
    pub items: Vec<Debug<'a>>,
}

impl<'a> Debug<'a> {
    pub fn field(&self, name: &str) -> Option<&Debug<'a>> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn word(&self) -> Option<&'a str> {
        (self.fields.is_empty() && self.items.is_empty()).then_some(self.name)
    }

    pub fn handle(&self) -> Option<usize> {
        self.name.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
    }

    /// An `AddressSpace` as WGSL writes it.
    pub fn space(&self) -> Option<String> {
        Some(match self.name {
            "Function" => "function".into(),
            "Private" => "private".into(),
            "WorkGroup" => "workgroup".into(),
            "Uniform" => "uniform".into(),
            "Handle" => "handle".into(),
            "Storage" => {
                let access = self.field("access")?.items.first()?.name;
                if access.contains("STORE") { "storage, read_write".into() } else { "storage, read".into() }
            }
            _ => return None,
        })
    }
}

pub(super) struct DebugParser<'a> {
    pub text: &'a str,
    pub at: usize,
}

impl<'a> DebugParser<'a> {
    fn skip_space(&mut self) {
        self.at += self.text[self.at..].len() - self.text[self.at..].trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        let hit = self.text[self.at..].starts_with(token);
        if hit {
            self.at += token.len();
        }
        hit
    }

    fn word(&mut self) -> Option<&'a str> {
        self.skip_space();
        let rest = &self.text[self.at..];
        let len = if rest.starts_with('[') {
            handle_len(rest)?
        } else {
            rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())
        };
        (len > 0).then(|| {
            self.at += len;
            &rest[..len]
        })
    }

    /// Values nest a few levels deep at most; deeper input is not a naga type.
    pub fn value(&mut self) -> Option<Debug<'a>> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> Option<Debug<'a>> {
        if depth > 8 {
            return None;
        }
        let name = self.word()?;
        let mut value = Debug { name, fields: Vec::new(), items: Vec::new() };
        if self.eat("{") {
            while !self.eat("}") {
                let field = self.word()?;
                if !self.eat(":") {
                    return None;
                }
                value.fields.push((field, self.value_at(depth + 1)?));
                self.eat(",");
            }
        } else if self.eat("(") {
            while !self.eat(")") {
                value.items.push(self.flags_or_value(depth + 1)?);
                self.eat(",");
            }
        }
        Some(value)
    }

    /// A value, or bitflags like `LOAD | STORE`, kept as one word.
    fn flags_or_value(&mut self, depth: usize) -> Option<Debug<'a>> {
        self.skip_space();
        let start = self.at;
        let first = self.value_at(depth)?;
        if !self.text[self.at..].trim_start().starts_with('|') {
            return Some(first);
        }
        while self.eat("|") {
            self.word()?;
        }
        Some(Debug { name: &self.text[start..self.at], fields: Vec::new(), items: Vec::new() })
    }
}
