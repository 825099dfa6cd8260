/**
 * The product surface in headless Chromium over a real SQLite database filled by real searches and
 * served by `nas ui` as its own process: the experiments list and comparison, the experiment page
 * (summary, the all-objective front as the CLI prints it, colour and log scale, parallel-coordinates
 * brushing, range filters, column chooser, CSV download), the trial page's per-layer breakdown, and
 * live updates while another real search writes. Screenshots go to test-artifacts/ui/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.ts';
import { CHROMIUM, HAVE_CHROMIUM, launch, collectPageProblems } from '../../testkit/browser.ts';
import { realSearchDb, startUiProcess, type UiProcess } from './real-search.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

if (!HAVE_CHROMIUM) console.warn(`test/ui: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium, or set NAS_CHROMIUM)`);

describe.skipIf(!HAVE_CHROMIUM)('UI over real searches (nas ui process, real SQLite)', () => {
  let db: string;
  let ui: UiProcess;
  let browser: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  const problems: string[] = [];
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${ui.url}api${path}`)).json()) as T;
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const total = async () => Number(await page.locator('#trials').getAttribute('data-total'));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    db = await realSearchDb();
    ui = await startUiProcess(db);
    browser = await launch();
    page = await browser.context.newPage();
    collectPageProblems(page, problems);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('shows how the experiment ran and the same front as the CLI and the API', async () => {
    await page.goto(`${ui.url}#/experiments/1`);
    const scatter = page.locator('#scatter');
    await until('the scatter', async () => Boolean(await scatter.getAttribute('data-front')));
    const facts = async (k: string) => page.locator(`dd[data-fact="${k}"]`).innerText();
    expect(await facts('strategy')).toBe('random');
    expect(await facts('seed')).toBe('3');
    expect(await facts('budget')).toMatch(/8 \/ 8 trials \(batches of 4\)/);
    expect(await facts('constraints')).toBe('area_mm2 <= 12');
    expect(await facts('accelerator')).toMatch(/area budget 16 mm²/);
    expect(await facts('dataset')).toMatch(/^fashion-mnist — accuracy on 100 validation images/);
    expect(await page.locator('#provenance').innerText()).toMatch(/accuracy\s+supernet .*verified/);
    // One front: the CLI's `trials ls --pareto`, the API's /pareto and the scatter's diamonds agree.
    const cli = await runCli('trials', 'ls', 'cosearch-random', '--pareto', '--json', '--db', db);
    expect(cli.code).toBe(0);
    const cliIds = (JSON.parse(cli.stdout) as { trials: { id: number }[] }).trials.map((t) => t.id).sort((a, b) => a - b);
    const api = (await get<{ front: { id: number }[] }>('/experiments/1/pareto')).front.map((f) => f.id).sort((a, b) => a - b);
    expect(api).toEqual(cliIds);
    expect((await scatter.getAttribute('data-front'))?.split(',').map(Number).sort((a, b) => a - b)).toEqual(api);
    const drawnFront = (await page.evaluate('window.nasUi.scatter.getOption().series[2].data.length / 3')) as number;
    expect(drawnFront).toBe(api.length);
    await shot('real-01-experiment');

    await page.selectOption('#colour-by', { label: 'dataflow' });
    await until('colour', async () => (await scatter.getAttribute('data-colour')) === 'd:dataflow');
    expect(await page.evaluate('window.nasUi.scatter.getOption().visualMap[0].pieces.map((p) => p.label).sort().join()')).toMatch(/os|rs|ws/);
    await page.locator('#log-x').check();
    await until('log axis', async () => (await scatter.getAttribute('data-log')) === 'x');
    expect(await page.evaluate('window.nasUi.scatter.getOption().xAxis[0].type')).toBe('log');
    await scatter.scrollIntoViewIfNeeded();
    await shot('real-02-colour-log');
    const hist = await page.locator('#history').getAttribute('data-final');
    const h = await get<{ samples: { hypervolume: number }[] }>('/experiments/1/history');
    expect(Number(hist)).toBeCloseTo(h.samples.at(-1)?.hypervolume as number, 12);
    expect(await page.evaluate('window.nasUi.history.getOption().title[0].subtext')).toMatch(/accuracy × energy_uj × hw_latency_ms; .*min–max .*reference point \(1\.1, 1\.1, 1\.1\)/);
    expect(problems).toEqual([]);
  });

  it('filters the table by brushing, by ranges and by front, picks columns and downloads what it shows', async () => {
    const points = await get<{ ids: number[]; values: (number | null)[][] }>('/experiments/1/points');
    await page.locator('#trials tbody tr').first().waitFor();
    expect(await total()).toBe(8);
    // Brush the first parallel axis (accuracy) over its upper part with the mouse.
    const el = page.locator('#parallel');
    await el.scrollIntoViewIfNeeded();
    const box = await el.boundingBox();
    if (!box) throw new Error('no parallel chart');
    const x = box.x + 60;
    await page.mouse.move(x, box.y + 95);
    await page.mouse.down();
    await page.mouse.move(x, box.y + 180, { steps: 8 });
    await page.mouse.up();
    await until('brush', async () => Object.keys(((await page.evaluate('window.nasUi.brush')) ?? {}) as object).length > 0);
    const brush = (await page.evaluate('window.nasUi.brush')) as Record<string, [number, number]>;
    const [lo, hi] = brush.accuracy as [number, number];
    const inside = points.values[0]?.filter((v) => v !== null && v >= lo && v <= hi).length;
    await until('brushed table', async () => (await total()) === inside);
    expect(inside).toBeGreaterThan(0);
    await page.locator('#brush-note').waitFor();
    await shot('real-03-brushed');
    await page.locator('#clear-brush').click();
    await until('unbrushed', async () => (await total()) === 8);

    // A range filter on energy and the front-only switch, each matching the API.
    await page.selectOption('#add-filter', 'energy_uj');
    const energies = (points.values[1] as number[]).slice().sort((a, b) => a - b);
    const cut = ((energies[4] as number) + (energies[5] as number)) / 2;
    await page.locator('[data-filter="energy_uj"] input[data-bound="max"]').fill(String(cut));
    await page.locator('[data-filter="energy_uj"] input[data-bound="max"]').dispatchEvent('change');
    await until('range filter', async () => (await total()) === energies.filter((e) => e <= cut).length);
    await page.locator('[data-filter="energy_uj"] button').click();
    await page.locator('#front-only').check();
    const front = (await get<{ front: unknown[] }>('/experiments/1/pareto')).front.length;
    await until('front only', async () => (await total()) === front);
    expect(await page.locator('#trials tbody tr').count()).toBe(front);

    // Columns: accelerator, area, EDP, params and MACs show by default; the chooser adds others.
    const heads = await page.locator('#trials thead th').allInnerTexts();
    for (const c of ['accelerator', 'area_mm2 [mm²]', 'edp_uj_ms [µJ·ms]', 'params_k [k params]', 'macs_m [M MACs]']) expect(heads.join('|')).toContain(c);
    expect(await page.locator('#trials td[data-col="m:params_k"]').first().innerText()).toMatch(/^\d/);
    await page.locator('#column-chooser summary').click();
    await page.locator('#column-chooser input[data-col="d:resolution"]').check();
    await page.locator('#trials th', { hasText: 'resolution' }).waitFor();
    await shot('real-04-table');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-csv').click()]);
    const csv = readFileSync((await download.path()) as string, 'utf8').trim().split('\r\n');
    expect(csv).toHaveLength(front + 1);
    expect(csv[0]).toMatch(/^number,id,state,feasible,on_pareto_front,accuracy \[%\]/);
    expect(csv.slice(1).every((l) => l.split(',')[4] === 'true')).toBe(true);
    await page.locator('#front-only').uncheck();
    expect(problems).toEqual([]);
  });

  it('shows a trial\'s per-layer accelerator breakdown as a table and a stacked bar', async () => {
    const front = (await get<{ front: { id: number }[] }>('/experiments/1/pareto')).front;
    await page.goto(`${ui.url}#/trials/${front[0]?.id}`);
    await until('breakdown', async () => (await page.locator('#breakdown').getAttribute('data-ready')) !== null, 60_000);
    expect(await page.locator('#breakdown').getAttribute('data-ready')).toBe('true');
    const b = await get<{ layers: unknown[]; levels: string[]; clockGHz: number; totals: { energyPj: number } }>(`/trials/${front[0]?.id}/breakdown`);
    expect(await page.locator('#breakdown-table tbody tr').count()).toBe(b.layers.length);
    const heads = await page.locator('#breakdown-table thead th').allInnerTexts();
    expect(heads).toEqual(expect.arrayContaining([`cycles @ ${b.clockGHz} GHz`, ...b.levels.map((l) => `${l} [µJ]`), 'utilisation [%]']));
    const trial = await get<{ trial: { metrics: Record<string, number> } }>(`/trials/${front[0]?.id}`);
    expect(b.totals.energyPj / 1e6).toBeCloseTo(trial.trial.metrics.energy_uj as number, 6);
    expect(await page.locator('#on-front').count()).toBe(1);
    await shot('real-05-trial-breakdown');
    expect(problems).toEqual([]);
  });

  it('compares two experiments on one reference point', async () => {
    await page.goto(`${ui.url}#/`);
    await page.locator('table.experiments tr[data-id="2"]').waitFor();
    await page.locator('input[data-compare="1"]').check();
    await page.locator('input[data-compare="2"]').check();
    await page.locator('#compare').click();
    await page.locator('#compare-table').waitFor();
    const c = await get<{ experiments: { id: number; hypervolume: number; front: unknown[] }[]; hypervolume: { reference: number[] } }>('/compare?ids=1,2');
    for (const e of c.experiments) expect(Number(await page.locator(`[data-hv="${e.id}"]`).innerText())).toBeCloseTo(e.hypervolume, 3);
    expect(await page.locator('#compare-note').innerText()).toMatch(/reference point \(1\.1, 1\.1, 1\.1\)/);
    const drawn = (await page.evaluate('window.nasUi.front.getOption().series.map((s) => s.data.length)')) as number[];
    expect(drawn).toEqual(c.experiments.map((e) => e.front.length));
    await shot('real-06-compare');
    expect(problems).toEqual([]);
  });

  it('updates the list and counts live while a real search writes, and every state the API reports shows', async () => {
    await page.goto(`${ui.url}#/`);
    await page.locator('table.experiments tr[data-id="2"]').waitFor();
    const cfg = join(dirname(db), 'live.yaml');
    writeFileSync(cfg, ['name: live', 'seed: 9', 'space: mbconv', 'hardware: { mode: joint }', 'strategy: { name: random }', 'objectives: [macs_m, energy_uj, hw_latency_ms]', 'budget: 40', 'batch: 4', ''].join('\n'));
    const search = spawn(process.execPath, ['bin/nas.js', 'search', '--config', cfg, '--db', db], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => search.once('exit', (code) => r(code)));
    const row = page.locator('table.experiments tr[data-id="3"]');
    await row.waitFor({ timeout: 120_000 });
    const seen = new Set<number>();
    let running = false;
    await until('the live search to finish on the page', async () => {
      const t = Number(await row.locator('td[data-count="total"]').innerText().catch(() => '0'));
      seen.add(t);
      if ((await row.getAttribute('data-status')) === 'running') running = true;
      return (await row.getAttribute('data-status')) === 'finished';
    }, 180_000);
    expect(await exited).toBe(0);
    expect(running).toBe(true);
    expect([...seen].some((t) => t > 0 && t < 40)).toBe(true);
    // The page's counts per state are the API's, for whatever states exist.
    const e = (await get<{ id: number; trials: Record<string, number> }[]>('/experiments')).find((x) => x.id === 3) as { trials: Record<string, number> };
    for (const [state, n] of Object.entries(e.trials)) expect(Number(await row.locator(`td[data-count="${state}"]`).innerText()), state).toBe(n);
    await shot('real-07-live-list');
    await page.goto(`${ui.url}#/experiments/3`);
    await page.locator('#trial-counts').waitFor();
    for (const [state, n] of Object.entries(e.trials)) if (state !== 'total') expect(await page.locator(`#trial-counts [data-state="${state}"]`).innerText()).toBe(`${n} ${state}`);
    expect(problems).toEqual([]);
  }, 240_000);
});
