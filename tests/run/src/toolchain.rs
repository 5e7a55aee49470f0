//! Building guest crates into `wasm32-wasip2` components.
//!
//! Two toolchains can build guests, and the runner picks one by itself so
//! that `wasi-webgpu-run <crate dir>` and the integration tests work on any
//! machine prepared by either `rustup target add wasm32-wasip2` or
//! `tests/setup.sh`:
//!
//! 1. [`Toolchain::Active`]: the `rustc` on `PATH` (usually rustup's) has the
//!    `wasm32-wasip2` standard library installed: a plain
//!    `cargo build --target wasm32-wasip2`.
//! 2. [`Toolchain::DebianBuildStd`]: Debian's `rustc-web` packages ship a
//!    `rustc` that knows the target and the std *source*, but no prebuilt std.
//!    Std is built from source (`-Zbuild-std`, unlocked with
//!    `RUSTC_BOOTSTRAP=1`) and linked against the system's `wasi-libc` with
//!    LLVM's `wasm-ld`. rustup's `cargo` usually comes first on `PATH`, so
//!    Debian's `/usr/bin/cargo` and `/usr/bin/rustc` are named explicitly.
//!
//! Guests share target directories, separate from the workspace's: another
//! `rustc` may build them (which would otherwise invalidate the host build's
//! artifacts), and an outer `cargo test` holds the workspace target
//! directory's lock while the tests build guests. See [`BuildOptions`] for
//! which directory a guest gets.

use std::ffi::OsString;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

/// The target guests are compiled for.
pub const GUEST_TARGET: &str = "wasm32-wasip2";

/// Environment variable that overrides the guests' shared target directory.
pub const GUEST_TARGET_DIR_ENV: &str = "WASI_WEBGPU_GUEST_TARGET_DIR";

/// Name of the guests' target directory inside a workspace target directory.
const GUEST_TARGET_SUBDIR: &str = "wasi-webgpu-guests";

/// Name of the per-user guest target directory inside the cache directory.
const SHARED_GUEST_TARGET_SUBDIR: &str = "guest-target";

/// Flags the Debian route needs for the guest target (not for build scripts
/// and proc-macros, which are built for the host by the same cargo).
const DEBIAN_TARGET_RUSTFLAGS: [&str; 2] = ["-Clink-self-contained=no", "-L"];

/// How guests get compiled; see the module docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Toolchain {
    /// The `cargo`/`rustc` on `PATH` have the `wasm32-wasip2` std.
    Active,
    /// Debian's `rustc-web`, building std from source.
    DebianBuildStd {
        /// Debian's `cargo` (`/usr/bin/cargo`).
        cargo: PathBuf,
        /// Debian's `rustc` (`/usr/bin/rustc`).
        rustc: PathBuf,
        /// Directory with `wasi-libc`'s `libc.a` (e.g. `/usr/lib/wasm32-wasi`).
        wasi_libc: PathBuf,
        /// Directory holding `wasm-ld`, put first on `PATH`; `None` if
        /// `wasm-ld` is already on `PATH`.
        llvm_bin: Option<PathBuf>,
    },
}

impl Toolchain {
    /// Picks the toolchain for building the crate in `crate_dir` (its
    /// `rust-toolchain.toml`, if any, applies to the active toolchain).
    pub fn detect(crate_dir: &Path) -> Result<Self> {
        if active_has_wasip2_std(crate_dir) {
            return Ok(Self::Active);
        }
        match debian_toolchain() {
            Ok(toolchain) => Ok(toolchain),
            Err(missing) => bail!(
                "cannot build guests for {GUEST_TARGET}: the active Rust toolchain has no \
                 {GUEST_TARGET} standard library, and Debian's toolchain is incomplete \
                 (missing {missing}). Fix: `rustup target add {GUEST_TARGET}`, or run \
                 tests/setup.sh (installs Debian's rustc-web cargo-web rust-web-src \
                 wasi-libc lld-22)"
            ),
        }
    }

    /// The Debian route, whether or not the active toolchain could build
    /// guests, so that route can be tested where both exist. The error names
    /// what is missing.
    pub fn debian() -> Result<Self> {
        debian_toolchain().map_err(|missing| anyhow::anyhow!("Debian's toolchain is incomplete (missing {missing})"))
    }

