//! Expansion cost of `#[wasi_webgpu::kernel]` (feature `kernel-macro`): the
//! translator crate's entry point, called in this process on every kernel
//! of the examples.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use quote::ToTokens as _;

use crate::report::{MacroRow, Stat};

/// `(name, attribute arguments, function without the attribute)` of each
/// `#[kernel(..)]` function in `examples/*/src/*.rs`.
fn kernels(root: &Path) -> Result<Vec<(String, proc_macro2::TokenStream, proc_macro2::TokenStream)>> {
    let mut found = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join("examples"))?
        .flatten()
        .flat_map(|e| std::fs::read_dir(e.path().join("src")).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for path in files {
        let source = std::fs::read_to_string(&path)?;
        let file = syn::parse_file(&source).with_context(|| format!("{} does not parse", path.display()))?;
        for item in file.items {
            let syn::Item::Fn(mut func) = item else { continue };
            let Some(at) =
                func.attrs.iter().position(|a| a.path().segments.last().is_some_and(|s| s.ident == "kernel"))
            else {
                continue;
            };
            let attr = func.attrs.remove(at);
            let args = match attr.meta {
                syn::Meta::List(list) => list.tokens,
                _ => proc_macro2::TokenStream::new(),
            };
            let name = format!("{}::{}", path.strip_prefix(root).unwrap_or(&path).display(), func.sig.ident);
            found.push((name, args, func.into_token_stream()));
        }
    }
    Ok(found)
}

pub fn kernel_cost(root: &Path, runs: usize) -> Result<Vec<MacroRow>> {
    kernels(root)?
        .into_iter()
        .map(|(name, attr, item)| {
            let bytes = item.to_string().len();
            let output = wasi_webgpu_kernel::kernel(attr.clone(), item.clone()).to_string();
            let name = if output.contains("compile_error") {
                format!("{name} (expands to a compile error here)")
            } else if output.contains("__kernel_continue") {
                format!("{name} (first step: #[gpu] helpers expand in later steps)")
            } else {
                name
            };
            let times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(wasi_webgpu_kernel::kernel(attr.clone(), item.clone()));
                    start.elapsed()
                })
                .collect();
            Ok(MacroRow { name: format!("#[kernel] {name}"), bytes, time: Stat::of(&times, |s| s * 1e3) })
        })
        .collect()
}
