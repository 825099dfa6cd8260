/**
 * Export on the real path, end to end: a real search fills SQLite, `nas ui` runs as its own process
 * (as users start it: no search ran there, so no tensor backend was initialised), and in headless
 * Chromium the trial page's Export button writes every format and the browser downloads the bundle
 * as one zip. The test unzips it, preprocesses real Fashion-MNIST test images exactly as the
 * bundle README says, and checks the ONNX model against the TF.js model (and both against labels).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../runtime/tf.ts';
import { loadDataset } from '../../datasets/registry.ts';
import { loadBundleModel } from '../../export/bundle.ts';
import { CHROMIUM, HAVE_CHROMIUM, launch } from '../../testkit/browser.ts';
import { realSearchDb, startUiProcess, type UiProcess } from './real-search.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');

if (!HAVE_CHROMIUM) console.warn(`test/ui: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium, or set NAS_CHROMIUM)`);

describe.skipIf(!HAVE_CHROMIUM)('Export button on the real path (nas ui process, real exporter, zip download)', () => {
  let ui: UiProcess;
  let browser: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const db = await realSearchDb();
    ui = await startUiProcess(db, []);
    browser = await launch();
    await initTf('wasm');
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('exports TF.js + ONNX + JSON, downloads one zip, and the ONNX model matches TF.js on README-preprocessed images', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
    const front = (await (await fetch(`${ui.url}api/experiments/1/pareto`)).json()) as { front: { id: number; number: number }[] };
    const target = front.front[0] as { id: number; number: number };
    await page.goto(`${ui.url}#/trials/${target.id}`);
    await page.locator('#trial-title').waitFor();
    expect(await page.locator('input[data-format]').evaluateAll((els) => els.map((e) => e.getAttribute('value')))).toEqual(['tfjs', 'onnx', 'json']);
    await page.locator('#export').click();
    await page.locator('#export-result').getByText(/bundle written to|export failed/).waitFor({ timeout: 180_000 });
    expect(await page.locator('#export-result').innerText()).toMatch(/bundle written to/);
    await page.screenshot({ path: join(ARTIFACTS, 'export-01-written.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-bundle').click()]);
    expect(download.suggestedFilename()).toBe(`cosearch-random-trial-${target.number}.zip`);
    const zipPath = join(mkdtempSync(join(tmpdir(), 'nas-zip-')), 'bundle.zip');
    await download.saveAs(zipPath);
    const entries = unzipSync(new Uint8Array(await readFile(zipPath)));
    const prefix = `cosearch-random-trial-${target.number}/`;
    expect(Object.keys(entries).sort()).toEqual(['README.md', 'accelerator.json', 'arch.json', 'metrics.json', 'model.json', 'model.onnx', 'weights.bin'].map((f) => prefix + f));
    const text = (f: string) => new TextDecoder().decode(entries[prefix + f]);

    // The README states the input contract and agrees with arch.json about quantisation.
    const readme = text('README.md');
    expect(readme).toMatch(/divide 8-bit pixels by 255, normalise with mean 0\.2859 and std 0\.3528/);
    expect(readme).toMatch(/resize bilinearly \(align_corners = true\)/);
    expect(readme).toMatch(/Output: logits \[N, 10\]/);
    expect(readme).toMatch(/cycles` count clock cycles at 1 GHz/);
    const arch = JSON.parse(text('arch.json')) as { arch: { resolution: number }; quantization: { granularity: { bitWidth: string; weightScale: string } } };
    expect(readme).toContain(`Bit-widths are chosen ${arch.quantization.granularity.bitWidth}`);
    expect(readme).toContain(`Weights (${arch.quantization.granularity.weightScale} scales)`);
    const accel = JSON.parse(text('accelerator.json')) as { clockGHz: number; mapping: { mapping: { cycles: number } }[]; totals: { latencyMs: number } };
    const metrics = JSON.parse(text('metrics.json')) as { figures: Record<string, { value: number; unit: string }> };
    expect(accel.mapping.reduce((s, m) => s + m.mapping.cycles, 0) / (accel.clockGHz * 1e6)).toBeCloseTo(metrics.figures.hw_latency_ms?.value as number, 9);
    expect(metrics.figures.area_mm2?.unit).toBe('mm²');

    // Preprocess 200 real test images as the README says, run both models.
    const dir = mkdtempSync(join(tmpdir(), 'nas-bundle-'));
    for (const f of ['model.json', 'weights.bin']) writeFileSync(join(dir, f), entries[prefix + f] as Uint8Array);
    const model = await loadBundleModel(dir);
    const { test } = loadDataset('fashion-mnist');
    const n = 200;
    const R = arch.arch.resolution;
    const px = new Float32Array(n * 28 * 28);
    for (let i = 0; i < px.length; i++) px[i] = ((test.images[i] as number) / 255 - 0.2859) / 0.3528;
    const input = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(px, [n, 28, 28, 1]), [R, R], true));
    const data = (await input.data()) as Float32Array;
    const ref = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
    input.dispose();
    model.dispose();
    const session = await ort.InferenceSession.create(entries[prefix + 'model.onnx'] as Uint8Array);
    const out = (await session.run({ [session.inputNames[0] as string]: new ort.Tensor('float32', data, [n, R, R, 1]) }))[session.outputNames[0] as string];
    const got = out?.data as Float32Array;
    expect(out?.dims).toEqual([n, 10]);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (ref[i] as number)) / Math.max(1, Math.abs(ref[i] as number)));
    expect(worst).toBeLessThan(1e-4);
    const argmax = (a: Float32Array, i: number) => [...a.slice(i * 10, i * 10 + 10)].reduce((b, v, k, arr) => (v > (arr[b] as number) ? k : b), 0);
    let agree = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      if (argmax(got, i) === argmax(ref, i)) agree++;
      if (argmax(got, i) === test.labels[i]) correct++;
    }
    expect(agree).toBe(n);
    // Real weights and the right preprocessing: far above chance (10 %) on held-out images.
    expect(correct / n).toBeGreaterThan(0.6);
    await session.release();
    expect(problems).toEqual([]);
  }, 300_000);
});
