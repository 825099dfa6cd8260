/**
 * `nas trials ls`: --json gives every trial or an explicit page with a `next` hint; the text table
 * spells out the accelerator, shows area and EDP and formats every column with fixed decimals;
 * an unknown command is a usage error even with --help.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { ACCEL_CHOICES } from '../../hardware/index.ts';
import { columnDecimals } from '../../cli/trial-table.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { tempDir } from '../datasets/helpers.ts';
import { runCli } from './run.ts';

let dir: string;
let done: () => void;
beforeEach(() => ({ dir, done } = tempDir('nas-cli-trials-')));
afterEach(() => done());

const N = 120;

/** 120 trials with accelerator configs; accuracy 85 exactly on trial 1 (the `85` vs `84.40` case); the last two interrupted. */
async function populate(db: string): Promise<void> {
  const s = await SqliteStorage.open(db);
  const e = await s.createExperiment({
    name: 'co', config: {}, seed: 1, space: 'mbconv',
    objectives: [{ name: 'accuracy', unit: '%', direction: 'max' }, { name: 'energy_uj', unit: 'µJ', direction: 'min' }],
  });
  const rng = new Rng(5);
  await s.beginRun(e.id);
  const started = await s.startTrials(Array.from({ length: N }, (_, i) => ({
    experimentId: e.id, key: `k${i}`, arch: { i },
    hw: { peRows: rng.choice(ACCEL_CHOICES.peRows), peCols: rng.choice(ACCEL_CHOICES.peCols), rfWords: 16, glbKiB: 108, dramGBps: 16, dataflow: rng.choice(ACCEL_CHOICES.dataflow), precision: 'int8' },
  })));
  await s.commitStep({
    experimentId: e.id, snapshot: {},
    trials: started.slice(0, N - 2).map((t, i) => ({
      trialId: t.id,
      outcome: { state: 'finished' as const, metrics: { accuracy: i === 0 ? 85 : Number(rng.uniform(80, 90).toFixed(4)), energy_uj: rng.uniform(1, 40), hw_latency_ms: rng.uniform(0.5, 3) } },
    })),
  });
  await s.endRun(e.id, 'stopped');
  await s.close();
}

type Page = { total: number; offset: number; limit: number | null; count: number; next: { offset: number; command: string } | null; trials: TrialRecord[] };

describe('nas trials ls', () => {
  it('--json: every trial by default; with --limit, explicit pages whose next hints walk all of them', async () => {
    const db = join(dir, 'nas.db');
    await populate(db);
    const all = JSON.parse((await runCli('trials', 'ls', 'co', '--db', db, '--json')).stdout) as Page;
    expect(all).toMatchObject({ total: N, offset: 0, limit: null, count: N, next: null });
    expect(all.trials.map((t) => t.number)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(all.trials.slice(-2).map((t) => t.state)).toEqual(['interrupted', 'interrupted']);

    const seen: number[] = [];
    let args = ['trials', 'ls', 'co', '--db', db, '--json', '--limit', '50'];
    for (let pages = 0; pages < 5; pages++) {
      const page = JSON.parse((await runCli(...args)).stdout) as Page;
      expect(page.total).toBe(N);
      seen.push(...page.trials.map((t) => t.number));
      if (page.next === null) break;
      expect(page.next.offset).toBe(seen.length);
      args = page.next.command.split(' ').slice(1);
    }
    expect(seen).toEqual(all.trials.map((t) => t.number));
  });

  it('text: a page with a next-page hint; fixed decimals per column, units in headers, the accelerator spelled out', async () => {
    const db = join(dir, 'nas.db');
    await populate(db);
    const r = await runCli('trials', 'ls', 'co', '--db', db);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^accelerator: PE = processing-element array rows×cols · DATAFLOW ws \/ os \/ rs = weight-/);
    expect(lines[3]).toMatch(/^\s*#\s+STATE\s+↑accuracy \[%\]\s+↓energy_uj \[µJ\]\s+PE\s+DATAFLOW\s+PREC\s+RF\s+GLB \[KiB\]\s+DRAM \[GB\/s\]\s+area \[mm²\]\s+EDP \[µJ·ms\]\s+ERROR$/);
    const rows = lines.slice(4, -1);
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatch(/^\s*1\s+finished\s+85\.00\s+\d+\.\d{2}\s+\d+×\d+\s+(ws|os|rs)\s+int8\s+16\s+108\s+16\s+\d+\.\d+\s+\d+\.\d+/);
    for (const row of rows) expect(row).toMatch(/finished\s+\d\d\.\d\d\s/);
    expect(lines.at(-1)).toBe(`(rows 1–50 of ${N}; next page: nas trials ls co --db ${db} --limit 50 --offset 50)`);
    const last = await runCli('trials', 'ls', 'co', '--db', db, '--offset', '110');
    expect(last.stdout).toMatch(/\n\s*119\s+interrupted\s+-\s+-/);
    expect(last.stdout.trimEnd().split('\n').at(-1)).toBe(`(rows 111–120 of ${N})`);
  });

  it('column decimals: four significant digits of the largest value', () => {
    expect(columnDecimals([85, 84.4])).toBe(2);
    expect(columnDecimals([0.0123, 0.2])).toBe(4);
    expect(columnDecimals([1234.5, null])).toBe(0);
    expect(columnDecimals([])).toBe(2);
  });
});

describe('unknown commands', () => {
  it('are usage errors (exit 2) with or without --help; known ones still print help', async () => {
    for (const args of [['foo'], ['foo', '--help'], ['trials', 'foo', '--help'], ['--backend', 'wasm', 'nope', '-h']]) {
      const r = await runCli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: unknown command '(foo|nope)'/);
      expect(r.stdout).toBe('');
    }
    const help = await runCli('trials', 'ls', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: nas trials ls/);
  });
});
