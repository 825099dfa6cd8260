/**
 * Where a bundle may be written. Exports are triggered from the CLI and from the web UI, so the
 * target directory is treated as untrusted input: no ".." segments, never through a symlink (the
 * directory itself or a file inside it), optionally confined to a root, and an existing non-empty
 * directory only with an explicit overwrite.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';

export interface BundleDirOptions {
  /** Allow writing into an existing non-empty directory (bundle files there are replaced). */
  readonly overwrite?: boolean;
  /** When set, the resolved directory must lie inside this directory (e.g. the server's export root). */
  readonly root?: string;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function lstatOrUndefined(p: string) {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Real path of `p`, resolving the deepest existing ancestor (p itself may not exist yet). */
async function realPathOfMaybeMissing(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...rest.reverse());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const parent = path.dirname(cur);
      if (parent === cur) throw e;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Validates and creates the bundle directory; returns its real absolute path. */
export async function prepareBundleDir(dir: string, opts: BundleDirOptions = {}): Promise<string> {
  if (typeof dir !== 'string' || dir.trim() === '' || dir.includes('\0')) throw new ConfigError('dir', dir, 'must be a non-empty path');
  if (dir.split(/[\\/]+/).includes('..')) throw new ConfigError('dir', dir, 'must not contain ".." segments (path traversal)');
  const resolved = path.resolve(dir);
  if (opts.root !== undefined) {
    const root = await fs.realpath(opts.root).catch(() => {
      throw new ConfigError('root', opts.root, 'does not exist');
    });
    if (!inside(root, await realPathOfMaybeMissing(resolved))) throw new ConfigError('dir', dir, `resolves outside the export root ${root}`);
  }
  const st = await lstatOrUndefined(resolved);
  if (st?.isSymbolicLink()) throw new ConfigError('dir', dir, 'is a symbolic link; refusing to write through it');
  if (st && !st.isDirectory()) throw new ConfigError('dir', dir, 'exists and is not a directory');
  if (st) {
    const entries = await fs.readdir(resolved);
    if (entries.length > 0 && !opts.overwrite) throw new ConfigError('dir', dir, `is not empty (${entries.length} entries); pass overwrite to replace the bundle`);
  } else {
    await fs.mkdir(resolved, { recursive: true });
  }
  const real = await fs.realpath(resolved);
  if (opts.root !== undefined && !inside(await fs.realpath(opts.root), real)) throw new ConfigError('dir', dir, 'resolves outside the export root');
  return real;
}

/** The path of bundle file `name` inside `dir`; `name` must be a plain file name. */
export function bundlePath(dir: string, name: string): string {
  if (!SAFE_NAME.test(name)) throw new ConfigError('file', name, 'must be a plain file name inside the bundle (no separators or "..")');
  const p = path.join(dir, name);
  if (!inside(dir, p) || p === dir) throw new ConfigError('file', name, 'escapes the bundle directory');
  return p;
}

/** Writes a file without following a symlink planted at its name (O_NOFOLLOW). */
export async function writeNoFollow(dir: string, name: string, data: Uint8Array | string): Promise<void> {
  const p = bundlePath(dir, name);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(p, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new ConfigError('dir', dir, `${name} inside it is a symbolic link; refusing to write through it`);
    throw e;
  }
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/** Reads a bundle file, refusing symlinks for the same reason. */
export async function readNoFollow(dir: string, name: string): Promise<Buffer> {
  const p = bundlePath(dir, name);
  const handle = await fs.open(p, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ELOOP') throw new ConfigError('file', name, 'is a symbolic link; refusing to read through it');
    throw e;
  });
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Removes bundle files left from an earlier export that this one does not rewrite (unlink never follows links). */
export async function removeStale(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const p = bundlePath(dir, name);
    if (await lstatOrUndefined(p)) await fs.unlink(p);
  }
}
