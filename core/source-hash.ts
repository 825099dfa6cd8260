/**
 * A hash of the source files under some folders of the project (relative paths and contents, in
 * path order): what tells two checkouts' code apart when a result must not be trusted across them
 * (cluster/code-version.ts for workers, the cached checkpoint verification for its evaluation code).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

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

/** Hex sha256 over `root/dirs/**` source files (.ts .js .mjs .json; build output and dot-folders left out). */
export function sourceHash(root: string, dirs: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of dirs.flatMap((d) => files(join(root, d))).map((f) => relative(root, f)).sort()) {
    h.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  }
  return h.digest('hex');
}
