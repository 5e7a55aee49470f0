//! What GPU the guest will get, told to the user before it runs.
//!
//! A guest that finds no adapter can only say "no adapter"; it cannot know
//! whether the machine lacks a Vulkan driver or the loader. The runner asks the
//! same `wgpu-core` instance the guest will use for the default adapter, so the
//! line it prints (or the fix it names) matches what the guest sees.

use crate::wgpu_core::global::Global;
use crate::wgpu_core::instance::RequestAdapterOptions;
use crate::wgpu_types::{AdapterInfo, Backends, RequestAdapterError};

/// The message printed when no adapter is found; it names the fix.
pub const NO_ADAPTER_HELP: &str = "no GPU adapter found: install a GPU driver with Vulkan support, \
     or Mesa's CPU driver lavapipe (`apt-get install mesa-vulkan-drivers libvulkan1`, \
     or run tests/setup.sh)";

/// Requests the default adapter the way a guest's `request-adapter(none)`
/// does, reads its info and releases it again.
pub(crate) fn probe(global: &Global) -> Result<AdapterInfo, RequestAdapterError> {
    let id = global.request_adapter(&RequestAdapterOptions::default(), Backends::all(), None)?;
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
