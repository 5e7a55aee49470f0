//! `#[wasi_webgpu::shader]`: WGSL checked against WebGPU at compile time,
//! with typed bindings generated from its reflection.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, ItemMod, LitStr, Token};

/// Where the WGSL comes from.
enum Source {
    Path(LitStr),
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
        let value: LitStr = input.parse()?;
        let source = match key.to_string().as_str() {
            "path" => Source::Path(value),
            "wgsl" => Source::Inline(value),
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

    let (wgsl, source_expr, literal, shown_path) = match &source {
        Source::Path(lit) => {
            let path = resolve(&lit.value());
            let wgsl = std::fs::read_to_string(&path).map_err(|e| {
                let shown = lit.value();
                syn::Error::new(
                    lit.span(),
                    format!("cannot read the shader `{shown}` (relative to CARGO_MANIFEST_DIR): {e}"),
                )
            })?;
            let absolute = path.to_string_lossy().into_owned();
            // include_str! makes cargo rebuild the crate when the file changes.
            (wgsl, quote!(::core::include_str!(#absolute)), lit, lit.value())
        }
        Source::Inline(lit) => (lit.value(), quote!(#lit), lit, format!("{label} (inline WGSL)")),
    };
    let shader = wasi_webgpu_shader::compile(&wgsl, Some(&shown_path)).map_err(|d| {
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
