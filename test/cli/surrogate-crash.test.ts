/**
 * Exact resume of the surrogate loop after kill -9: the crash drill (test/drills/crash-drill.ts)
 * with `--strategy surrogate` kills `nas search` with SIGKILL while rounds are fitted, searched and
 * verified, resumes each time, and compares trials (predictions included), the Pareto front and
 * the round records with an uninterrupted run of the same seed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('surrogate search killed with SIGKILL mid-round', () => {
  it('resumes to exactly the uninterrupted run', () => {
    const drill = fileURLToPath(new URL('../drills/crash-drill.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', drill, '--strategy', 'surrogate', '--kills', '3', '--budget', '18', '--seed', '2'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toMatch(/PASS: trials \(predictions included\), Pareto front and round records equal the uninterrupted run/);
    expect(r.stdout).toMatch(/[1-3] of 3 kills landed mid-run/);
    expect(r.status).toBe(0);
  }, 900_000);
});
