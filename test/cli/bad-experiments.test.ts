import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.ts';

const dir = fileURLToPath(new URL('../fixtures/bad/experiments/', import.meta.url));
const corpus = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: { file: string; code: number; field: string }[] };
const good = join(fileURLToPath(new URL('../fixtures/bad/', import.meta.url)), '..', 'good-experiment.json');

describe('bad experiment corpus (test/fixtures/bad/experiments)', async () => {
  // A database with one finished experiment, whose bytes must survive every bad call unchanged.
  const work = mkdtempSync(join(tmpdir(), 'nas-bad-exp-'));
  const db = join(work, 'kept.db');
  copyFileSync(good, join(work, 'good.json'));
  const made = await runCli('search', '--config', join(work, 'good.json'), '--db', db, '--name', 'kept');
  const before = readFileSync(db);

  it('the reference experiment ran', () => {
    expect(made.code).toBe(0);
  });

  for (const c of corpus.cases) {
    it(`${c.file}: exit ${c.code}, names ${c.field}, database untouched`, async () => {
      const r = await runCli('search', '--config', join(dir, c.file), '--db', db);
      expect(r.code).toBe(c.code);
      expect(r.stderr).toContain(c.field);
      expect(r.stdout).toBe('');
      expect(readFileSync(db).equals(before)).toBe(true);
    });
  }

  it('constraints no candidate can meet: the search finishes, says so, and keeps every trial', async () => {
    const cfg = JSON.parse(readFileSync(good, 'utf8')) as object;
    writeFileSync(join(work, 'infeasible.json'), JSON.stringify({ ...cfg, constraints: ['macs_m<=0.000001'] }));
    const r = await runCli('search', '--config', join(work, 'infeasible.json'), '--db', join(work, 'infeasible.db'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no trial met the constraints \(macs_m<=0\.000001\); 6 trials stored/);
    const ls = JSON.parse((await runCli('experiments', 'ls', '--db', join(work, 'infeasible.db'), '--json')).stdout) as { trials: { finished: number } }[];
    expect(ls[0]?.trials.finished).toBe(6);
  });
});
