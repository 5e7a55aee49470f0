//! Misuse must be a typed error, never a trap: runs the misuse guest
//! (`tests/guests/misuse`), and checks that no guest imports a host function
//! that the reference host leaves unimplemented (`todo!()`), such as
//! `gpu-device.lost`. `tests/BAD_INPUTS.md` catalogues what is covered where.

mod common;

use std::time::Duration;

use wasi_webgpu_host::RunOptions;
use wasmtime::component::types::ComponentItem;

#[test]
fn every_misuse_check_passes_without_a_trap() {
    // A timeout turns a hang into a failure: the reference host's
    // `map-async` can miss its wake-up (see tests/BAD_INPUTS.md).
    let outcome = common::run_with("tests/guests/misuse", &RunOptions::captured().timeout(Duration::from_secs(120)));
    common::assert_checks_passed(&outcome, "misuse", 16);
    let stdout = outcome.stdout_lossy();
    let said: Vec<&str> = stdout.lines().filter_map(|l| l.strip_prefix("wording: ")).collect();
    assert_eq!(said, WORDING, "{}", common::transcript(&outcome));
}

/// What `errors_name_the_call_and_argument` (tests/guests/misuse/src/wording.rs) must print: the
/// user's call (`scale::Main::dispatch`, not the `create_bind_group` it makes), the WGSL variable,
/// the buffer's label, and usage flags as names, with "one of" where any one will do.
const WORDING: [&str; 7] = [
    "scale::Main::dispatch: argument `output` (buffer \"readback\") needs usage STORAGE, but it has MAP_READ | \
     COPY_DST",
    "scale::Main::bind: argument `params` (buffer \"storage params\") needs usage UNIFORM, but it has STORAGE",
    "scale::Main::dispatch: arguments `input` and `output` are the same buffer \"output\", and one of them is \
     read-only: a dispatch may not use a buffer both as writable storage and read-only, and a launch may not \
     alias a writable buffer at all, on the GPU and the CPU device alike",
    "scale::Main::dispatch: argument `input` (buffer \"input\") is bound at offset 4, which is not a multiple of 256",
    "scale::Main::bind: argument `output` (buffer \"output\") is bound at bytes 0..400, past the end of its 256 \
     bytes",
    "read: the buffer \"weights\" needs one of the usages MAP_READ | COPY_SRC, but it has STORAGE",
    "create_bind_group: argument `binding 1` (buffer \"readback\") needs usage STORAGE, but it has MAP_READ | \
     COPY_DST",
];

/// Buffers the host cannot allocate must be an `Err(OutOfMemory)` from
/// `create_buffer`, never an invalid buffer that traps the next call. On
/// lavapipe `maxBufferSize` is 2 GiB, which this machine can back, so the
/// runner runs under an address-space limit (`ulimit -v`) a few GiB above
/// what it needs: the host's allocations fail once that is used up, and
/// nothing is ever touched. The limit starts low and grows until the runner
/// starts, since its own reservations depend on the machine.
#[test]
fn buffers_the_host_cannot_allocate_are_errors() {
    let wasm = common::guest("tests/guests/misuse");
    let runner = env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test");
    for gib in [8u64, 12, 16, 24, 32] {
        let script = format!("ulimit -v {} && exec \"$0\" \"$@\"", gib << 20);
        let output = std::process::Command::new("sh")
            .args(["-c", &script, runner, "--timeout", "120", "-q"])
            .arg(&wasm)
            .args(["--", "memory-limited"])
            .env_remove("RUST_LOG")
            .output()
            .expect("sh starts");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let transcript =
            format!("limit {gib} GiB, {}\n{stdout}{}", output.status, String::from_utf8_lossy(&output.stderr));
        if !stdout.contains("check ") {
            // The runner itself did not fit: try a higher limit.
            println!("{transcript}");
            continue;
        }
        assert!(stdout.contains("check buffers_the_host_cannot_allocate ... ok"), "{transcript}");
        assert!(output.status.success(), "{transcript}");
        println!("{transcript}");
        return;
    }
    panic!("the runner did not start under any address-space limit up to 32 GiB");
}

