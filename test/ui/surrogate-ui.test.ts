/**
 * A surrogate search's predictions and fits in headless Chromium, over a real small surrogate
 * co-search (supernet accuracy on 120 images × a searched accelerator, 3 rounds) and a random search
 * with the same objectives, written by `nas search` into SQLite and served by `nas ui` as its own
 * process. Predictions show only where labelled as predicted — the trials table's "predicted
 * accuracy (surrogate, round, rule)" column (on by default only for the surrogate experiment), the
 * trial page's box beside the verified accuracy ± SE — and the experiment page's "surrogate fits"
 * panel shows each round's held-out τ / RMSE, candidates searched and pool, and the prospective
 * check, as the API reports them. Screenshots go to test-artifacts/ui/surrogate-*.png.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, launch, collectPageProblems } from '../../testkit/browser.ts';
import { until } from '../../testkit/spawn.ts';
import { runCli } from '../cli/run.ts';
import { startUiProcess, type UiProcess } from './real-search.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');
const OPTIONS = '{ initial: 6, population: 30, generations: 8, cvFolds: 3, hwPool: 3, hwCandidates: 4, hwChildren: 3, hwRefresh: 1 }';

function experimentFile(dir: string, name: string, strategy: string, budget: number): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, [
    `name: ${name}`, 'seed: 3', 'space: mbconv', 'accuracy: { source: supernet, valLimit: 120, calibImages: 16 }',
    'hardware: { mode: joint, areaBudgetMm2: 16 }', `strategy: ${strategy}`, 'objectives: [accuracy, edp_uj_ms]',
    'constraints: ["area_mm2 <= 12"]', `budget: ${budget}`, 'batch: 4', '',
  ].join('\n'));
  return file;
}

/** A verified value ± SE as the UI prints it: as many decimals as the SE's first significant digit needs. */
function withSe(v: number, se: number): string {
  const d = se > 0 ? Math.max(0, Math.min(6, 1 - Math.floor(Math.log10(se)))) : 2;
  return `${v.toFixed(d)} ± ${se.toFixed(d)}`;
}

interface Predicted { round: number; rule: string; accuracy?: { mean: number; sd: number; source: string } }
interface Trial { id: number; number: number; metrics: Record<string, number> | null; predicted: Predicted | null }
interface Round { round: number; cv: { kendallTau: number | null; rmse: number } | null; evaluations: number; pool: { members: string[] } | null }

