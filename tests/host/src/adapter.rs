//! What GPU the guest will get: listing adapters, choosing one, and telling
//! the user before the guest runs.
//!
//! A guest that finds no adapter can only say "no adapter"; it cannot know
//! whether the machine lacks a Vulkan driver or the loader. The runner asks the
//! same `wgpu-core` instance the guest will use for the adapter the guest
//! will get, so the line it prints (or the fix it names) matches what the
//! guest sees.
//!
//! Choosing happens at two levels (see [`RunnerConfig`](crate::RunnerConfig)):
//! the backends the GPU instance is created with (`--backend`), and, within
//! them, one adapter (`--adapter`) that every `request-adapter` call then
//! returns.

use std::fmt;

use anyhow::{Result, bail};

use crate::wgpu_core::global::Global;
use crate::wgpu_core::id::AdapterId;
use crate::wgpu_core::instance::RequestAdapterOptions;
use crate::wgpu_types::{AdapterInfo, Backend, Backends, RequestAdapterError};

/// The message printed when no adapter is found; it names the fix.
pub const NO_ADAPTER_HELP: &str = "no GPU adapter found: install a GPU driver with Vulkan support, \
     or Mesa's CPU driver lavapipe (`apt-get install mesa-vulkan-drivers libvulkan1`, \
     or run tests/setup.sh)";

/// The backend names [`parse_backends`] accepts, for help texts.
pub const BACKEND_NAMES: &str = "vulkan (vk), gl (gles, opengl), metal, dx12, noop";

/// Which adapter guests get, chosen by the user rather than by the guest's
/// `request-adapter` options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdapterChoice {
    /// The adapter at this position in [`list_adapters`]'s order (what
    /// `wasi-webgpu-run --list-adapters` prints).
    Index(usize),
    /// The first adapter whose name contains this text, ignoring case.
    Name(String),
}

impl AdapterChoice {
    /// Reads `--adapter`'s value: a number is an index, anything else a name
    /// substring.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            bail!("--adapter expects an index or a part of an adapter's name, got an empty string");
        }
        Ok(match text.parse() {
            Ok(index) => Self::Index(index),
            Err(_) => Self::Name(text.to_owned()),
        })
    }

    /// Whether the adapter at `index` with `info` is the chosen one.
    fn matches(&self, index: usize, info: &AdapterInfo) -> bool {
        match self {
            Self::Index(wanted) => *wanted == index,
            Self::Name(part) => info.name.to_lowercase().contains(&part.to_lowercase()),
        }
    }
}

impl fmt::Display for AdapterChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Index(index) => write!(f, "adapter {index}"),
            Self::Name(part) => write!(f, "adapter named like `{part}`"),
        }
    }
}

/// Reads a comma-separated list of backend names (see [`BACKEND_NAMES`]).
/// Unlike `wgpu_types::Backends::from_comma_list`, an unknown name is an
/// error, not a warning.
pub fn parse_backends(list: &str) -> Result<Backends> {
    let mut backends = Backends::empty();
    for name in list.split(',').map(str::trim) {
        backends |= match name.to_lowercase().as_str() {
            "vulkan" | "vk" => Backends::VULKAN,
            "gl" | "gles" | "opengl" => Backends::GL,
            "metal" | "mtl" => Backends::METAL,
            "dx12" | "d3d12" => Backends::DX12,
            "noop" => Backends::NOOP,
            _ => bail!("unknown backend `{name}`; known backends: {BACKEND_NAMES}"),
        };
    }
    Ok(backends)
}

/// The adapters of `global` on `backends`, in the order [`AdapterChoice::Index`]
/// counts them.
pub fn list_adapters(global: &Global, backends: Backends) -> Vec<AdapterInfo> {
    let ids = global.enumerate_adapters(backends);
    let infos = ids.iter().map(|&id| global.adapter_get_info(id)).collect();
    for id in ids {
        global.adapter_drop(id);
    }
    infos
}

/// Enumerates the adapters and keeps the chosen one (the caller owns it and
/// must drop it); `None` if none matches.
pub(crate) fn select(global: &Global, backends: Backends, choice: &AdapterChoice) -> Option<AdapterId> {
    let mut chosen = None;
    for (index, id) in global.enumerate_adapters(backends).into_iter().enumerate() {
        if chosen.is_none() && choice.matches(index, &global.adapter_get_info(id)) {
            chosen = Some(id);
        } else {
            global.adapter_drop(id);
        }
    }
    chosen
}