    /// One-line description, for logs.
    pub fn describe(&self) -> String {
        match self {
            Self::Active => format!("active toolchain with the {GUEST_TARGET} std"),
            Self::DebianBuildStd { rustc, .. } => {
                format!("{} with -Zbuild-std (Debian rustc-web)", rustc.display())
            }
        }
    }

    /// A `cargo` command for this toolchain with its environment set up;
    /// the caller adds the subcommand and arguments.
    fn cargo(&self, crate_dir: &Path) -> Command {
        let mut cmd = match self {
            // Not `$CARGO`: inside `cargo test` that is the outer toolchain's
            // cargo binary itself, which would bypass the guest crate's
            // `rust-toolchain.toml` that the rustup proxy honours.
            Self::Active => Command::new("cargo"),
            Self::DebianBuildStd { cargo, rustc, wasi_libc, llvm_bin } => {
                let mut cmd = Command::new(cargo);
                cmd.env("RUSTC", rustc).env("RUSTC_BOOTSTRAP", "1");
                if let Some(llvm_bin) = llvm_bin {
                    let mut paths = vec![llvm_bin.clone()];
                    if let Some(path) = std::env::var_os("PATH") {
                        paths.extend(std::env::split_paths(&path));
                    }
                    if let Ok(path) = std::env::join_paths(paths) {
                        cmd.env("PATH", path);
                    }
                }
                set_target_rustflags(&mut cmd, wasi_libc);
                cmd
            }
        };
        cmd.current_dir(crate_dir);
        cmd
    }

    fn build_args(&self) -> &'static [&'static str] {
        match self {
            Self::Active => &[],
            Self::DebianBuildStd { .. } => &["-Zbuild-std=std,panic_abort"],
        }
    }
}

/// Adds the Debian route's flags for the guest target only.
///
/// `RUSTFLAGS` / `CARGO_ENCODED_RUSTFLAGS`, when set, take precedence over the
/// per-target variable, so in that case the flags are appended to them
/// instead. With `--target` given, neither reaches host build scripts.
fn set_target_rustflags(cmd: &mut Command, wasi_libc: &Path) {
    let mut ours: Vec<OsString> = DEBIAN_TARGET_RUSTFLAGS.iter().map(Into::into).collect();
    ours.push(wasi_libc.as_os_str().to_owned());

    let encoded = std::env::var_os("CARGO_ENCODED_RUSTFLAGS").filter(|v| !v.is_empty());
    let plain = std::env::var_os("RUSTFLAGS").filter(|v| !v.is_empty());
    if encoded.is_none() && plain.is_none() {
        let var = "CARGO_TARGET_WASM32_WASIP2_RUSTFLAGS";
        let mut value = std::env::var_os(var).unwrap_or_default();
        for flag in ours {
            if !value.is_empty() {
                value.push(" ");
            }
            value.push(flag);
        }
        cmd.env(var, value);
        return;
    }
    let mut flags: Vec<OsString> = match (&encoded, &plain) {
        (Some(encoded), _) => encoded.to_string_lossy().split('\x1f').map(Into::into).collect(),
        (None, Some(plain)) => plain.to_string_lossy().split_whitespace().map(Into::into).collect(),
        (None, None) => Vec::new(),
    };
    flags.extend(ours);
    let joined = flags.join(std::ffi::OsStr::new("\x1f"));
    cmd.env_remove("RUSTFLAGS").env("CARGO_ENCODED_RUSTFLAGS", joined);
}

/// Whether `rustc --print target-libdir --target wasm32-wasip2` names a
/// directory that holds a std. rustc prints the path even when the target
/// is not installed, so the directory's contents are checked.
fn active_has_wasip2_std(crate_dir: &Path) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", GUEST_TARGET])
        .current_dir(crate_dir)
        .stderr(Stdio::null())
        .output();
    let Ok(output) = output else { return false };
    if !output.status.success() {
        return false;
    }
    let libdir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    std::fs::read_dir(libdir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libstd-") && name.ends_with(".rlib")
        })
    })
}

