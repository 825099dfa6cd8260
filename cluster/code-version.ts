/**
 * The code version a worker and a coordinator compare before a job runs: the package version plus a
 * hash of every source file that can change a result (evaluation, cost models, runtime kernels'
 * sources, search spaces, strategies, storage). Two checkouts with the same version number but one
 * edited file differ, so a machine running stale code refuses the job instead of returning numbers
 * that the others would not reproduce. CLI, server, tests and docs are left out: they change no result.
 *
 * NAS_CODE_VERSION overrides it (drills and tests use it to play a stale worker).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceHash } from '../core/source-hash.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIRS = ['core', 'datasets', 'estimators', 'hardware', 'platform', 'runtime', 'search-space', 'strategies', 'supernet', 'storage', 'cluster'];

let cached: string | undefined;

export function codeVersion(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NAS_CODE_VERSION) return env.NAS_CODE_VERSION;
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  cached = `${pkg.version}+${sourceHash(ROOT, DIRS).slice(0, 12)}`;
  return cached;
}
