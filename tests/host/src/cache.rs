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
//! and overwritten; the cache can only make a run faster, never fail it. The
//! least recently used entries beyond a fixed count are deleted, so the
//! directory stays bounded while guests are rebuilt again and again.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context as _, Result};
use sha2::{Digest as _, Sha256};
use wasmtime::Engine;

use crate::WasmtimeResultExt as _;
use wasmtime::component::Component;

/// Entries kept per cache directory; older ones (by last use) are deleted
/// when a new one is stored. Entries are ~0.5 MB, and every rebuild of a
/// guest adds one.
pub(crate) const MAX_ENTRIES: usize = 128;

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

/// Compiled-component cache for one [`Engine`]: on disk, plus the components
/// already loaded by this process, so a test suite running one guest many
/// times neither compiles nor maps it again.
pub struct ComponentCache {
    dir: Option<PathBuf>,
    engine_key: [u8; 32],
    loaded: Mutex<HashMap<[u8; 32], Component>>,
}

impl std::fmt::Debug for ComponentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentCache").field("dir", &self.dir).finish_non_exhaustive()
    }
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
    /// A cache in `dir`, or only in memory for `None`.
    ///
    /// The directory is created lazily on the first store.
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = Sha256Hasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self { dir, engine_key: hasher.0.finalize().into(), loaded: Mutex::default() }
    }

    /// The directory entries live in; `None` if caching is disabled.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn key(&self, wasm: &[u8]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.engine_key);
        hasher.update(wasm);
        hasher.finalize().into()
    }

    fn entry_path(&self, key: &[u8; 32]) -> Option<PathBuf> {
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        Some(self.dir.as_ref()?.join(format!("{name}.cwasm")))
    }

    fn loaded(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Component>> {
        // Holds only finished components; a panic elsewhere cannot leave
        // the map half-updated.
        self.loaded.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads the compiled form of `wasm`, compiling (and storing) it on a miss.
    ///
    /// Returns the component and whether it came from the cache.
    pub fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> Result<(Component, bool)> {
        let key = self.key(wasm);
        if let Some(component) = self.loaded().get(&key) {
            return Ok((component.clone(), true));
        }
        let (component, cached) = self.load_from_disk_or_compile(engine, &key, wasm)?;
        self.loaded().insert(key, component.clone());
        Ok((component, cached))
    }

    fn load_from_disk_or_compile(&self, engine: &Engine, key: &[u8; 32], wasm: &[u8]) -> Result<(Component, bool)> {
        let entry = self.entry_path(key);
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
                Ok(component) => {
                    // Marks the entry as recently used for `prune`.
                    let _ = std::fs::File::options()
                        .write(true)
                        .open(entry)
                        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                    log::debug!("loaded the compiled component from {}", entry.display());
                    return Ok((component, true));
                }
                Err(error) => {
                    log::debug!("discarding unloadable cache entry {}: {error}", entry.display());
                    let _ = std::fs::remove_file(entry);
                }
            }
        }
        let component = Component::new(engine, wasm).anyhow().context("failed to compile the guest component")?;
        if let Some(entry) = &entry {
            // A read-only or full cache directory costs speed, not correctness.
            match store(&component, entry) {
                Ok(()) => {
                    log::debug!("stored the compiled component in {}", entry.display());
                    prune(entry.parent().unwrap_or(entry));
                }
                Err(error) => log::debug!("could not store the compiled component in {}: {error:#}", entry.display()),
            }
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

/// Deletes the least recently used entries beyond [`MAX_ENTRIES`].
pub(crate) fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if entries.len() <= MAX_ENTRIES {
        return;
    }
    entries.sort_unstable_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, path) in entries.drain(MAX_ENTRIES..) {
        let _ = std::fs::remove_file(path);
    }
}
