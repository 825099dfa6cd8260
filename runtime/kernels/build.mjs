#!/usr/bin/env node
// Compiles the AssemblyScript kernels in runtime/kernels/assembly/ to runtime/kernels/build/*.wasm (run by
// `npm install` through postinstall; safe to re-run). The kernels import the tfjs wasm backend's
// memory and write into it, so a build with any data segment is refused: its initialiser would
// overwrite live tensors when the module is instantiated.
//   node runtime/kernels/build.mjs [--out DIR]   (default DIR: runtime/kernels/build)
import { readdirSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, 'assembly');
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag >= 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]) : join(here, 'build');

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (e) {
  // Installs without dev tooling still work: the runtime falls back to plain-JS kernels.
  console.warn(`runtime/kernels/build.mjs: assemblyscript not available (${e.message.split('\n')[0]}); skipping kernel build`);
  process.exit(0);
}

/** Walks the wasm binary's sections and reports whether a data section (id 11) is present. */
function hasDataSection(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0, shift = 0, b;
    do { b = bytes[p++]; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return r >>> 0;
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    if (id === 11 && size > 1) return true;
    p += size;
  }
  return false;
}

mkdirSync(outDir, { recursive: true });
const sources = readdirSync(srcDir).filter((f) => f.endsWith('.ts'));
let failed = false;
for (const file of sources) {
  const name = basename(file, '.ts');
  const outFile = join(outDir, `${name}.wasm`);
  const { error, stderr } = await asc.main([
    join(srcDir, file),
    '--outFile', outFile,
    '-O3', '--noAssert',
    '--runtime', 'stub',
    '--importMemory',
    '--enable', 'simd',
    '--use', 'abort=',
  ]);
  if (error) {
    console.error(`runtime/kernels/build.mjs: ${file}: ${error.message}\n${stderr.toString()}`);
    failed = true;
    continue;
  }
  if (!existsSync(outFile) || hasDataSection(readFileSync(outFile))) {
    console.error(`runtime/kernels/build.mjs: ${outFile} has a data segment; kernels must not own static data`);
    failed = true;
    continue;
  }
  console.log(`runtime/kernels/build.mjs: built ${outFile}`);
}
process.exit(failed ? 1 : 0);
