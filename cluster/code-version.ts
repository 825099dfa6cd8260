/**
 * The code version a worker and a coordinator compare before a job runs: the package version plus a
 * hash of every source file that can change a result (evaluation, cost models, runtime kernels'
 * sources, search spaces, strategies, storage). Two checkouts with the same version number but one
 * edited file differ, so a machine running stale code refuses the job instead of returning numbers
 * that the others would not reproduce. CLI, server, tests and docs are left out: they change no result.
 *
 * NAS_CODE_VERSION overrides it (drills and tests use it to play a stale worker).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIRS = ['core', 'datasets', 'estimators', 'hardware', 'platform', 'runtime', 'search-space', 'strategies', 'supernet', 'storage', 'cluster'];
const SOURCE = /\.(ts|js|mjs|json)$/;

function files(dir: string): string[] {
  let out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === 'build' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(files(p));
    else if (SOURCE.test(e.name)) out.push(p);
  }
  return out;
}

let cached: string | undefined;

export function codeVersion(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NAS_CODE_VERSION) return env.NAS_CODE_VERSION;
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const h = createHash('sha256');
  for (const f of DIRS.flatMap((d) => files(join(ROOT, d))).map((f) => relative(ROOT, f)).sort()) {
    h.update(f).update('\0').update(readFileSync(join(ROOT, f))).update('\0');
  }
  cached = `${pkg.version}+${h.digest('hex').slice(0, 12)}`;
  return cached;
}
