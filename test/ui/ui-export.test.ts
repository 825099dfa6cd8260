/**
 * The product path end to end, in headless Chromium: `nas search` writes a real co-search to a SQLite
 * file, `nas ui`'s server (startUi, with the real bundle writer) serves it, and the trial page's
 * export button writes a full bundle — TF.js model, ONNX, arch, accelerator with its mapping,
 * metrics with provenance — beside the database. Skips (saying why) where Chromium is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type RunningUi } from '../../cli/commands/ui.ts';
import { runCli } from '../cli/run.ts';
import { CHROMIUM, HAVE_CHROMIUM, launch } from '../../testkit/browser.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');

if (!HAVE_CHROMIUM) console.warn(`test/ui: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium, or set NAS_CHROMIUM)`);

describe.skipIf(!HAVE_CHROMIUM)('UI export button writes the real bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-ui-bundle-'));
  const db = join(dir, 'nas.db');
  let ui: RunningUi;
  let browser: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const experiment = join(dir, 'exp.yaml');
    writeFileSync(experiment, [
      'name: bundle-e2e', 'seed: 3', 'space: mbconv', 'accuracy: { source: supernet, valLimit: 100, calibImages: 32 }',
      'hardware: { mode: joint, areaBudgetMm2: 4 }', 'strategy: { name: random }',
      'objectives: [accuracy, energy_uj, hw_latency_ms]', 'budget: 4', 'batch: 2', '',
    ].join('\n'));
    const r = await runCli('--backend', 'wasm', 'search', '--config', experiment, '--db', db, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    ui = await startUi({ port: '0', host: '127.0.0.1', db });
    browser = await launch();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  });

  it('opens the trial from the experiment page and exports it', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    await page.goto(`${ui.url}#/experiments/1`);
    const first = page.locator('tr.clickable[data-trial]').first();
    await first.waitFor();
    const trialId = Number(await first.getAttribute('data-trial'));
    await first.click();
    await page.waitForURL(`**/#/trials/${trialId}`);
    await page.locator('#trial-title').waitFor();
    await page.locator('#export').click();
    await page.locator('#export-result').getByText(/bundle written to|export failed/).waitFor({ timeout: 120_000 });
    expect(await page.locator('#export-result').innerText()).toMatch(/bundle written to/);
    await page.screenshot({ path: join(ARTIFACTS, '08-real-bundle.png'), fullPage: true });

    const trialNumber = Number(/#(\d+)/.exec(await page.locator('#trial-title').innerText())?.[1]);
    const bundle = join(dir, 'exports', 'bundle-e2e', `trial-${trialNumber}`);
    for (const f of ['model.json', 'model.onnx', 'arch.json', 'accelerator.json', 'metrics.json', 'README.md']) {
      expect(existsSync(join(bundle, f)), `${bundle}/${f}`).toBe(true);
    }
    const metrics = JSON.parse(readFileSync(join(bundle, 'metrics.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(metrics)).toMatch(/supernet .*verified/);
    expect(JSON.stringify(metrics)).toMatch(/hardware cost model/);
    const accel = JSON.parse(readFileSync(join(bundle, 'accelerator.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(accel)).toMatch(/stem/);
    expect(trialId).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, 240_000);
});
