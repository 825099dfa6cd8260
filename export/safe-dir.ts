/**
 * Where a bundle may be written. Exports are triggered from the CLI and from the web UI, so the
 * target directory is treated as untrusted input: no ".." segments, never through a symlink (the
 * directory itself or a file inside it), optionally confined to a root, and an existing non-empty
 * directory only with an explicit overwrite. Folder names taken from stored data (a database anyone
 * may hand us) are checked the same way (folderInside).
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

/**
 * Validates the bundle directory and creates its parent; returns the absolute target path (not created:
 * the bundle is staged beside it and renamed into place, see atomic-dir.ts).
 */
export async function checkBundleDir(dir: string, opts: BundleDirOptions = {}): Promise<string> {
  if (typeof dir !== 'string' || dir.trim() === '' || dir.includes('\0')) throw new ConfigError('dir', dir, 'must be a non-empty path');
  if (dir.split(/[\\/]+/).includes('..')) throw new ConfigError('dir', dir, 'must not contain ".." segments (path traversal)');
  const resolved = path.resolve(dir);
  const root = opts.root === undefined ? undefined : await fs.realpath(opts.root).catch(() => {
    throw new ConfigError('root', opts.root, 'does not exist');
  });
  if (root !== undefined && !inside(root, await realPathOfMaybeMissing(resolved))) throw new ConfigError('dir', dir, `resolves outside the export root ${root}`);
  const st = await lstatOrUndefined(resolved);
  if (st?.isSymbolicLink()) throw new ConfigError('dir', dir, 'is a symbolic link; refusing to write through it');
  if (st && !st.isDirectory()) throw new ConfigError('dir', dir, 'exists and is not a directory');
  if (st) {
    const entries = await fs.readdir(resolved);
    if (entries.length > 0 && !opts.overwrite) throw new ConfigError('dir', dir, `is not empty (${entries.length} entries); pass overwrite to replace the bundle`);
  }
  const parent = path.dirname(resolved);
  await fs.mkdir(parent, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new ConfigError('dir', dir, `its folder cannot be created (${e.code ?? e.message})`);
  });
  await fs.access(parent, constants.W_OK).catch((e: NodeJS.ErrnoException) => {
    throw new ConfigError('dir', dir, `its folder ${parent} is not writable (${e.code ?? e.message})`);
  });
  // The parent may be a symlink planted after the first check: judge where it really is.
  const real = path.join(await fs.realpath(parent), path.basename(resolved));
  if (root !== undefined && !inside(root, real)) throw new ConfigError('dir', dir, 'resolves outside the export root');
  return real;
}

export interface StoredName {
  /** What the value is, for the error (e.g. 'experiment.name'). */
  readonly field: string;
  readonly value: unknown;
}

/**
 * A folder inside `root` named by stored data (experiment names, trial numbers). The values come from
 * a database file anyone may hand us, so each must be a plain name and the joined path must resolve
 * inside `root`; otherwise a ConfigError names the field and refuses.
 */
export function folderInside(root: string, parts: readonly StoredName[]): string {
  const base = path.resolve(root);
  for (const { field, value } of parts) {
    const s = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof s !== 'string' || !SAFE_NAME.test(s) || s.length > 200) {
      throw new ConfigError(field, value, `cannot name a folder inside ${base} (letters, digits, . _ - only); refusing to write there`);
    }
  }
  const p = path.resolve(base, ...parts.map((x) => String(x.value)));
  if (!inside(base, p) || p === base) throw new ConfigError(parts[0]?.field ?? 'dir', p, `resolves outside ${base}; refusing to write there`);
  return p;
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
