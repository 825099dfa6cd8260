import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { allTrials } from '../../platform/front.ts';
import { runCli } from './run.ts';
import { SMALL_EXPERIMENT } from './small-experiment.ts';

const bin = fileURLToPath(new URL('../../bin/nas.js', import.meta.url));
const experiment = SMALL_EXPERIMENT;

function setup(cfg: object = experiment): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nas-search-'));
  const file = join(dir, 'exp.json');
  writeFileSync(file, JSON.stringify(cfg));
  return { dir, file };
}

async function trialsOf(db: string) {
  const s = await SqliteStorage.open(db, { readonly: true });
  try {
    const exp = (await s.listExperiments())[0];
    return (await allTrials(s, exp?.id ?? -1)).map((t) => ({ n: t.number, key: t.key, state: t.state, metrics: t.metrics, feasible: t.feasible }));
  } finally {
    await s.close();
  }
}

describe('nas search', () => {
  it('runs an experiment file, stores every trial and prints the front', async () => {
    const { dir, file } = setup();
    const db = join(dir, 'a.db');
    const r = await runCli('search', '--config', file, '--db', db, '--name', 'demo', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { status: string; completed: number; pareto: { metrics: Record<string, number> }[] };
    expect(out).toMatchObject({ status: 'finished', completed: 24 });
    expect(out.pareto.length).toBeGreaterThan(0);
    const trials = await trialsOf(db);
    expect(trials).toHaveLength(24);
    expect(trials.every((t) => t.state === 'finished' && typeof t.metrics?.energy_uj === 'number')).toBe(true);
    const bundle = join(dir, 'bundle');
    const exp = await runCli('export', 'demo', '3', '--db', db, '--out', bundle, '--json');
    expect(exp.code).toBe(0);
    const metrics = JSON.parse(readFileSync(join(bundle, 'metrics.json'), 'utf8')) as { figures: Record<string, { value: number; provenance: { source: string } }> };
    expect(metrics.figures.energy_uj?.value).toBe(trials[2]?.metrics?.energy_uj);
    expect(metrics.figures.energy_uj?.provenance.source).toMatch(/hardware cost model.*simple-ws/);
    const accel = JSON.parse(readFileSync(join(bundle, 'accelerator.json'), 'utf8')) as { mapping: unknown[] };
    expect(accel.mapping.length).toBeGreaterThan(0);
    const noModel = await runCli('export', 'demo', '3', '--db', db, '--out', join(dir, 'b2'), '--format', 'onnx');
    expect(noModel.code).toBe(3);
    expect(noModel.stderr).toMatch(/--format.*supernet checkpoint/);
    expect((await runCli('export', 'demo', '99', '--db', db, '--out', join(dir, 'b3'))).code).toBe(8);
    const front = JSON.parse((await runCli('trials', 'ls', 'demo', '--db', db, '--pareto', '--sort', 'energy_uj', '--json')).stdout) as { trials: { number: number; metrics: Record<string, number> }[] };
    expect(front.trials.map((t) => t.number).sort((a, b) => a - b)).toEqual(out.pareto.map((t) => (t as unknown as { number: number }).number).sort((a, b) => a - b));
    const energies = front.trials.map((t) => t.metrics.energy_uj as number);
    expect(energies).toEqual([...energies].sort((a, b) => a - b));
    expect((await runCli('trials', 'ls', 'demo', '--db', db, '--sort', 'bogus')).code).toBe(3);
    const again = await runCli('search', '--config', file, '--db', db, '--name', 'demo');
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/--name.*demo/);
  });

  it('rejects bad experiment files naming the field', async () => {
    const bad = await runCli('search', '--config', setup({ ...experiment, objectives: ['speed'] }).file, '--db', join(setup().dir, 'b.db'));
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/experiment\.objectives\[0\]: unknown objective; available: .*energy_uj/);
    expect(bad.stderr).toContain("speed");
    const typo = await runCli('search', '--config', setup({ ...experiment, budgett: 3 }).file, '--db', join(setup().dir, 'b.db'));
    expect(typo.code).toBe(3);
    expect(typo.stderr).toMatch(/experiment\.budgett/);
    const missing = await runCli('search', '--config', '/nonexistent/exp.yaml');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/--config/);
  });

  it('after kill -9 mid-search, `nas resume` ends with the same trials as an uninterrupted run', async () => {
    const { dir, file } = setup();
    const straight = join(dir, 'straight.db');
    expect((await runCli('search', '--config', file, '--db', straight, '--name', 'x')).code).toBe(0);

    const crashed = join(dir, 'crashed.db');
    const child = spawn(process.execPath, [bin, 'search', '--config', file, '--db', crashed, '--name', 'x'], { stdio: 'ignore' });
    // Kill once some but not all trials are stored.
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const n = await trialsOf(crashed).then((t) => t.length).catch(() => 0);
      if (n >= 6) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = await trialsOf(crashed);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(24);

    const resumed = await runCli('resume', 'x', '--db', crashed, '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'finished', resumed: true });
    expect(await trialsOf(crashed)).toEqual(await trialsOf(straight));
  }, 120_000);

  it('`nas stop` from another process stops a running search after its current step and marks it stopped', async () => {
    const { dir, file } = setup({ ...experiment, budget: 400 });
    const db = join(dir, 'stop.db');
    const child = spawn(process.execPath, [bin, 'search', '--config', file, '--db', db, '--name', 's'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    for (let i = 0; i < 600 && (await trialsOf(db).then((t) => t.length).catch(() => 0)) < 4; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await runCli('stop', 's', '--db', db)).code).toBe(0);
    expect(await exited).toBe(0);
    const stopped = await trialsOf(db);
    expect(stopped.length).toBeLessThan(400);
    const ls = JSON.parse((await runCli('experiments', 'ls', '--db', db, '--json')).stdout) as { status: string }[];
    expect(ls[0]?.status).toBe('stopped');
  }, 120_000);
});