/// Functions of `wasi:webgpu/webgpu@0.3.0-rc.2` whose implementation in
/// wasi-webgpu-wasmtime 0.5 is `todo!()` (a host panic, which ends the
/// guest), by name suffix; `.lost` is the device-lost promise.
const UNIMPLEMENTED: &[&str] = &[
    "[method]gpu-device.lost",
    "[method]gpu-device.label",
    ".set-label",
    ".label",
    ".get-compilation-info",
    ".set-immediates",
    "gpu-device-lost-info.",
    "gpu-compilation-message.",
    "gpu-compilation-info.",
    "gpu-canvas-context.",
    "gpu-uncaptured-error-event.",
    "[method]gpu-query-set.",
    // Of a texture, only `create-view` and `destroy` are implemented.
    "[method]gpu-texture.width",
    "[method]gpu-texture.height",
    "[method]gpu-texture.depth-or-array-layers",
    "[method]gpu-texture.mip-level-count",
    "[method]gpu-texture.sample-count",
    "[method]gpu-texture.dimension",
    "[method]gpu-texture.format",
    "[method]gpu-texture.usage",
    "[method]gpu-texture.texture-binding-view-dimension",
    "[method]gpu-render-bundle-encoder.push-debug-group",
    "[method]gpu-render-bundle-encoder.pop-debug-group",
    "[method]gpu-render-bundle-encoder.insert-debug-marker",
    "in-vertex-stage",
    "in-fragment-stage",
];

/// The webgpu functions a component imports. A component imports only what
/// its code calls, so this is what the SDK can ever ask the host for.
fn webgpu_imports(crate_dir: &str) -> Vec<String> {
    let runner = common::runner();
    let wasm = std::fs::read(common::guest(crate_dir)).expect("the component is readable");
    let (component, _) = runner.load(&wasm).expect("the component compiles");
    let ty = component.component_type();
    let engine = runner.engine();
    let (_, webgpu) = ty
        .imports(engine)
        .find(|(name, _)| name.starts_with("wasi:webgpu/webgpu@"))
        .unwrap_or_else(|| panic!("{crate_dir} imports no wasi:webgpu"));
    let ComponentItem::ComponentInstance(instance) = webgpu.ty else { panic!("wasi:webgpu is not an instance") };
    instance
        .exports(engine)
        .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentFunc(_)))
        .map(|(name, _)| name.to_owned())
        .collect()
}

#[test]
fn no_guest_calls_an_unimplemented_host_function_such_as_device_lost() {
    for crate_dir in [
        "tests/guests/misuse",
        "tests/guests/api",
        "examples/hello-compute",
        "tests/guests/render",
        "examples/plot",
        "tests/guests/textures",
        "examples/image-filter",
        "tests/guests/ops",
        "examples/matmul",
        "examples/reduce-scan",
        "tests/guests/kernels",
        "examples/saxpy",
        "examples/kernels",
        "examples/nbody",
        "examples/mlp-digits",
        "tests/guests/shaders",
        "tests/guests/scale",
        "tests/guests/hostile",
        "tests/guests/hostile-validate",
        "tests/bench/guests/sdk",
    ] {
        let imports = webgpu_imports(crate_dir);
        // The import list is the used subset, not the whole interface.
        assert!(imports.iter().any(|f| f == "[method]gpu-buffer.map-async"), "{crate_dir}: {imports:#?}");
        assert!(imports.len() < 150, "{crate_dir} imports the whole interface, the guard proves nothing: {imports:#?}");
        let forbidden: Vec<&String> = imports
            .iter()
            .filter(|f| UNIMPLEMENTED.iter().any(|u| if u.starts_with('.') { f.ends_with(u) } else { f.contains(u) }))
            .collect();
        assert!(forbidden.is_empty(), "{crate_dir} imports unimplemented host functions: {forbidden:?}");
        println!("{crate_dir}: {} webgpu functions imported, none unimplemented", imports.len());
    }
}