/// Finds the pieces of the Debian route, or names the missing ones.
fn debian_toolchain() -> Result<Toolchain, String> {
    let mut missing = Vec::new();
    let cargo = PathBuf::from("/usr/bin/cargo");
    let rustc = PathBuf::from("/usr/bin/rustc");
    if !cargo.is_file() {
        missing.push("/usr/bin/cargo (cargo-web)");
    }
    if !rustc.is_file() {
        missing.push("/usr/bin/rustc (rustc-web)");
    } else if !knows_target(&rustc) {
        // Debian's plain `rustc` package (1.63 in Debian 12) predates the
        // target; `rustc-web` replaces it with a recent one.
        missing.push("a /usr/bin/rustc that knows wasm32-wasip2 (rustc-web)");
    }
    if !Path::new("/usr/lib/rustlib/src/rust/library/std").is_dir() {
        missing.push("the std source (rust-web-src)");
    }
    // The 2022 wasi-libc in Debian 12 only ships `wasm32-wasi`; later
    // releases add per-preview directories.
    let wasi_libc = ["wasm32-wasi", "wasm32-wasip2", "wasm32-wasip1"]
        .iter()
        .map(|dir| Path::new("/usr/lib").join(dir))
        .find(|dir| dir.join("libc.a").is_file());
    if wasi_libc.is_none() {
        missing.push("/usr/lib/wasm32-wasi/libc.a (wasi-libc)");
    }
    let llvm_bin = newest_llvm_with_wasm_ld();
    let wasm_ld_on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("wasm-ld").is_file()));
    if llvm_bin.is_none() && !wasm_ld_on_path {
        missing.push("wasm-ld (lld-22)");
    }
    match wasi_libc {
        Some(wasi_libc) if missing.is_empty() => Ok(Toolchain::DebianBuildStd { cargo, rustc, wasi_libc, llvm_bin }),
        _ => Err(missing.join(", ")),
    }
}

fn knows_target(rustc: &Path) -> bool {
    Command::new(rustc)
        .args(["--print", "target-libdir", "--target", GUEST_TARGET])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The `/usr/lib/llvm-N/bin` with the highest `N` that has `wasm-ld`.
fn newest_llvm_with_wasm_ld() -> Option<PathBuf> {
    std::fs::read_dir("/usr/lib")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let version: u32 = name.to_str()?.strip_prefix("llvm-")?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("wasm-ld").is_file().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin)
}

/// How [`build_guest_with`] builds.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Target directory. When `None`: `$WASI_WEBGPU_GUEST_TARGET_DIR`; else,
    /// for a crate that is its own workspace and builds into its own
    /// `target/` (what `wasi-webgpu-run new` makes), one directory per user,
    /// `guest-target` in the cache directory
    /// ([`default_cache_dir`](wasi_webgpu_host::default_cache_dir)), so that every such
    /// crate reuses the SDK the first one built instead of compiling it again
    /// (30-70 s); else `<the workspace's target directory>/wasi-webgpu-guests`,
    /// which its other guests share.
    pub target_dir: Option<PathBuf>,
    /// The toolchain; detected with [`Toolchain::detect`] when `None`.
    pub toolchain: Option<Toolchain>,
    /// Pass `--quiet` to cargo: no progress lines, only diagnostics.
    pub quiet: bool,
}

/// Builds the guest crate in `crate_dir` for `wasm32-wasip2` in release mode
/// and returns the path of the component (`.wasm`).
///
/// Cargo's progress and diagnostics go to this process's stderr; its stdout is
/// never written, so a runner's stdout stays the guest's alone.
pub fn build_guest(crate_dir: &Path) -> Result<PathBuf> {
    build_guest_with(crate_dir, &BuildOptions::default())
}