describe.skipIf(!HAVE_CHROMIUM)(`surrogate predictions and fits in the UI${HAVE_CHROMIUM ? '' : ` (skipped: no Chromium at ${CHROMIUM})`}`, () => {
  let ui: UiProcess;
  let browser: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  const problems: string[] = [];
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${ui.url}api${path}`)).json()) as T;
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `surrogate-${name}.png`), fullPage: true });
  const open = async (hash: string) => {
    await page.goto(`${ui.url}${hash}`);
    await until(async () => (await page.locator('body').getAttribute('data-ready')) === hash, 30_000, `${hash} to render`);
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'nas-ui-surrogate-'));
    const db = join(dir, 'nas.db');
    for (const [name, strategy, budget] of [['sg', `{ name: surrogate, options: ${OPTIONS} }`, 14], ['rnd', '{ name: random }', 4]] as const) {
      const r = await runCli('--backend', 'wasm', 'search', '--config', experimentFile(dir, name, strategy, budget), '--db', db);
      if (r.code !== 0) throw new Error(`nas search ${name} failed (${r.code}): ${r.stderr}`);
    }
    ui = await startUiProcess(db);
    browser = await launch();
    page = await browser.context.newPage();
    collectPageProblems(page, problems);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('shows each round’s fit and the prospective check as the API reports them', async () => {
    const api = await get<{ rounds: Round[]; prospective: { n: number; rmse: number; kendallTau: number | null; within1sd: number } }>('/experiments/1/surrogate');
    expect(api.rounds.length).toBeGreaterThanOrEqual(2);
    await open('#/experiments/1');
    const panel = page.locator('#surrogate');
    await until(async () => (await panel.getAttribute('data-rounds')) === String(api.rounds.length), 30_000, 'the surrogate panel');
    const rows = page.locator('#surrogate-rounds tbody tr');
    expect(await rows.count()).toBe(api.rounds.length);
    for (const [i, r] of api.rounds.entries()) {
      const row = rows.nth(i);
      expect(await row.getAttribute('data-round')).toBe(String(r.round));
      expect(await row.locator('td[data-fit="tau"]').innerText()).toBe(r.cv?.kendallTau == null ? '–' : r.cv.kendallTau.toFixed(3));
      expect(await row.locator('td[data-fit="rmse"]').innerText()).toBe(r.cv ? r.cv.rmse.toFixed(3) : '–');
      expect(await row.locator('td[data-fit="evaluations"]').innerText()).toBe(r.evaluations.toLocaleString('en-US'));
      expect(await row.innerText()).toMatch(new RegExp(`${r.pool!.members.length} accelerators?\\b`));
    }
    const check = page.locator('#surrogate-check');
    expect(await check.getAttribute('data-n')).toBe(String(api.prospective.n));
    expect(await check.innerText()).toContain(`RMSE ${api.prospective.rmse.toFixed(3)} pt`);
    expect(await check.innerText()).toContain(`${(100 * api.prospective.within1sd).toFixed(0)} % within 1 predicted sd`);
    expect(await page.locator('h2', { hasText: 'Surrogate fits' }).innerText()).toMatch(/predicted, not verified/);
    await shot('01-experiment');
    await panel.screenshot({ path: join(ARTIFACTS, 'surrogate-01-fits-panel.png') });
  }, 120_000);

  it('lists predictions in their own labelled column, apart from the verified accuracy', async () => {
    const trials = (await get<{ items: Trial[] }>('/experiments/1/trials?limit=100&sort=number')).items;
    await open('#/experiments/1');
    const table = page.locator('#trials table.trials');
    await until(async () => (await table.locator('tbody tr').count()) === trials.length, 30_000, 'the trials table');
    expect(await table.locator('thead').innerText()).toMatch(/predicted accuracy \[%\] \(surrogate, round, rule\)/);
    expect(await table.locator('thead').innerText()).toMatch(/accuracy \[%\] ↑ verified/);
    let predicted = 0;
    for (const t of trials) {
      const row = table.locator(`tbody tr[data-trial="${t.id}"]`);
      const cellText = await row.locator('td[data-col="predicted:accuracy"]').innerText();
      const verified = await row.locator('td[data-col="m:accuracy"]').innerText();
      expect(verified).toBe(withSe(t.metrics!.accuracy!, t.metrics!.accuracy_se!));
      if (t.predicted?.rule === 'initial-design') expect(cellText).toBe('initial design');
      else {
        const p = t.predicted!.accuracy!;
        expect(cellText).toBe(`${p.mean.toFixed(2)} ± ${p.sd.toFixed(2)} r${t.predicted!.round} ${t.predicted!.rule}${p.source === 'verified network' ? ' (verified net)' : ''}`);
        expect(await row.locator('td[data-col="predicted:accuracy"] .predicted').getAttribute('title')).toMatch(/predicted before verification, not measured/);
        predicted++;
      }
    }
    expect(predicted).toBeGreaterThan(0);
    await shot('02-table');
    await table.screenshot({ path: join(ARTIFACTS, 'surrogate-02-table-only.png') });
  }, 120_000);

  it('shows a trial’s prediction beside its verified accuracy ± SE', async () => {
    const trials = (await get<{ items: Trial[] }>('/experiments/1/trials?limit=100&sort=number')).items;
    const t = trials.find((x) => x.predicted?.accuracy)!;
    await open(`#/trials/${t.id}`);
    const box = page.locator('#prediction');
    const p = t.predicted!;
    expect(await box.locator('h3').innerText()).toBe(`Predicted accuracy (surrogate, round ${p.round}, ${p.rule})`);
    expect(await box.innerText()).toContain(`${p.accuracy!.mean.toFixed(2)} ± ${p.accuracy!.sd.toFixed(2)} %`);
    expect(await box.innerText()).toMatch(/not a measurement/);
    const objectives = page.locator('section', { has: page.locator('h2', { hasText: 'Objectives' }) }).locator('table').first();
    expect(await objectives.locator('thead').innerText()).toMatch(/verified value \(± SE\)/);
    expect(await objectives.innerText()).toContain(withSe(t.metrics!.accuracy!, t.metrics!.accuracy_se!));
    await shot('03-trial');
    const initial = trials.find((x) => x.predicted?.rule === 'initial-design')!;
    await open(`#/trials/${initial.id}`);
    expect(await page.locator('#prediction').innerText()).toMatch(/initial design, chosen before the predictor was fitted/);
  }, 120_000);

  it('keeps the panel away and the column off for a search that predicts nothing', async () => {
    await open('#/experiments/2');
    await until(async () => Boolean(await page.locator('#trials').getAttribute('data-total')), 30_000, 'the table');
    expect(await page.locator('#surrogate').count()).toBe(0);
    expect(await page.locator('#trials thead').innerText()).not.toMatch(/predicted/);
    const choice = page.locator('#column-chooser input[data-col="predicted:accuracy"]');
    expect(await choice.count()).toBe(1);
    expect(await choice.isChecked()).toBe(false);
    const first = await page.locator('#trials tbody tr').first().getAttribute('data-trial');
    await open(`#/trials/${first}`);
    expect(await page.locator('#prediction').count()).toBe(0);
    expect(await page.locator('#trial-title').innerText()).toMatch(/Trial #1/);
    await shot('04-other');
    expect(problems).toEqual([]);
  }, 120_000);
});
