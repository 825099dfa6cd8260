/**
 * End-to-end: the real server over generated experiments, driven in headless Chromium. Opens an
 * experiment, switches axes, hovers and clicks a Pareto point, opens the trial, exports it, and
 * loads a 50,000-trial experiment; screenshots go to test-artifacts/ui/. Any CSP violation or page
 * error fails the test. Skips (saying why) where Chromium is missing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrialExporter } from '../../server/app.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { fillExperiment } from '../../testkit/fixtures.ts';
import { serve, type Served } from '../../testkit/serve.ts';
import { CHROMIUM, HAVE_CHROMIUM, launch } from '../../testkit/browser.ts';

/**
 * Polls a condition from the test side: the page's CSP forbids string evaluation, which is how
 * playwright's waitForFunction runs predicates (and the test must not weaken the CSP it checks).
 */
async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');
const BIG = 50_000;

if (!HAVE_CHROMIUM) console.warn(`test/ui: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium, or set NAS_CHROMIUM)`);

describe.skipIf(!HAVE_CHROMIUM)(`UI in headless Chromium (${CHROMIUM})`, () => {
  const outDir = mkdtempSync(join(tmpdir(), 'nas-ui-export-'));
  const storage = new MemoryStorage();
  let srv: Served;
  let browser: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  const problems: string[] = [];
  // A minimal real exporter: writes the trial's arch and metrics where the server decides.
  const exporter: TrialExporter = {
    formats: () => ['json'],
    async write({ trial }) {
      const dir = join(outDir, `trial-${trial.id}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'arch.json'), JSON.stringify(trial.arch));
      writeFileSync(join(dir, 'metrics.json'), JSON.stringify(trial.metrics));
      return { dir, files: ['arch.json', 'metrics.json'] };
    },
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await fillExperiment(storage, { name: 'big', trials: BIG, seed: 11, running: 0 });
    await fillExperiment(storage, { name: 'small', trials: 1500, seed: 5, budget: 2000 });
    srv = await serve(createApp({ storage, exporter, log: (e) => problems.push(`server: ${String(e)}`) }));
    browser = await launch();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const frontOf = async () => ((await srv.get('/api/experiments/2/pareto')).body as { front: { id: number; values: Record<string, number> }[] }).front;

  it('lists experiments, opens one, switches axes, clicks a point and exports the trial', async () => {
    await page.goto(`${srv.url}/`);
    await page.locator('table.experiments tr[data-id="2"]').waitFor();
    expect(await page.locator('table.experiments tbody tr').count()).toBe(2);
    await shot('01-experiments');

    await page.getByRole('link', { name: 'small' }).click();
    const scatter = page.locator('#scatter');
    await until('the front', async () => Boolean(await scatter.getAttribute('data-front')));
    expect(await scatter.getAttribute('data-axes')).toBe('latency_ms,accuracy');
    // The front over all four objectives, from the API; the page never recomputes a 2-D one.
    const front1 = await frontOf();
    expect((await scatter.getAttribute('data-front'))?.split(',').map(Number)).toEqual(front1.map((f) => f.id));
    await page.locator('#trials tbody tr').first().waitFor();
    expect(await page.locator('#trials tbody tr').count()).toBe(50);
    await shot('02-experiment');

    await page.selectOption('#axis-x', { label: 'energy_mj' });
    await until('new axes', async () => (await scatter.getAttribute('data-axes')) === 'energy_mj,accuracy');
    const front2 = await frontOf();
    expect((await scatter.getAttribute('data-front'))?.split(',').map(Number)).toEqual(front1.map((f) => f.id));
    await shot('03-axes-switched');

    // Sort the table by accuracy (descending first for a maximised objective).
    await page.locator('#trials th[data-sort="accuracy"]').click();
    const accHeader = page.locator('#trials th[data-sort="accuracy"]');
    await until('sorted table', async () => (await accHeader.getAttribute('aria-sort')) === 'descending');
    const accs = (await page.locator('#trials tbody tr td[data-col="m:accuracy"]').allTextContents()).map(Number);
    expect(accs).toEqual([...accs].sort((a, b) => b - a));

    // Hover then click the front point with the best accuracy.
    const target = front2.reduce((a, b) => ((a.values.accuracy as number) > (b.values.accuracy as number) ? a : b));
    const px = (await page.evaluate(`window.nasUi.scatter.convertToPixel({ seriesIndex: 2 }, [${target.values.energy_mj}, ${target.values.accuracy}])`)) as [number, number];
    await scatter.scrollIntoViewIfNeeded();
    const box = await scatter.boundingBox();
    if (!box) throw new Error('scatter has no box');
    await page.mouse.move(box.x + px[0], box.y + px[1]);
    await page.getByText(`id ${target.id})`).waitFor();
    await shot('04-hover');
    await page.mouse.click(box.x + px[0], box.y + px[1]);
    await page.waitForURL(`**/#/trials/${target.id}`);
    await page.locator('#trial-title').waitFor();
    // The network drawn block by block: one box per stored block, inactive ones dimmed.
    const trial = ((await srv.get(`/api/trials/${target.id}`)).body as { trial: { arch: { stages: { depth: number; blocks: unknown[] }[] } } }).trial;
    expect(await page.locator('.block').count()).toBe(trial.arch.stages.reduce((n, s) => n + s.blocks.length, 0));
    await shot('05-trial');

    await page.locator('#export').click();
    await page.getByText('bundle written to').waitFor();
    const written = JSON.parse(readFileSync(join(outDir, `trial-${target.id}`, 'arch.json'), 'utf8'));
    expect(written).toEqual(trial.arch);
    await shot('06-exported');

    // A trial that reports per-layer figures (layers.NAME.QUANTITY metrics) shows them as a table.
    const first = ((await srv.get('/api/experiments/2/trials?state=finished&sort=number&limit=1')).body as { items: { id: number }[] }).items[0];
    await page.goto(`${srv.url}/#/trials/${first?.id}`);
    await page.getByRole('heading', { name: 'Per-layer figures stored with the trial' }).waitFor();
    expect(await page.locator('table.grid td', { hasText: /^stem$/ }).count()).toBe(1);
    expect(await page.locator('main').innerText()).not.toContain('null');
    await shot('07-per-layer');
    expect(problems).toEqual([]);
  });

  it(`loads a ${BIG.toLocaleString('en')}-trial experiment and renders every finished point`, async () => {
    await page.goto(`${srv.url}/#/experiments/1`);
    await until('the big front', async () => Boolean(await page.locator('#scatter').getAttribute('data-front')), 120_000);
    const finished = ((await srv.get('/api/experiments/1')).body as { trials: { finished: number } }).trials.finished;
    const drawn = await page.evaluate('window.nasUi.drawn');
    const perSeries = (await page.evaluate('window.nasUi.scatter.getOption().series.slice(0, 3).map((s) => s.data.length / 3)')) as number[];
    expect(perSeries.reduce((a, b) => a + b, 0)).toBe(finished);
    expect(drawn).toBe(finished);
    expect(finished).toBeGreaterThan(BIG * 0.9);
    // Parallel coordinates draw a bounded sample (every front trial among them) and say so.
    const lines = (await page.evaluate('window.nasUi.parallel.getOption().series.reduce((n, s) => n + s.data.length, 0)')) as number;
    expect(lines).toBeLessThanOrEqual(3000);
    expect(await page.locator('#parallel-status').innerText()).toMatch(/^drawing [\d,]+ of 48,\d{3} finished trials \(every front trial and an even sample of the rest\)/);
    await shot('08-big-experiment');
    expect(problems).toEqual([]);
  });
});