/// [`build_guest`] with options.
pub fn build_guest_with(crate_dir: &Path, opts: &BuildOptions) -> Result<PathBuf> {
    let crate_dir =
        crate_dir.canonicalize().with_context(|| format!("guest crate directory {} not found", crate_dir.display()))?;
    let manifest = crate_dir.join("Cargo.toml");
    if !manifest.is_file() {
        bail!(
            "{} is not a Rust crate (no Cargo.toml); pass a guest crate directory or a \
             .wasm component",
            crate_dir.display()
        );
    }
    let toolchain = match &opts.toolchain {
        Some(toolchain) => toolchain.clone(),
        None => Toolchain::detect(&crate_dir)?,
    };
    let (package, default_target_dir) = guest_package(&toolchain, &crate_dir, &manifest)?;
    let target_dir = match &opts.target_dir {
        Some(dir) => dir.clone(),
        None => std::env::var_os(GUEST_TARGET_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or(default_target_dir),
    };

    log::debug!("building guest `{}` ({}) into {}", package.name, toolchain.describe(), target_dir.display());
    let mut cmd = toolchain.cargo(&crate_dir);
    cmd.args(["build", "--release", "--lib", "--target", GUEST_TARGET])
        .args(toolchain.build_args())
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir);
    if opts.quiet {
        cmd.arg("--quiet");
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd.spawn().with_context(|| format!("failed to run cargo ({})", toolchain.describe()))?;
    let stdout = child.stdout.take().context("cargo's stdout was not piped")?;

    let mut artifact = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.context("failed to read cargo's output")?;
        let Ok(message) = serde_json::from_str::<CargoMessage>(&line) else {
            continue;
        };
        if message.reason != "compiler-artifact" || message.package_id != package.id {
            continue;
        }
        let is_cdylib = message.target.as_ref().is_some_and(|t| t.kind.iter().any(|k| k == "cdylib"));
        if is_cdylib {
            artifact = message.filenames.into_iter().find(|f| f.extension().is_some_and(|e| e == "wasm")).or(artifact);
        }
    }
    let status = child.wait().context("failed to wait for cargo")?;
    if !status.success() {
        bail!(
            "building guest `{}` failed ({status}, using {}); cargo's errors are above",
            package.name,
            toolchain.describe()
        );
    }
    artifact
        .with_context(|| format!("cargo built guest `{}` but reported no .wasm artifact for its cdylib", package.name))
}

/// The package whose manifest is `manifest`, checked to be a cdylib, and its
/// default guest target directory ([`BuildOptions::target_dir`]).
fn guest_package(toolchain: &Toolchain, crate_dir: &Path, manifest: &Path) -> Result<(Package, PathBuf)> {
    let output = toolchain
        .cargo(crate_dir)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .arg("--manifest-path")
        .arg(manifest)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("failed to run cargo metadata ({})", toolchain.describe()))?;
    if !output.status.success() {
        bail!("cargo metadata failed for {} ({}); see its errors above", manifest.display(), output.status);
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout).context("cargo metadata printed invalid JSON")?;
    let default_target_dir = metadata.default_guest_target_dir();
    let package = metadata
        .packages
        .into_iter()
        .find(|p| p.manifest_path.canonicalize().is_ok_and(|p| p == manifest))
        .with_context(|| {
        format!(
            "{} is a workspace manifest, not a guest crate; pass the guest crate's \
                 own directory",
            manifest.display()
        )
    })?;
    let is_cdylib = package.targets.iter().any(|t| t.crate_types.iter().any(|c| c == "cdylib"));
    if !is_cdylib {
        bail!(
            "guest crate `{}` is not a component: the guest crate needs \
             `[lib] crate-type = [\"cdylib\"]` in Cargo.toml and `#[wasi_webgpu::main]` \
             on its entry function",
            package.name
        );
    }
    Ok((package, default_target_dir))
}

#[derive(Deserialize)]
struct Metadata {
    /// The workspace's members (`--no-deps`).
    packages: Vec<Package>,
    target_directory: PathBuf,
    workspace_root: PathBuf,
}

impl Metadata {
    /// See [`BuildOptions::target_dir`]. A crate alone in its workspace with
    /// cargo's default target directory is a user's guest crate: sharing its
    /// build with the user's other guests is what they expect of a target
    /// directory they never chose. One set by `CARGO_TARGET_DIR` or a
    /// workspace is kept, since someone chose it.
    fn default_guest_target_dir(&self) -> PathBuf {
        let alone = self.packages.len() == 1;
        let default_target = self.target_directory == self.workspace_root.join("target");
        match wasi_webgpu_host::default_cache_dir() {
            Some(cache) if alone && default_target => cache.join(SHARED_GUEST_TARGET_SUBDIR),
            _ => self.target_directory.join(GUEST_TARGET_SUBDIR),
        }
    }
}

#[derive(Deserialize)]
struct Package {
    id: String,
    name: String,
    manifest_path: PathBuf,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Target {
    kind: Vec<String>,
    #[serde(default)]
    crate_types: Vec<String>,
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    #[serde(default)]
    package_id: String,
    target: Option<Target>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
}
