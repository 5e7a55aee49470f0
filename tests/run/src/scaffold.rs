//! `wasi-webgpu-run new <name>`: a new guest crate with one kernel on the
//! typed WGSL path, ready for `wasi-webgpu-run <name>`; with `--ops`, one
//! that calls an op of `wasi-webgpu-ops` instead.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

/// What a new guest crate starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Template {
    /// One WGSL compute kernel of its own, through `#[wasi_webgpu::shader]`.
    #[default]
    Kernel,
    /// A dependency on `wasi-webgpu-ops` and one of its ops (a matrix
    /// product): no WGSL of its own.
    Ops,
}

/// Where a new guest crate gets the `wasi-webgpu` SDK (and
/// `wasi-webgpu-ops`) from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SdkSource {
    /// A path dependency on this directory: the `sdk/` of the checkout the
    /// runner was built from.
    Path(PathBuf),
    /// `wasi-webgpu = "0.1"` from crates.io.
    Registry,
}

impl SdkSource {
    /// The `sdk/` of the repository checkout this runner was compiled from,
    /// if that checkout still exists; crates.io otherwise (a runner installed
    /// from a package, or a checkout since removed).
    pub fn detect() -> Self {
        let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sdk");
        let is_ours = std::fs::read_to_string(sdk.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == r#"name = "wasi-webgpu""#));
        match sdk.canonicalize() {
            Ok(sdk) if is_ours => Self::Path(sdk),
            _ => Self::Registry,
        }
    }

    /// The dependency lines of the generated `Cargo.toml`, comment included:
    /// the SDK, and the ops crate beside it for [`Template::Ops`].
    fn dependency(&self, template: Template) -> String {
        let ops = template == Template::Ops;
        match self {
            Self::Path(sdk) => {
                let mut lines = format!(
                    "# The SDK of the wasi-webgpu checkout this crate was created from (its\n\
                     # wasi-webgpu-run was built there). Outside that checkout, use\n\
                     # `{}` from crates.io instead.\n\
                     wasi-webgpu = {{ path = {} }}\n",
                    if ops { "cargo add wasi-webgpu wasi-webgpu-ops" } else { "wasi-webgpu = \"0.1\"" },
                    toml_string(&sdk.to_string_lossy())
                );
                if ops {
                    let path = sdk.join("ops");
                    lines.push_str(&format!(
                        "wasi-webgpu-ops = {{ path = {} }}\n",
                        toml_string(&path.to_string_lossy())
                    ));
                }
                lines
            }
            Self::Registry if ops => "# From crates.io.\nwasi-webgpu = \"0.1\"\nwasi-webgpu-ops = \"0.1\"\n".to_owned(),
            Self::Registry => "# From crates.io.\nwasi-webgpu = \"0.1\"\n".to_owned(),
        }
    }
}

/// Creates the guest crate directory `dir` (which must not exist yet; its
/// parent is created if needed), named after its last path component, from
/// `template`, and returns that name.
///
/// With [`SdkSource::Path`] the checkout's `Cargo.lock` is copied in as well,
/// so the new crate builds with the dependency versions the checkout is
/// tested with (cargo drops the entries it does not need).
pub fn new_guest(dir: &Path, sdk: &SdkSource, template: Template) -> Result<String> {
    let name = dir
        .file_name()
        .and_then(|name| name.to_str())
        .with_context(|| format!("`{}` does not end in a directory name", dir.display()))?
        .to_owned();
    check_crate_name(&name)?;
    if dir.symlink_metadata().is_ok() {
        bail!("`{}` already exists; `new` creates a new directory and never overwrites one", dir.display());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("failed to create {}", parent.display()))?;
    }
    // `create_dir`, not `create_dir_all`: fails if the directory appeared
    // since the check above, instead of writing into it.
    std::fs::create_dir(dir).with_context(|| format!("failed to create {}", dir.display()))?;

    let write = |relative: &str, contents: &str| {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("failed to create {}", parent.display()))?;
        }
        std::fs::write(&path, contents).with_context(|| format!("failed to write {}", path.display()))
    };
    let manifest = MANIFEST.replace("{name}", &name).replace("{dependency}", &sdk.dependency(template));
    write("Cargo.toml", &manifest)?;
    match template {
        Template::Kernel => {
            write("src/lib.rs", LIB_RS)?;
            write("src/kernel.wgsl", KERNEL_WGSL)?;
        }
        Template::Ops => write("src/lib.rs", OPS_LIB_RS)?,
    }
    write(".gitignore", "/target\n")?;
    if let SdkSource::Path(sdk) = sdk
        && let Some(lock) = sdk.parent().map(|root| root.join("Cargo.lock")).filter(|lock| lock.is_file())
    {
        std::fs::copy(&lock, dir.join("Cargo.lock")).with_context(|| format!("failed to copy {}", lock.display()))?;
    }
    Ok(name)
}

