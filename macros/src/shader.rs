//! `#[wasi_webgpu::shader]`: WGSL checked against WebGPU at compile time,
//! with typed bindings generated from its reflection.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, ItemMod, LitStr, Token};

/// Where the WGSL comes from.
enum Source {
    /// `path = "a.wgsl"`, or `path = ["a.wgsl", "b.wgsl", ..]`: files joined in order.
    Paths(Vec<LitStr>),
    Inline(LitStr),
}

impl Parse for Source {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        const USAGE: &str = "expected `path = \"file.wgsl\"` or `wgsl = r#\"...\"#`";
        if input.is_empty() {
            return Err(input.error(USAGE));
        }
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let source = match key.to_string().as_str() {
            "path" if input.peek(syn::token::Bracket) => {
                let list;
                let bracket = syn::bracketed!(list in input);
                let paths: Vec<LitStr> =
                    list.parse_terminated(|i: ParseStream<'_>| i.parse::<LitStr>(), Token![,])?.into_iter().collect();
                if paths.is_empty() {
                    return Err(syn::Error::new(bracket.span.join(), "`path = [..]` needs at least one file"));
                }
                Source::Paths(paths)
            }
            "path" => Source::Paths(vec![input.parse()?]),
            "wgsl" => Source::Inline(input.parse()?),
            _ => return Err(syn::Error::new(key.span(), format!("unknown key `{key}`; {USAGE}"))),
        };
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            if !input.is_empty() {
                return Err(input.error("give exactly one of `path` and `wgsl`"));
            }
        }
        if !input.is_empty() {
            return Err(input.error(USAGE));
        }
        Ok(source)
    }
}

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let source: Source = syn::parse2(attr)?;
    let mut module: ItemMod = syn::parse2(item)
        .map_err(|e| syn::Error::new(e.span(), "#[wasi_webgpu::shader] goes on a module: `mod name {}`"))?;
    let Some((_, items)) = &mut module.content else {
        return Err(syn::Error::new_spanned(&module, "#[wasi_webgpu::shader] needs an inline module: `mod name {}`"));
    };
    let label = module.ident.to_string();

    let compiled = match &source {
        Source::Paths(paths) => {
            let mut files = Vec::with_capacity(paths.len());
            for lit in paths {
                let path = resolve(&lit.value());
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    let shown = lit.value();
                    syn::Error::new(
                        lit.span(),
                        format!("cannot read the shader `{shown}` (relative to CARGO_MANIFEST_DIR): {e}"),
                    )
                })?;
                files.push((lit.value(), path.to_string_lossy().into_owned(), text));
            }
            let named: Vec<(&str, &str)> =
                files.iter().map(|(shown, _, text)| (shown.as_str(), text.as_str())).collect();
            let absolute = files.iter().map(|(_, absolute, _)| absolute);
            // include_str! makes cargo rebuild the crate when a file changes.
            let (shader, source_expr) = match named.as_slice() {
                [(shown, text)] => {
                    (wasi_webgpu_shader::compile(text, Some(shown)), quote!(#(::core::include_str!(#absolute))*))
                }
                // The newlines are wasi_webgpu_shader::join's.
                _ => (
                    wasi_webgpu_shader::compile_files(&named),
                    quote!(::core::concat!(#(::core::include_str!(#absolute), "\n"),*)),
                ),
            };
            // An error points at the file it is in.
            let span = shader.as_ref().err().and_then(|d| d.span.clone());
            let at = span.and_then(|span| wasi_webgpu_shader::file_at(&named, span.start)).map_or(0, |(at, _)| at);
            (shader, source_expr, &paths[at])
        }
        Source::Inline(lit) => {
            let shown = format!("{label} (inline WGSL)");
            (wasi_webgpu_shader::compile(&lit.value(), Some(&shown)), quote!(#lit), lit)
        }
    };
    let (shader, source_expr, literal) = compiled;
    let shader = shader.map_err(|d| {
        // The message carries the whole cause; the rendering, whose first
        // line repeats it, follows for the source snippet.
        let rendered = d.rendered.trim_end();
        let snippet = if rendered.contains(&d.message) {
            rendered.lines().skip(1).collect::<Vec<_>>().join("\n")
        } else {
            rendered.to_owned()
        };
        // Stable Rust cannot point inside a string literal, so an inline
        // shader's errors point at the literal and name the WGSL position.
        let message = match (&source, d.line, d.column) {
            (Source::Inline(_), Some(line), Some(column)) => {
                format!("in the WGSL at line {line}, column {column}: {}\n{snippet}", d.message)
            }
            _ => format!("{}\n{snippet}", d.message),
        };
        syn::Error::new(literal.span(), message)
    })?;
    let generated = wasi_webgpu_shader::back::generate(&shader, source_expr, &label);
    items.push(syn::Item::Verbatim(generated));
    Ok(quote!(#module))
}

/// Relative paths are relative to the manifest directory of the crate being
/// compiled, like `include_str!` in a build script's output would be, so the
/// attribute works the same from any source file.
fn resolve(path: &str) -> PathBuf {
    let path = PathBuf::from(path);
    if path.is_absolute() {
        return path;
    }
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(dir) => PathBuf::from(dir).join(path),
        None => path,
    }
}
