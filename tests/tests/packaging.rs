//! What publishing needs, checked without publishing: every publishable crate
//! states its MSRV, description, licence, repository, README, keywords and
//! categories, and ships its README and both licence texts. (`.ci/run` also
//! packages and verifies the crates, and builds them with the MSRV toolchain
//! where it can install it.)

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const PUBLISHABLE: [&str; 7] = [
    "wasi-webgpu",
    "wasi-webgpu-host",
    "wasi-webgpu-kernel",
    "wasi-webgpu-macros",
    "wasi-webgpu-ops",
    "wasi-webgpu-run",
    "wasi-webgpu-shader",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

fn cargo() -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(root());
    cmd
}

fn packages() -> Vec<Value> {
    let output = cargo().args(["metadata", "--no-deps", "--format-version", "1"]).output().expect("cargo metadata");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    metadata["packages"].as_array().expect("packages").clone()
}

/// `1.88` or `1.88.0` as numbers.
fn version(text: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = text.split('.').map(|p| p.parse().unwrap_or_else(|_| panic!("`{text}`"))).collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn the_publishable_crates_are_the_ones_without_publish_false() {
    let mut publishable: Vec<String> =
        packages().iter().filter(|p| p["publish"].is_null()).map(|p| p["name"].as_str().unwrap().to_owned()).collect();
    publishable.sort();
    assert_eq!(publishable, PUBLISHABLE);
}

#[test]
fn every_publishable_crate_has_its_metadata() {
    let rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .expect("rustc --version");
    let rustc = String::from_utf8_lossy(&rustc.stdout).into_owned();
    let active = version(rustc.split_whitespace().nth(1).expect("rustc prints its version"));
    for package in packages().iter().filter(|p| p["publish"].is_null()) {
        let name = package["name"].as_str().unwrap();
        let field = |key: &str| package[key].as_str().unwrap_or_else(|| panic!("{name} has no {key}")).to_owned();
        let msrv = field("rust_version");
        assert!(version(&msrv) <= active, "{name} needs Rust {msrv}, the active toolchain is {rustc}");
        assert_eq!(field("license"), "MIT OR Apache-2.0", "{name}");
        assert!(!field("description").is_empty() && !field("repository").is_empty(), "{name}");
        for list in ["keywords", "categories"] {
            let len = package[list].as_array().map_or(0, Vec::len);
            assert!((1..=5).contains(&len), "{name} has {len} {list}");
        }
        let manifest_dir = Path::new(package["manifest_path"].as_str().unwrap()).parent().unwrap().to_owned();
        assert!(manifest_dir.join(field("readme")).is_file(), "{name}'s readme is missing");
    }
}

#[test]
fn the_licence_texts_are_at_the_root_and_in_each_crate() {
    let mit = std::fs::read_to_string(root().join("LICENSE-MIT")).unwrap();
    let apache = std::fs::read_to_string(root().join("LICENSE-APACHE")).unwrap();
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    for dir in ["sdk", "sdk/ops", "macros", "macros/kernel", "macros/shader", "tests/host", "tests/run"] {
        for (file, text) in [("LICENSE-MIT", &mit), ("LICENSE-APACHE", &apache)] {
            let copy =
                std::fs::read_to_string(root().join(dir).join(file)).unwrap_or_else(|e| panic!("{dir}/{file}: {e}"));
            assert_eq!(&copy, text, "{dir}/{file} is not the root's");
        }
    }
}

/// `cargo package --list`: what each `.crate` would hold.
#[test]
fn the_packages_ship_readme_and_licences() {
    for name in PUBLISHABLE {
        let output = cargo()
            .args(["package", "--list", "--allow-dirty", "-p", name])
            .output()
            .expect("cargo package --list runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{name}: {}", String::from_utf8_lossy(&output.stderr));
        let files: Vec<&str> = stdout.lines().collect();
        for file in ["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "src/lib.rs"] {
            assert!(files.contains(&file), "{name} does not ship {file}: {files:?}");
        }
        if name == "wasi-webgpu" {
            assert!(files.contains(&"wit/world.wit"), "the SDK ships its WIT: {files:?}");
        }
    }
}
