//! `wasi-webgpu-run new demo && wasi-webgpu-run demo`, in a fresh directory,
//! through the real binary: the new crate must build on its own and print its
//! kernel's result, which is checked against the same computation on the CPU;
//! likewise `new --ops`, whose crate depends on wasi-webgpu-ops and prints a
//! matrix product.

use std::path::Path;
use std::process::{Command, Output};

fn runner(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
        .args(args)
        .current_dir(dir)
        // The generated crate would build into its own `target/`; the shared
        // guest directory reuses what the other tests built.
        .env("WASI_WEBGPU_GUEST_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("../wasi-webgpu-guests"))
        .env_remove("RUST_LOG")
        .output()
        .expect("wasi-webgpu-run starts")
}

fn transcript(output: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn new_creates_a_guest_that_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let created = runner(dir.path(), &["new", "demo"]);
    assert!(created.status.success(), "{}", transcript(&created));
    let crate_dir = dir.path().join("demo");
    for file in ["Cargo.toml", "src/lib.rs", "src/kernel.wgsl", ".gitignore"] {
        assert!(crate_dir.join(file).is_file(), "`new` wrote no {file}");
    }
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("crate-type = [\"cdylib\"]") && manifest.contains("\n[workspace]\n"), "{manifest}");
    // The runner under test was built from this checkout: the new crate uses
    // its SDK by path.
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk").canonicalize().unwrap();
    assert!(manifest.contains(&format!("wasi-webgpu = {{ path = \"{}\" }}", sdk.display())), "{manifest}");
    let lib = std::fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("#[wasi_webgpu::main]"), "{lib}");
    assert!(lib.contains("#[wasi_webgpu::shader(path = \"src/kernel.wgsl\")]"), "{lib}");

    let ran = runner(dir.path(), &["demo"]);
    let numbers: Vec<u32> = (0..8).collect();
    let squares: Vec<u32> = numbers.iter().map(|n| n * n).collect();
    let expected = format!("squares of {numbers:?}: {squares:?}\n");
    assert_eq!(String::from_utf8_lossy(&ran.stdout), expected, "{}", transcript(&ran));
    assert!(ran.status.success(), "{}", transcript(&ran));
}

#[test]
fn new_ops_creates_a_guest_that_calls_an_op() {
    let dir = tempfile::tempdir().expect("temp dir");
    let created = runner(dir.path(), &["new", "--ops", "mlp"]);
    assert!(created.status.success(), "{}", transcript(&created));
    let crate_dir = dir.path().join("mlp");
    assert!(!crate_dir.join("src/kernel.wgsl").exists(), "an ops crate needs no WGSL of its own");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk").canonicalize().unwrap();
    assert!(manifest.contains(&format!("wasi-webgpu = {{ path = \"{}\" }}", sdk.display())), "{manifest}");
    let ops = sdk.join("ops");
    assert!(manifest.contains(&format!("wasi-webgpu-ops = {{ path = \"{}\" }}", ops.display())), "{manifest}");
    let lib = std::fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("use wasi_webgpu_ops::{MatmulDesc, Ops};"), "{lib}");

    let ran = runner(dir.path(), &["mlp"]);
    // The template's matrices, multiplied here: small integers, so the GPU's
    // f32 sums are exact in any order.
    let (a, b) = ([1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [7.0f32, 8.0, 9.0, 10.0, 11.0, 12.0]);
    let c: Vec<f32> =
        (0..2).flat_map(|i| (0..2).map(move |j| (0..3).map(|p| a[i * 3 + p] * b[p * 2 + j]).sum::<f32>())).collect();
    let expected = format!("a (2 x 3) * b (3 x 2) = {c:?}\n");
    assert_eq!(String::from_utf8_lossy(&ran.stdout), expected, "{}", transcript(&ran));
    assert!(ran.status.success(), "{}", transcript(&ran));
}

#[test]
fn new_never_overwrites() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    std::fs::write(dir.path().join("taken/keep.txt"), "mine").unwrap();
    let output = runner(dir.path(), &["new", "taken"]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"), "{}", transcript(&output));
    assert_eq!(std::fs::read_dir(dir.path().join("taken")).unwrap().count(), 1);

    let output = runner(dir.path(), &["new", "1st-try"]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    assert!(!dir.path().join("1st-try").exists());
}

/// Two crates made by `new`, built one after the other with no target
/// directory chosen: the second reuses the SDK the first built (cargo prints
/// no `Compiling wasi-webgpu` for it), because both build into the per-user
/// directory in the cache. Each would otherwise build into its own `target/`.
#[test]
fn new_crates_share_one_guest_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Kept between runs, like a user's cache: only the second build's output
    // matters, and it compiles the SDK whenever sharing is broken.
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shared-guest-cache");
    let build = |name: &str| {
        let created = runner(dir.path(), &["new", name]);
        assert!(created.status.success(), "{}", transcript(&created));
        let output = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
            .arg(name)
            .current_dir(dir.path())
            .env_remove("WASI_WEBGPU_GUEST_TARGET_DIR")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUST_LOG")
            .env("WASI_WEBGPU_CACHE_DIR", &cache)
            .output()
            .expect("wasi-webgpu-run starts");
        assert!(output.status.success(), "{}", transcript(&output));
        assert!(!dir.path().join(name).join("target").exists(), "{name} built into its own target/");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    build("first");
    let second = build("second");
    assert!(second.contains("Compiling second v0.1.0"), "the second crate was not built:\n{second}");
    for sdk_crate in ["wasi-webgpu ", "wasi-webgpu-macros ", "wasi-webgpu-shader ", "naga "] {
        assert!(!second.contains(&format!("Compiling {sdk_crate}")), "the second crate rebuilt {sdk_crate}:\n{second}");
    }
}
