//! Measurements that need no GPU: component sizes and macro expansion cost.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};

use crate::report::{MacroRow, SizeRow, Stat};

/// Removes every custom section (names, producers, target features, debug
/// info) from a core module or component, recursively through nested
/// modules and components: what `wasm-tools strip --all` does, and all a
/// runtime can do without.
pub fn strip_custom_sections(wasm: &[u8]) -> Result<Vec<u8>> {
    ensure!(wasm.len() >= 8 && wasm.starts_with(b"\0asm"), "not a wasm binary");
    let component = wasm[6..8] == [1, 0];
    let mut out = wasm[..8].to_vec();
    let mut pos = 8;
    while pos < wasm.len() {
        let id = wasm[pos];
        let (size, leb_len) = read_leb(&wasm[pos + 1..])?;
        let start = pos + 1 + leb_len;
        let end = start.checked_add(size as usize).filter(|&e| e <= wasm.len()).context("truncated section")?;
        let payload = &wasm[start..end];
        match id {
            0 => {}
            // Nested core module (1) or component (4).
            1 | 4 if component => {
                let inner = strip_custom_sections(payload)?;
                out.push(id);
                write_leb(&mut out, inner.len() as u64);
                out.extend_from_slice(&inner);
            }
            _ => out.extend_from_slice(&wasm[pos..end]),
        }
        pos = end;
    }
    Ok(out)
}

fn read_leb(bytes: &[u8]) -> Result<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    bail!("bad LEB128 section size")
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub fn size_row(name: &str, wasm: &Path) -> Result<SizeRow> {
    let bytes = std::fs::read(wasm).with_context(|| format!("failed to read {}", wasm.display()))?;
    Ok(SizeRow {
        name: name.to_owned(),
        release: bytes.len() as u64,
        stripped: strip_custom_sections(&bytes)?.len() as u64,
    })
}

/// The guest crates whose size is reported: every example, and the bench
/// guests.
pub fn size_crates(root: &Path) -> Vec<PathBuf> {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    crates.sort();
    crates.push(root.join("tests/bench/guests/sdk"));
    crates.push(root.join("tests/bench/guests/raw"));
    crates
}

/// The shaders whose expansion is timed: the shader crate's 2 KB reference
/// shader, the bench's and the examples'.
fn macro_corpus(root: &Path) -> Vec<(String, String)> {
    let mut corpus = Vec::new();
    let reflect = root.join("macros/shader/src/testdata/reflect.wgsl");
    let extra = root.join("macros/shader/benches/two_kb_extra.wgsl");
    if let (Ok(a), Ok(b)) = (std::fs::read_to_string(reflect), std::fs::read_to_string(extra)) {
        corpus.push(("two_kb.wgsl (shader crate's 2 KB reference)".to_owned(), a + &b));
    }
    let mut files = Vec::new();
    let mut dirs = vec![root.join("tests/bench/wgsl"), root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && path.file_name().is_some_and(|n| n != "target") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "wgsl") {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        if let Ok(source) = std::fs::read_to_string(&path) {
            let name = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            corpus.push((name, source));
        }
    }
    corpus
}

fn expand(source: &str, name: &str) -> Result<usize> {
    let shader = wasi_webgpu_shader::compile(source, Some(name)).map_err(|e| anyhow::anyhow!("{name}: {e:?}"))?;
    Ok(wasi_webgpu_shader::back::generate(&shader, quote::quote!(""), "bench").to_string().len())
}

/// Times the `#[wasi_webgpu::shader]` expansion (everything but rustc's own
/// work on the output) of each shader, in this process.
pub fn macro_cost(root: &Path, runs: usize) -> Result<Vec<MacroRow>> {
    macro_corpus(root)
        .into_iter()
        .map(|(name, source)| {
            expand(&source, &name)?;
            let times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(expand(std::hint::black_box(&source), &name))?;
                    Ok(start.elapsed())
                })
                .collect::<Result<_>>()?;
            Ok(MacroRow { name, bytes: source.len(), time: Stat::of(&times, |s| s * 1e3) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_custom_sections_of_nested_modules() {
        // Component { custom "a"; core module { custom "n"; type section } }
        let module = [b"\0asm".as_slice(), &[1, 0, 0, 0], &[0, 2, 1, b'n'], &[1, 1, 0]].concat();
        let mut component = [b"\0asm".as_slice(), &[0x0d, 0, 1, 0], &[0, 2, 1, b'a']].concat();
        component.push(1);
        write_leb(&mut component, module.len() as u64);
        component.extend_from_slice(&module);
        let stripped = strip_custom_sections(&component).unwrap();
        let expected_module = [b"\0asm".as_slice(), &[1, 0, 0, 0], &[1, 1, 0]].concat();
        let mut expected = [b"\0asm".as_slice(), &[0x0d, 0, 1, 0]].concat();
        expected.push(1);
        write_leb(&mut expected, expected_module.len() as u64);
        expected.extend_from_slice(&expected_module);
        assert_eq!(stripped, expected);
    }
}
