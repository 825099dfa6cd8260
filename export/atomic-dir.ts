/**
 * Writing a bundle directory all at once: files go into a hidden staging directory beside the target
 * (`.NAME.partial-…`, same file system), which then takes the target's name by rename(2). A process
 * killed at any moment therefore leaves either the previous bundle or the new one under the target
 * name — never a half-written directory that looks complete.
 *
 * Replacing an existing bundle (overwrite) keeps the files in it that are not bundle files: regular
 * files are hard-linked into the staging directory (no copy; the old directory keeps its own link
 * until the swap), symbolic links are re-created as links, sub-directories are copied. The swap is
 * two renames (target → `.NAME.old-…`, staging → target); if a kill falls between them, the next
 * export to that target first renames the old directory back, then removes leftover staging dirs.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const PARTIAL = '.partial-';
const OLD = '.old-';

const sibling = (target: string, kind: string): string =>
  path.join(path.dirname(target), `.${path.basename(target)}${kind}${process.pid}-${randomBytes(4).toString('hex')}`);

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

/** Undoes what a killed export left beside `target`: restores a swapped-out bundle, drops staging dirs. */
export async function recoverBundleDir(target: string): Promise<void> {
  const parent = path.dirname(target);
  const escaped = path.basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^\\.${escaped}(\\.partial-|\\.old-)\\d+-[0-9a-f]{8}$`);
  const names = (await fs.readdir(parent).catch(() => [] as string[])).filter((n) => ours.test(n)).sort();
  const old = names.filter((n) => ours.exec(n)?.[1] === OLD);
  if (!(await exists(target)) && old.length > 0) await fs.rename(path.join(parent, old[old.length - 1] as string), target);
  for (const n of names) await fs.rm(path.join(parent, n), { recursive: true, force: true });
}

/** A fresh staging directory beside `target` (whose parent must exist). */
export async function stageBundleDir(target: string): Promise<string> {
  await recoverBundleDir(target);
  const staging = sibling(target, PARTIAL);
  await fs.mkdir(staging, { mode: 0o755 });
  return staging;
}

/** Carries the entries of `from` that the new bundle does not write into `staging`. */
async function keepForeign(from: string, staging: string, bundleFiles: ReadonlySet<string>): Promise<void> {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (bundleFiles.has(entry.name)) continue;
    const src = path.join(from, entry.name);
    const dst = path.join(staging, entry.name);
    if (entry.isSymbolicLink()) await fs.symlink(await fs.readlink(src), dst);
    else if (entry.isDirectory()) await fs.cp(src, dst, { recursive: true, verbatimSymlinks: true });
    else await fs.link(src, dst);
  }
}

/**
 * Gives `staging` the name `target`. An existing target (already checked: a directory the caller may
 * replace) is swapped out, keeping its non-bundle files; `bundleFiles` are the names a bundle owns.
 */
export async function commitBundleDir(staging: string, target: string, bundleFiles: readonly string[]): Promise<void> {
  const st = await fs.lstat(target).catch(() => null);
  if (st === null) {
    await fs.rename(staging, target);
    return;
  }
  await keepForeign(target, staging, new Set(bundleFiles));
  const old = sibling(target, OLD);
  await fs.rename(target, old);
  await fs.rename(staging, target);
  await fs.rm(old, { recursive: true, force: true });
}

/** Removes a staging directory after a failed export. */
export async function discardStaging(staging: string): Promise<void> {
  await fs.rm(staging, { recursive: true, force: true });
}
