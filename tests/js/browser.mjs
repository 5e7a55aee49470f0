#!/usr/bin/env node
// Runs a wasi:webgpu component in headless Chromium, from a page served on
// localhost: `node tests/js/browser.mjs [--timeout SECONDS] <component.wasm>
// [-- args]`. Same stdout and exit status as run.mjs (the guest's stdout
// printed here, 0, 1 for `main`'s `Err`, 101 on a trap, 124 after
// --timeout, 2 when this runner fails, e.g. no WebGPU adapter). The page
// uses the same wasi:webgpu shim (./webgpu.js) over `navigator.gpu`, and
// preview2-shim's browser build for wasi:cli, wasi:io and the rest.
// CHROMIUM=/path/to/chrome picks the browser (default /usr/bin/chromium).

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { transpiled } from './transpile.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function fail(message) {
  process.stderr.write(`wasi-webgpu-browser: ${message}\n`);
  process.exit(2);
}

// Chromium on a machine without a GPU or network: WebGPU on SwiftShader
// (Chromium's own Vulkan on the CPU, which Dawn accepts where it refuses
// lavapipe), no GPU sandbox, nothing fetched from the network.
const CHROMIUM_FLAGS = [
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-gpu-sandbox',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
];

const BROWSER_SHIMS = ['cli', 'clocks', 'filesystem', 'http', 'io', 'random', 'sockets'];
const IMPORT_MAP = {
  imports: Object.fromEntries(
    BROWSER_SHIMS.map((name) => [
      `@bytecodealliance/preview2-shim/${name}`,
      `/node_modules/@bytecodealliance/preview2-shim/dist/browser/${name}.js`,
    ]),
  ),
};

// The page: runs the component once and leaves what happened in
// `window.wasiResult` for the runner to read.
const page = (component, args) => `<!doctype html>
<meta charset="utf-8">
<title>wasi:webgpu component</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<script type="module">
import { useGpu } from '/webgpu.js';
import * as cli from '@bytecodealliance/preview2-shim/cli';
const result = { stdout: '', stderr: '', code: undefined };
const sink = (key) => {
  const decoder = new TextDecoder();
  return { write(bytes) { result[key] += decoder.decode(bytes, { stream: true }); }, blockingFlush() {}, flush() {}, drop() {} };
};
cli._setStdout(sink('stdout'));
cli._setStderr(sink('stderr'));
cli._setArgs(${JSON.stringify(args)});
try {
  if (!navigator.gpu) throw new Error('navigator.gpu is undefined: this browser exposes no WebGPU');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() gave null: no WebGPU adapter');
  result.adapter = [adapter.info.vendor, adapter.info.architecture, adapter.info.device, adapter.info.description].filter(Boolean).join(' ');
  useGpu(navigator.gpu);
  const { run } = await import(${JSON.stringify(component)});
  await run.run();
  result.code = 0;
} catch (e) {
  if (e?.exitError) result.code = e.code;
  else if (e === undefined) result.code = 1;
  else if (result.adapter === undefined) { result.code = 2; result.stderr += String(e?.message ?? e) + '\\n'; }
  else { result.code = 101; result.stderr += 'the guest trapped: ' + (e?.stack ?? e) + '\\n'; }
}
window.wasiResult = result;
</script>`;

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

// Serves `html` at / and the files under tests/js (the shim, the
// transpiled component, node_modules) on 127.0.0.1.
function serve(html) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = normalize(join(here, path));
    if (relative(here, file).startsWith('..')) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const argv = process.argv.slice(2);
  let timeout = 300;
  if (argv[0] === '--timeout') {
    timeout = Number(argv[1]);
    argv.splice(0, 2);
  }
  const split = argv.indexOf('--');
  const [wasm] = split < 0 ? argv : argv.slice(0, split);
  const args = split < 0 ? [] : argv.slice(split + 1);
  if (!wasm) fail('usage: browser.mjs [--timeout SECONDS] <component.wasm> [-- args]');

  const entry = await transpiled(wasm, '/webgpu.js');
  const server = await serve(page(`/${relative(here, entry)}`, [wasm, ...args]));
  const { chromium } = await import('playwright-core');
  const browser = await chromium
    .launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS })
    .catch((e) => fail(`starting Chromium: ${e.message}`));
  let result;
  try {
    const tab = await browser.newPage();
    const console = [];
    tab.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
    tab.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    result = await tab
      .waitForFunction(() => window.wasiResult, null, { timeout: timeout * 1000 })
      .then((h) => h.jsonValue())
      .catch(() => ({ code: 124, stdout: '', stderr: `ran past --timeout ${timeout}\n` }));
    if (result.code !== 0 && console.length) result.stderr += `browser console:\n${console.join('\n')}\n`;
  } finally {
    await browser.close();
    server.close();
  }
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.stderr.write(`wasi-webgpu-browser: adapter ${result.adapter ?? '(none)'}; guest exited with ${result.code}\n`);
  process.exit(result.code);
}

main().catch((e) => fail(e?.stack ?? String(e)));
