//! How the runner reports guests that fail, and what it caches.

mod common;

use std::process::Command;

use wasi_webgpu_host::TRAP_EXIT_CODE;

#[test]
fn a_guest_returning_err_prints_it_and_exits_1() {
    let outcome = common::run("tests/guests/api", &["--return-err"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 1, "{transcript}");
    assert!(outcome.stderr_lossy().contains("Error: failure requested by --return-err"), "{transcript}");
    assert!(outcome.stdout.is_empty(), "{transcript}");
}

#[test]
fn a_panicking_guest_is_reported_with_its_message() {
    let outcome = common::run("tests/guests/api", &["--panic"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, TRAP_EXIT_CODE, "{transcript}");
    assert!(outcome.stderr_lossy().contains("panic requested by --panic"), "{transcript}");
}

#[test]
fn a_second_run_loads_the_compiled_component_from_the_cache() {
    common::run("examples/hello-compute", &[]);
    let again = common::run("examples/hello-compute", &[]);
    assert!(again.compiled_from_cache, "{}", common::transcript(&again));
}

#[test]
fn without_an_adapter_the_message_names_the_fix() {
    let wasm = common::guest("examples/hello-compute");
    let output = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run"))
        .arg(&wasm)
        .env("VK_ICD_FILENAMES", "/nonexistent.json")
        .env("VK_DRIVER_FILES", "/nonexistent.json")
        .output()
        .expect("wasi-webgpu-run starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "ran without an adapter:\n{stderr}");
    assert!(stderr.contains("mesa-vulkan-drivers"), "{stderr}");
    assert!(stderr.contains("Error: no GPU adapter found"), "the guest's typed error:\n{stderr}");
}

#[test]
fn the_vendored_wit_is_the_reference_hosts() {
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(common::root())
        .output()
        .expect("cargo metadata runs");
    let metadata = String::from_utf8(metadata.stdout).unwrap();
    let manifest = metadata
        .split("\"manifest_path\":\"")
        .map(|s| &s[..s.find('"').unwrap_or(0)])
        .find(|p| p.contains("wasi-webgpu-wasmtime-0.5.0"))
        .expect("wasi-webgpu-wasmtime 0.5.0 is a dependency");
    let theirs = std::path::Path::new(manifest).parent().unwrap().join("wit/deps/wasi-webgpu-0.3.0-rc.2/package.wit");
    let ours = common::root().join("wit/deps/wasi-webgpu-0.3.0-rc.2/package.wit");
    assert_eq!(std::fs::read(ours).unwrap(), std::fs::read(theirs).unwrap(), "wit/ must be byte-identical");
}