/// Checks that `choice` names an adapter, or says which ones exist.
pub(crate) fn check_choice(global: &Global, backends: Backends, choice: &AdapterChoice) -> Result<()> {
    if let Some(id) = select(global, backends, choice) {
        global.adapter_drop(id);
        return Ok(());
    }
    let adapters = list_adapters(global, backends);
    if adapters.is_empty() {
        bail!("--adapter: there is no adapter to choose from; {}", no_adapter_help(global, backends));
    }
    let names: Vec<String> =
        adapters.iter().enumerate().map(|(index, info)| format!("{index}: {}", describe_adapter(info))).collect();
    bail!("--adapter: there is no {choice}; the adapters are:\n  {}", names.join("\n  "))
}

/// Why guests find no adapter on `backends`, naming the fix: the driver to
/// install when the usual backend (Vulkan) is among them, else which of the
/// requested backends could be started at all.
pub(crate) fn no_adapter_help(global: &Global, backends: Backends) -> String {
    if backends.contains(Backends::VULKAN) {
        return NO_ADAPTER_HELP.to_owned();
    }
    let started = Backend::ALL
        .into_iter()
        .filter(|&backend| backends.contains(backend.into()) && global.instance.raw(backend).is_some())
        .fold(Backends::empty(), |all, backend| all | backend.into());
    format!(
        "no GPU adapter found on the backends asked for ({}; of these the runner could start: {}); \
         without --backend the runner tries every backend it was built with",
        backend_names(backends),
        backend_names(started)
    )
}

/// `vulkan, noop`, or `none`.
fn backend_names(backends: Backends) -> String {
    let names: Vec<&str> =
        Backend::ALL.into_iter().filter(|&backend| backends.contains(backend.into())).map(Backend::to_str).collect();
    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
}

/// Requests the adapter a guest's `request-adapter(none)` gets (the chosen
/// one, if any), reads its info and releases it again.
pub(crate) fn probe(
    global: &Global,
    backends: Backends,
    choice: Option<&AdapterChoice>,
) -> Result<AdapterInfo, RequestAdapterError> {
    let id = match choice {
        // The choice was checked when the runner started; should the adapter
        // be gone since, a request on no backend yields wgpu's own `NotFound`.
        Some(choice) => match select(global, backends, choice) {
            Some(id) => id,
            None => global.request_adapter(&RequestAdapterOptions::default(), Backends::empty(), None)?,
        },
        None => global.request_adapter(&RequestAdapterOptions::default(), backends, None)?,
    };
    let info = global.adapter_get_info(id);
    // The guest requests its own adapter; holding this one would only keep a
    // second handle to the physical device alive for the whole run.
    global.adapter_drop(id);
    Ok(info)
}

/// One-line description of an adapter, e.g.
/// `llvmpipe (LLVM 19.1.7, 256 bits) (Vulkan, Cpu)`.
pub fn describe_adapter(info: &AdapterInfo) -> String {
    format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
}
/// Points `XDG_RUNTIME_DIR` at a private directory under the temp dir if it is
/// unset.
///
/// Mesa's Vulkan WSI (through libwayland) prints
/// `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` several
/// times per run when the variable is missing, as in containers and CI. The
/// directory is per user and reused, so runs do not litter the temp dir.
///
/// # Safety
///
/// Sets an environment variable: no other thread may read or write the
/// environment at the same time (see [`std::env::set_var`]). Call it at the
/// start of `main`, before spawning threads.
pub unsafe fn ensure_xdg_runtime_dir() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, PermissionsExt as _};

        if std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|v| !v.is_empty()) {
            return;
        }
        let user =
            std::fs::metadata("/proc/self").map_or_else(|_| std::process::id().to_string(), |m| m.uid().to_string());
        let dir = std::env::temp_dir().join(format!("wasi-webgpu-runtime-{user}"));
        // 0700 like a real runtime dir; a directory owned by someone else
        // fails the permission change and is left alone.
        let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
        if std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).is_ok() {
            // SAFETY: the caller guarantees no concurrent environment access.
            unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
        }
    }
}
