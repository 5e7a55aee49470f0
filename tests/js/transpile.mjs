// jco's transpilation of a component, shared by the Node.js runner (run.mjs)
// and the browser runner (browser.mjs).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The path of jco's ES module for the component at `wasm`, whose
 * `wasi:webgpu/webgpu` import is `shim` (a module specifier). Transpiled once
 * per component, shim and specifier, into tests/js/.cache, so that the
 * module's imports of `@bytecodealliance/preview2-shim` resolve to
 * tests/js/node_modules in Node.js, and the browser runner can serve it.
 */
export async function transpiled(wasm, shim) {
  const key = createHash('sha256')
    .update(readFileSync(wasm))
    .update(readFileSync(join(here, 'webgpu.js')))
    .update(shim)
    .digest('hex')
    .slice(0, 16);
  const dir = join(here, '.cache', key);
  const entry = join(dir, 'component.js');
  if (existsSync(entry)) return entry;
  const { transpile } = await import('@bytecodealliance/jco-transpile');
  const { files } = await transpile(resolve(wasm), {
    name: 'component',
    outDir: dir,
    emitTypescriptDeclarations: false,
    map: { 'wasi:webgpu/webgpu': shim },
  });
  // Written beside and renamed, so that a run killed half-way, or two runs
  // at once, never leave a partial module that the next run would load.
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [path, data] of Object.entries(files)) {
    const out = join(tmp, path.slice(dir.length));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, data);
  }
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(entry)) throw e;
  }
  return entry;
}
