/**
 * Staged bundle directories (export/atomic-dir.ts): the target only ever holds a whole bundle, the
 * files of an earlier bundle folder that are not bundle files survive a replacement, and whatever a
 * killed export left beside the target — including a kill between the two renames of a swap — is
 * put right by the next export.
 */
import { mkdir, mkdtemp, readFile, readdir, readlink, rename, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { commitBundleDir, recoverBundleDir, stageBundleDir } from '../../export/atomic-dir.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nas-atomic-'));
});

const FILES = ['README.md', 'metrics.json'];

async function bundle(staging: string, tag: string): Promise<void> {
  for (const f of FILES) await writeFile(path.join(staging, f), `${tag} ${f}`);
}

describe('staged bundle directories', () => {
  it('a new target appears whole, by rename; nothing is left beside it', async () => {
    const target = path.join(tmp, 'b');
    const staging = await stageBundleDir(target);
    expect(path.basename(staging)).toMatch(/^\.b\.partial-\d+-[0-9a-f]{8}$/);
    await bundle(staging, 'v1');
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
    await commitBundleDir(staging, target, FILES);
    expect((await readdir(target)).sort()).toEqual(FILES);
    expect(await readdir(tmp)).toEqual(['b']);
  });

  it('replacing keeps non-bundle files (hard links), symlinks and sub-folders of the old folder', async () => {
    const target = path.join(tmp, 'b');
    await mkdir(path.join(target, 'notes'), { recursive: true });
    await bundle(target, 'v1');
    await writeFile(path.join(target, 'mine.txt'), 'keep');
    await writeFile(path.join(target, 'notes', 'n.txt'), 'keep too');
    await symlink('mine.txt', path.join(target, 'link'));
    const inode = (await stat(path.join(target, 'mine.txt'))).ino;
    const staging = await stageBundleDir(target);
    await bundle(staging, 'v2');
    await commitBundleDir(staging, target, FILES);
    expect(await readFile(path.join(target, 'README.md'), 'utf8')).toBe('v2 README.md');
    expect((await stat(path.join(target, 'mine.txt'))).ino).toBe(inode);
    expect(await readFile(path.join(target, 'notes', 'n.txt'), 'utf8')).toBe('keep too');
    expect(await readlink(path.join(target, 'link'))).toBe('mine.txt');
    expect(await readdir(tmp)).toEqual(['b']);
  });

  it('a kill between the two renames of a swap: the next export restores the old bundle first', async () => {
    const target = path.join(tmp, 'b');
    await mkdir(target);
    await bundle(target, 'v1');
    const staging = await stageBundleDir(target);
    await bundle(staging, 'v2');
    // What commitBundleDir does first; the process "dies" before renaming the staging folder.
    await rename(target, path.join(tmp, '.b.old-4242-0badc0de'));
    await recoverBundleDir(target);
    expect(await readFile(path.join(target, 'README.md'), 'utf8')).toBe('v1 README.md');
    expect(await readdir(tmp)).toEqual(['b']);
  });

  it('recovery leaves other folders alone, even ones with similar names', async () => {
    const target = path.join(tmp, 'b');
    await mkdir(path.join(tmp, '.b.partial-1-0000000a'));
    await mkdir(path.join(tmp, '.b.partial-x'));
    await mkdir(path.join(tmp, '.bb.partial-1-0000000a'));
    await recoverBundleDir(target);
    expect((await readdir(tmp)).sort()).toEqual(['.b.partial-x', '.bb.partial-1-0000000a']);
  });
});
