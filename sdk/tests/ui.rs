//! UI tests for `#[wasi_webgpu::shader]`: shaders that must be rejected at compile time, each with
//! its expected compiler output checked in next to it, and a few that must compile.
//!
//! - `tests/ui/fail/*.rs`: compile-fail cases, expected output in the matching `*.stderr`;
//! - `tests/ui/pass/*.rs`: cases that must compile (natively) and run;
//! - `tests/ui/shaders/*.wgsl`: shader files the cases name with `path = "tests/ui/shaders/..."`.
//!
//! After a deliberate change to a diagnostic, regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p wasi-webgpu --test ui` and review the diff.

use std::fs;
use std::path::{Path, PathBuf};

/// Where the shader files live in this crate, relative to its manifest.
const SHADERS: &str = "tests/ui/shaders";

#[test]
fn ui() {
    stage_shader_files();
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
    // The cases run when `cases` is dropped.
}

/// `#[wasi_webgpu::kernel]`: `tests/ui/kernel/fail/kernel_*.rs` must be rejected with the Rust span
/// in the matching `.stderr`, `tests/ui/kernel/pass/*.rs` must compile and run natively. Run only
/// these with `cargo test -p wasi-webgpu --test ui kernel`.
#[test]
fn kernel() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/kernel/pass/*.rs");
    cases.compile_fail("tests/ui/kernel/fail/*.rs");
}

/// `tests/ui/kernel/without_f16/*.rs`: what an f16 kernel reports when this crate's `f16` feature
/// is off. A workspace-wide `cargo test` turns the feature on (the kernels test guest needs it), so
/// there the cases cannot fail and are skipped; `.ci/run` runs them on their own with
/// `cargo test -p wasi-webgpu --test ui -- --exact kernel_without_f16`.
#[test]
fn kernel_without_f16() {
    if cfg!(not(feature = "f16")) {
        trybuild::TestCases::new().compile_fail("tests/ui/kernel/without_f16/*.rs");
    }
}

/// `#[wasi_webgpu::http]`'s misuses: `tests/ui/http/fail/*.rs`, with the `http` feature
/// (`cargo test -p wasi-webgpu --features http --test ui http`).
#[cfg(feature = "http")]
#[test]
fn http() {
    trybuild::TestCases::new().compile_fail("tests/ui/http/fail/*.rs");
}

/// Makes `path = "tests/ui/shaders/..."` resolve inside trybuild's generated crate.
///
/// trybuild compiles each case as a binary of a crate it generates at
/// `<target dir>/tests/trybuild/<this crate's name>/`, and that crate's directory is the
/// `CARGO_MANIFEST_DIR` that `path` is relative to. trybuild only writes its `Cargo.toml` and
/// `main.rs` there, so the shader files are copied into the same relative place as here.
fn stage_shader_files() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // CARGO_TARGET_TMPDIR is `<target dir>/tmp`, and trybuild uses the same target dir (it asks
    // `cargo metadata`), so this follows CARGO_TARGET_DIR and the like.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("CARGO_TARGET_TMPDIR has a parent");
    let project_dir: PathBuf = target_dir.join("tests").join("trybuild").join(env!("CARGO_PKG_NAME"));
    copy_dir(&manifest_dir.join(SHADERS), &project_dir.join(SHADERS));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("creating {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display())) {
        let entry = entry.expect("directory entry");
        let (source, dest) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&source, &dest);
        } else {
            // Only rewrite what changed, so unchanged shaders keep their timestamps.
            let contents = fs::read(&source).unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
            if fs::read(&dest).ok().as_deref() != Some(contents.as_slice()) {
                fs::write(&dest, contents).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
            }
        }
    }
}
