/**
 * Vitest global setup: every temporary file a test makes (mkdtemp under os.tmpdir(), databases,
 * checkpoints, the CLI's child processes) goes into one directory per test run, removed at the end,
 * so runs do not pile hundreds of directories into the machine's /tmp. Forks and child processes
 * inherit TMPDIR, and os.tmpdir() reads it at each call.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'nas-tests-'));
  // like /tmp itself: tests that drop to an unprivileged user in a child process must reach their files
  chmodSync(dir, 0o1777);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