/// Cargo's rules for a package name, checked up front so the error names the
/// directory rather than coming from the first build.
fn check_crate_name(name: &str) -> Result<()> {
    let valid_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let starts_well = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !valid_chars || !starts_well {
        bail!(
            "`{name}` cannot be a crate name: use ASCII letters, digits, `-` and `_`, starting with a letter \
             (the directory's name is the crate's)"
        );
    }
    const RESERVED: &[&str] = &[
        "test",
        "core",
        "std",
        "alloc",
        "proc_macro",
        "self",
        "super",
        "crate",
        "fn",
        "mod",
        "struct",
        "enum",
        "impl",
        "trait",
        "type",
        "use",
        "let",
        "match",
        "loop",
        "while",
        "for",
        "if",
        "else",
        "return",
        "async",
        "await",
        "dyn",
        "move",
        "ref",
        "mut",
        "pub",
        "static",
        "const",
        "extern",
        "unsafe",
        "where",
        "in",
        "as",
        "break",
        "continue",
        "true",
        "false",
    ];
    if RESERVED.contains(&name) {
        bail!("`{name}` cannot be a crate name: it is a Rust keyword or a built-in crate's name");
    }
    Ok(())
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

const MANIFEST: &str = r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

# A guest is a library: the component exports `wasi:cli/run` from it.
[lib]
crate-type = ["cdylib"]

[dependencies]
{dependency}
# Its own workspace, so it builds standalone wherever it is.
[workspace]

# Small, fast components.
[profile.release]
opt-level = 3
codegen-units = 1
lto = "thin"
strip = "debuginfo"
"#;

const LIB_RS: &str = r#"//! A wasi-webgpu guest: squares numbers on the GPU. Run it with
//! `wasi-webgpu-run .` in this directory.

use wasi_webgpu::{BufferDescriptor, BufferInitDescriptor, BufferUsages, Threads};

// Checked against WebGPU at compile time; generates `kernel::pipeline` and the
// typed `kernel::Bindings`, whose fields are the shader's bindings.
#[wasi_webgpu::shader(path = "src/kernel.wgsl")]
mod kernel {}

#[wasi_webgpu::main]
async fn main() -> Result<(), wasi_webgpu::Error> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    let pipeline = kernel::pipeline(&device, &Default::default()).await?;

    let numbers: Vec<u32> = (0..8).collect();
    let input = device.create_buffer_init(&BufferInitDescriptor {
        label: Some("input"),
        contents: &numbers,
        usage: BufferUsages::STORAGE,
    })?;
    let output = device.create_buffer::<u32>(&BufferDescriptor {
        label: Some("output"),
        len: input.len(),
        usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        ..Default::default()
    })?;

    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    let bindings = kernel::Bindings { input: input.as_storage(), output: output.as_storage_mut() };
    // Threads, not workgroups: one per number (Threads::xy(w, h) for an image).
    pipeline.dispatch(&mut pass, &bindings, Threads::x(numbers.len() as u32))?;
    pass.end();
    queue.submit([encoder.finish().await?])?;

    println!("squares of {numbers:?}: {:?}", output.read().await?);
    Ok(())
}
"#;

const KERNEL_WGSL: &str = r#"// output[i] = input[i] * input[i]
@group(0) @binding(0)
var<storage, read> input: array<u32>;

@group(0) @binding(1)
var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&output) {
        output[id.x] = input[id.x] * input[id.x];
    }
}
"#;

const OPS_LIB_RS: &str = r#"//! A wasi-webgpu guest: multiplies two matrices with the tiled matmul of
//! wasi-webgpu-ops. Run it with `wasi-webgpu-run .` in this directory.

use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages};
use wasi_webgpu_ops::{MatmulDesc, Ops};

#[wasi_webgpu::main]
async fn main() -> Result<(), wasi_webgpu_ops::Error> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    // Tensors are row-major f32 buffers with STORAGE usage (COPY_SRC to read
    // them back).
    let tensor = |label, contents: &[f32]| -> Result<Buffer<f32>, wasi_webgpu::Error> {
        let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
        device.create_buffer_init(&BufferInitDescriptor { label: Some(label), contents, usage })
    };
    let a = tensor("a", &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])?; // 2 x 3
    let b = tensor("b", &[7.0, 8.0, 9.0, 10.0, 11.0, 12.0])?; // 3 x 2
    let c = tensor("c", &[0.0; 4])?; // 2 x 2

    // Prepared once (shapes checked, pipeline compiled), run as often as
    // needed.
    let ops = Ops::new(&device);
    let product = ops.matmul(&MatmulDesc::new(2, 2, 3), &a, &b, &c).await?;
    product.submit(&queue).await?;

    println!("a (2 x 3) * b (3 x 2) = {:?}", c.read().await?);
    Ok(())
}
"#;
