//! On-disk cache of compiled components.
//!
//! Cranelift needs ~90 ms per guest component, which dominates a test that
//! runs a guest for a few milliseconds. Compiled code is stored with
//! [`Component::serialize`] and mapped back with [`Component::deserialize_file`].
//!
//! The key hashes the component bytes together with the engine's
//! [`precompile_compatibility_hash`](Engine::precompile_compatibility_hash)
//! (wasmtime version, target, compiler flags, enabled wasm features), so a
//! runner built with another wasmtime or config never sees an incompatible
//! entry. Entries are written to a temporary file and renamed into place, so a
//! reader never maps a half-written file. Anything unreadable is compiled again
//! and overwritten; the cache can only make a run faster, never fail it.

use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context as _, Result};
use sha2::{Digest as _, Sha256};
use wasmtime::Engine;

use crate::WasmtimeResultExt as _;
use wasmtime::component::Component;

/// Environment variable that overrides the cache directory.
pub const CACHE_DIR_ENV: &str = "WASI_WEBGPU_CACHE_DIR";

/// The cache directory: `$WASI_WEBGPU_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/wasi-webgpu`, else `~/.cache/wasi-webgpu`.
///
/// `None` only when none of those variables is set.
pub fn default_cache_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty(CACHE_DIR_ENV) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("wasi-webgpu"));
    }
    non_empty("HOME").map(|home| PathBuf::from(home).join(".cache").join("wasi-webgpu"))
}

/// Compiled-component cache for one [`Engine`].
#[derive(Debug)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
    engine_key: [u8; 32],
}

/// Feeds `Hash` output into SHA-256, so the engine's compatibility hash (which
/// only exists as a `Hash` impl) can be part of a stable, collision-free key.
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        // Only the SHA-256 digest is used as the key; `finish` is never called
        // by `Hash` impls themselves.
        0
    }
}

impl ComponentCache {
    /// A cache in `dir`, or a disabled cache (always compiles) for `None`.
    ///
    /// The directory is created lazily on the first store.
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = Sha256Hasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self { dir, engine_key: hasher.0.finalize().into() }
    }

    /// The directory entries live in; `None` if caching is disabled.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn entry_path(&self, wasm: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut hasher = Sha256::new();
        hasher.update(self.engine_key);
        hasher.update(wasm);
        let digest = hasher.finalize();
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Some(dir.join(format!("{name}.cwasm")))
    }

    /// Loads the compiled form of `wasm`, compiling (and storing) it on a miss.
    ///
    /// Returns the component and whether it came from the cache.
    pub fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> Result<(Component, bool)> {
        let entry = self.entry_path(wasm);
        if let Some(entry) = &entry
            && entry.is_file()
        {
            // SAFETY: `deserialize_file` trusts the file to be the output of
            // `Component::serialize` by a compatible engine. Entries are only
            // written by `store` below, under a key that includes the engine's
            // compatibility hash, and are renamed into place whole; wasmtime
            // additionally checks the header and version. A file that still
            // fails to load is discarded and recompiled.
            match unsafe { Component::deserialize_file(engine, entry) } {
                Ok(component) => return Ok((component, true)),
                Err(_) => {
                    let _ = std::fs::remove_file(entry);
                }
            }
        }
        let component = Component::new(engine, wasm).anyhow().context("failed to compile the guest component")?;
        if let Some(entry) = &entry {
            // A read-only or full cache directory costs speed, not correctness.
            let _ = store(&component, entry);
        }
        Ok((component, false))
    }
}

fn store(component: &Component, entry: &Path) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let bytes = component.serialize().anyhow()?;
    let dir = entry.parent().context("cache entry has no parent directory")?;
    std::fs::create_dir_all(dir)?;
    // Unique per process and call, so concurrent writers (parallel tests, two
    // runners) never share a temporary file; the last rename wins, and every
    // candidate is a complete, equivalent entry.
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        entry.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        std::fs::rename(&tmp, entry)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
