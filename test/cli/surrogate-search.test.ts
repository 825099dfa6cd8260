/**
 * A surrogate search through the real CLI, supernet, SQLite store, server and exporter: verified
 * metrics carry the binomial standard error of the supernet accuracy, predictions are stored apart
 * and labelled as predicted everywhere a user meets them (CLI table, API, export bundle), each round's
 * predictor fit is recorded and shown, and the experiment file's bad values are config errors.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { allTrials } from '../../platform/front.ts';
import { ROUND_NOTE } from '../../strategies/surrogate/surrogate.ts';
import { serve, type Served } from '../../testkit/serve.ts';
import { runCli } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'nas-surrogate-cli-'));
const db = join(dir, 'nas.db');
const VAL = 120;

function experimentFile(name: string, over: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    name, seed: '3', space: 'mbconv',
    accuracy: `{ source: supernet, valLimit: ${VAL}, calibImages: 16 }`,
    hardware: '{ mode: none }',
    strategy: '{ name: surrogate, options: { initial: 6, population: 30, generations: 8, cvFolds: 3 } }',
    objectives: '[accuracy, macs_m]', budget: '14', batch: '4', ...over,
  };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n'));
  return file;
}

describe('nas search --strategy surrogate, end to end', () => {
  let out = '';
  let trials: TrialRecord[] = [];
  let srv: Served;
  let reader: SqliteStorage;

  beforeAll(async () => {
    const r = await runCli('--backend', 'wasm', 'search', '--config', experimentFile('sg'), '--db', db);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    out = r.stdout;
    reader = await SqliteStorage.open(db, { readonly: true });
    trials = await allTrials(reader, 1);
    srv = await serve(createApp({ storage: reader, log: () => undefined }));
  }, 600_000);
  afterAll(async () => {
    await srv?.close();
    await reader?.close();
  });

  it('stores verified metrics with the binomial standard error, and predictions apart', () => {
    expect(trials).toHaveLength(14);
    for (const t of trials) {
      expect(t.state).toBe('finished');
      const p = (t.metrics?.accuracy as number) / 100;
      expect(t.metrics?.accuracy_se).toBeCloseTo(100 * Math.sqrt((p * (1 - p)) / VAL), 10);
      expect(Object.keys(t.metrics ?? {}).sort()).toEqual(['accuracy', 'accuracy_se', 'macs_m', 'model_kb', 'params_k', 'peak_act_kb']);
    }
    expect(trials.slice(0, 6).map((t) => t.predicted)).toEqual(Array(6).fill({ round: 0, rule: 'initial-design' }));
    const predicted = trials.slice(6).map((t) => t.predicted as { accuracy: { mean: number; sd: number; source: string }; round: number });
    for (const p of predicted) {
      expect(p.round).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(p.accuracy.mean) && p.accuracy.sd >= 0).toBe(true);
    }
  });

  it('prints verified accuracy ± its standard error, the predictions labelled as such, and the predictor fit', async () => {
    expect(out).toMatch(/\d+\.\d\d ± \d\.\d\d/);
    expect(out).toMatch(/PREDICTED: the surrogate's estimate .* not a measurement/);
    expect(out).toMatch(/surrogate: 3 rounds, 270 predicted candidates per round/);
    expect(out).toMatch(/predictor fit, round 3: τ -?\d\.\d{3}, RMSE \d+\.\d{3} pt \(3-fold CV on 12 verified networks\)/);
    expect(out).toMatch(/predicted before verification vs verified, \d+ trials: RMSE/);
    const show = await runCli('experiments', 'show', 'sg', '--db', db);
    expect(show.stdout).toMatch(/surrogate: 3 rounds/);
    expect(show.stdout).toMatch(/predicted before verification vs verified, 8 trials/);
    const ls = await runCli('trials', 'ls', 'sg', '--db', db);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/PREDICTED accuracy/);
    expect(ls.stdout).toMatch(/\d+\.\d\d ± \d\.\d\d\s+\S+\s+\d+\.\d\d ± \d\.\d\d/);
  });

  it('records one fit per round, served by the API with the trials\' own predictions', async () => {
    const events = await reader.eventsSince(0, { experimentId: 1 });
    expect(events.filter((e) => e.type === ROUND_NOTE)).toHaveLength(3);
    const { status, body } = await srv.get('/api/experiments/1/surrogate');
    expect(status).toBe(200);
    const s = body as { predicted: string; rounds: { round: number; cv: unknown }[]; prospective: { n: number; rmse: number } };
    expect(s.predicted).toBe('accuracy');
    expect(s.rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    expect(s.prospective.n).toBe(8);
    const page = (await srv.get('/api/experiments/1/trials?limit=100')).body as { items: TrialRecord[] };
    expect(page.items[10]?.predicted).toEqual(trials[10]?.predicted);
    expect(Object.keys(page.items[10]?.metrics ?? {})).not.toContain('predicted');
  });

  it('exports a predicted trial with the prediction labelled apart from the measured figures', async () => {
    const outDir = join(dir, 'bundle');
    const r = await runCli('export', 'sg', '12', '--out', outDir, '--format', 'json', '--db', db);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const metrics = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8')) as { figures: Record<string, { value: number; provenance: { source: string } }>; predicted: { note: string; values: unknown } };
    expect(metrics.predicted.values).toEqual(trials[11]?.predicted);
    expect(metrics.predicted.note).toMatch(/not a measurement/);
    expect(metrics.figures.accuracy?.value).toBe(trials[11]?.metrics?.accuracy);
    expect(metrics.figures.accuracy_se?.provenance.source).toMatch(/binomial standard error .* n = 120 validation images/);
    expect(readFileSync(join(outDir, 'README.md'), 'utf8')).toMatch(/Predicted before verification \(not measured\)/);
  });
});

describe('surrogate experiment files with bad values', () => {
  it.each([
    [{ strategy: '{ name: surrogate, options: { beta: -2 } }' }, /surrogate\.options\.beta/],
    [{ strategy: '{ name: surrogate, options: {} }', objectives: '[macs_m, params_k]' }, /needs accuracy among the objectives/],
    [{ hardware: '{ mode: joint, areaBudgetMm2: area(nosuch) }' }, /areaBudgetMm2.*unknown preset/],
    [{ constraints: '["area_mm2<=area(nosuch)"]', hardware: '{ mode: joint }' }, /constraints\[0\].*unknown preset/],
  ])('%o is a config error (exit 3) naming the field, nothing stored', async (over, message) => {
    const file = experimentFile(`bad-${Object.keys(over).join('-')}`, over);
    const bad = join(dir, 'bad.db');
    const r = await runCli('--backend', 'wasm', 'search', '--config', file, '--db', bad);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(message);
    const s = await SqliteStorage.open(bad);
    expect(await s.listExperiments()).toEqual([]);
    await s.close();
  }, 120_000);
});
