/**
 * A fingerprint of the code that produces an accelerator cost table: the hardware model (cost model,
 * mapper, mapspace, presets, technology), the lowering of mbconv networks to layers and the table
 * compiler itself. Compiled tables cached on disk carry it in their key, so a table compiled by an
 * older cost model is rebuilt instead of silently giving stale costs (which a search would store as
 * its trials' verified hardware figures). Validation code and references are left out: they change
 * no cost. Hashing ~100 small files takes a few milliseconds, once per process.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIRS = ['hardware'];
const SKIP_DIRS = new Set(['validate', 'node_modules']);
const FILES = /^(estimators\/(accelerator|mbconv-cost-tables|expected-cost)[\w-]*\.ts|search-space\/mbconv[\w-]*\.ts)$/;

function sources(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) || e.name.startsWith('.') ? [] : sources(p);
    return /\.(ts|json)$/.test(e.name) ? [p] : [];
  });
}

let cached: string | undefined;

export function costModelFingerprint(): string {
  if (cached) return cached;
  const listed = [...DIRS.flatMap((d) => sources(join(ROOT, d))), ...['estimators', 'search-space'].flatMap((d) => sources(join(ROOT, d)))]
    .map((f) => relative(ROOT, f).split('\\').join('/'))
    .filter((f) => DIRS.some((d) => f.startsWith(`${d}/`)) || FILES.test(f));
  const h = createHash('sha256');
  for (const f of [...new Set(listed)].sort()) h.update(f).update('\0').update(readFileSync(join(ROOT, f))).update('\0');
  cached = h.digest('hex').slice(0, 16);
  return cached;
}
