/**
 * The workers panel and the experiment pages on PostgreSQL, in headless Chromium, through the real
 * path: a throw-away PostgreSQL schema, `nas ui --db postgres://…` and `nas worker` as their own
 * processes, and `nas search --local-slots 0` handing every candidate to the worker. The panel shows
 * the empty state with the start command, then the worker (idle, heartbeat age advancing, results
 * counted, refusing a job for other code and saying why), a worker holding a claimed job (busy,
 * linked to its experiment step), a killed one going stale and a stopped one gone; the experiment
 * pages show the same as `nas ui` on an SQLite file filled by the same search, whose workers panel
 * says workers need PostgreSQL.
 * Screenshots go to test-artifacts/ui/workers-*.png.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgQueue } from '../../cluster/queue.ts';
import { registerWorker, stopWorker } from '../../cluster/workers.ts';
import { PgStorage } from '../../storage/pg.ts';
import { CHROMIUM, HAVE_CHROMIUM, launch, collectPageProblems } from '../../testkit/browser.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';
import { nas, until, type Child } from '../../testkit/spawn.ts';
import { runCli } from '../cli/run.ts';
import { SMALL_EXPERIMENT } from '../cli/small-experiment.ts';
import { startUiProcess, type UiProcess } from './real-search.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');
const skip = !HAVE_CHROMIUM ? `no Chromium at ${CHROMIUM}` : !PG_URL ? PG_SKIP : '';

describe.skipIf(skip !== '')(`workers panel and pages on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let url: string;
  let dir: string;
  let store: PgStorage;
  let queue: PgQueue;
  let ui: UiProcess;
  let worker: Child;
  let browser: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  const problems: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `workers-${name}.png`), fullPage: true });
  const open = async (base: string, hash: string) => {
    await page.goto(`${base}${hash}`);
    await until(async () => (await page.locator('body').getAttribute('data-ready')) === hash, 30_000, `${hash} to render`);
  };
  const row = (id: string) => page.locator(`#workers tr[data-worker="${id}"]`);
  const realRow = () => page.locator('#workers tr[data-worker]:not([data-worker^="lab-7"])');
  const age = async () => Number(await realRow().locator('td.age').getAttribute('data-ms'));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'nas-ui-workers-'));
    url = freshPgUrl('uiw');
    store = await PgStorage.open(url);
    ui = await startUiProcess(url);
    browser = await launch();
    page = await browser.context.newPage();
    collectPageProblems(page, problems);
  }, 120_000);
  afterAll(async () => {
    worker?.proc.kill('SIGKILL');
    await browser?.close();
    await ui?.stop();
    await store?.close();
    if (url) await dropPgSchema(url);
  });

  it('says how to start a worker, then shows it live with its heartbeat ageing', async () => {
    await open(ui.url, '#/workers');
    const empty = page.locator('#workers-empty');
    await expect.poll(() => empty.innerText()).toMatch(/No worker has registered[\s\S]*nas worker --db postgres:\/\//);
    await shot('01-empty');

    worker = nas(['--backend', 'cpu', 'worker', '--db', url, '--kinds', 'eval,map', '--concurrency', '2', '--poll-ms', '50', '--lease-ms', '60000', '--idle-exit', '600']);
    await until(async () => (await realRow().count()) === 1, 90_000, 'the worker on the panel');
    queue = await PgQueue.open(store);
    const tr = realRow();
    expect(await tr.getAttribute('data-activity')).toBe('idle');
    const text = await tr.innerText();
    expect(text).toMatch(new RegExp(`\\b${worker.proc.pid}\\b`));
    expect(text).toMatch(/eval, map/);
    expect(text).toMatch(/\bcpu\b/);
    expect(text).toMatch(/s ago/);
    // Between polls the age counts on; a poll brings the server's figure (a heartbeat may reset it).
    await until(async () => {
      const a = await age();
      await new Promise((r) => setTimeout(r, 1000));
      return (await age()) >= a + 800;
    }, 20_000, 'the heartbeat age to advance');
    expect(await age()).toBeLessThan(15_000);
    // The slots and the checkpoint hash it offers are the shipped supernet's (64 hex digits, shortened).
    expect(await tr.locator('td').nth(4).innerText()).toBe('2');
    expect(await tr.locator('td').nth(11).locator('code').getAttribute('title')).toMatch(/^[0-9a-f]{64}$/);
    await shot('02-idle');
  }, 150_000);

  it('counts the jobs of a search evaluated on the worker, and shows a busy worker’s current job', async () => {
    const file = join(dir, 'small.json');
    writeFileSync(file, JSON.stringify(SMALL_EXPERIMENT));
    const search = nas(['--backend', 'cpu', 'search', '--config', file, '--db', url, '--name', 'small', '--local-slots', '0']);
    const exit = await search.exited;
    expect(search.stderr()).not.toMatch(/error/i);
    expect(exit.code).toBe(0);
    const budget = SMALL_EXPERIMENT.budget;
    await until(async () => (await realRow().locator('td[data-count="done"]').innerText()) === String(budget), 10_000, 'the done count');
    expect(await realRow().locator('td[data-count="failed"]').innerText()).toBe('0');
    const depth = page.locator('#queue-depth tr[data-kind="eval"]');
    expect(await depth.locator('td[data-state="done"]').innerText()).toBe(String(budget));
    expect(await depth.locator('td[data-state="queued"]').innerText()).toBe('0');

    // A worker on another machine holding a claimed job (a real claim on the real queue).
    const caps = { kinds: ['eval' as const], codeVersion: 'other-1', checkpoints: [], device: null };
    await registerWorker(queue, { id: 'lab-7:4242:1', host: 'lab-7', pid: 4242, backend: 'wasm', concurrency: 1, ...caps });
    await queue.enqueue([{ key: 'eval/1/99/3', kind: 'eval', experimentId: 1, step: 99, index: 3, payload: { x: [] }, codeVersion: 'other-1' }]);
    expect(await queue.claim('lab-7:4242:1', caps, 1, 60_000)).toHaveLength(1);
    await until(async () => (await row('lab-7:4242:1').count()) === 1 && (await row('lab-7:4242:1').getAttribute('data-activity')) === 'busy', 10_000, 'the busy worker');
    const job = row('lab-7:4242:1').locator('td[data-jobs="1"] a');
    expect(await job.innerText()).toBe('small · step 99 · #3');
    expect(await job.getAttribute('href')).toBe('#/experiments/1');
    expect(await row('lab-7:4242:1').innerText()).toMatch(/≠ server/);
    expect(await realRow().innerText()).not.toMatch(/≠ server/);
    expect(await page.locator('#queue-depth tr[data-kind="eval"] td[data-state="running"]').innerText()).toBe('1');
    // A job for code this worker does not run stays queued; the worker refuses it and says why.
    await queue.enqueue([{ key: 'eval/1/99/4', kind: 'eval', experimentId: 1, step: 99, index: 4, payload: { x: [] }, codeVersion: 'other-2' }]);
    const id = await realRow().getAttribute('data-worker');
    const note = page.locator(`#workers tr.note[data-note-of="${id}"]`);
    await until(async () => (await note.count()) === 1 && /other-2/.test(await note.innerText()), 30_000, 'the refusal note');
    expect(await note.innerText()).toMatch(/^note: refusing \d+ queued eval job\(s\): they need code version other-2/);
    expect(Number(await realRow().locator('td[data-count="refused"]').innerText())).toBeGreaterThan(0);
    expect(await page.locator('#queue-depth tr[data-kind="eval"] td[data-state="queued"]').innerText()).toBe('1');
    await shot('03-busy');
  }, 180_000);

  it('shows the experiment pages on PostgreSQL as on SQLite', async () => {
    const file = join(dir, 'small.json');
    const sqlite = join(dir, 'nas.db');
    const local = await runCli('--backend', 'cpu', 'search', '--config', file, '--db', sqlite, '--name', 'small');
    expect(local.code).toBe(0);
    const lite = await startUiProcess(sqlite);
    try {
      const seen: Record<string, string[]> = {};
      for (const [name, base] of [['pg', ui.url], ['sqlite', lite.url]] as const) {
        const out: string[] = [];
        await open(base, '#/');
        out.push(await page.locator('table.experiments tbody').innerText().then((t) => t.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')));
        if (name === 'pg') await shot('04-pg-experiments');
        await open(base, '#/experiments/1');
        await until(async () => Boolean(await page.locator('#scatter').getAttribute('data-front')) && Boolean(await page.locator('#trials').getAttribute('data-total')), 30_000, 'scatter and table');
        out.push(`front ${await page.locator('#scatter').getAttribute('data-front')}`, `total ${await page.locator('#trials').getAttribute('data-total')}`);
        out.push(await page.locator('#trials table').innerText());
        if (name === 'pg') await shot('05-pg-experiment');
        const firstOnFront = (await page.locator('#scatter').getAttribute('data-front'))!.split(',')[0]!;
        await open(base, `#/trials/${firstOnFront}`);
        await until(async () => (await page.locator('#breakdown').getAttribute('data-ready')) !== null, 60_000, 'the breakdown');
        expect(await page.locator('#breakdown').getAttribute('data-ready')).toBe('true');
        out.push(await page.locator('#trial-title').innerText(), await page.locator('#breakdown table').first().innerText());
        if (name === 'pg') await shot('06-pg-trial');
        seen[name] = out;
      }
      expect(seen.pg![3]!.split('\n').length).toBeGreaterThan(SMALL_EXPERIMENT.budget);
      expect(seen.pg).toEqual(seen.sqlite);

      await open(lite.url, '#/workers');
      expect(await page.locator('#workers-empty').innerText()).toMatch(/Workers need a PostgreSQL store[\s\S]*nas worker --db postgres:\/\//);
      await shot('07-sqlite');
    } finally {
      await lite.stop();
    }
  }, 240_000);

  it('marks a killed worker stale and a stopped one gone', async () => {
    await open(ui.url, '#/workers');
    const id = await realRow().getAttribute('data-worker');
    worker.proc.kill('SIGKILL');
    await worker.exited;
    await stopWorker(queue, 'lab-7:4242:1');
    await until(async () => (await row('lab-7:4242:1').getAttribute('data-activity')) === 'gone', 10_000, 'the gone worker');
    await until(async () => (await row(id!).getAttribute('data-activity')) === 'stale', 30_000, 'the stale worker');
    expect(Number(await row(id!).locator('td.age').getAttribute('data-ms'))).toBeGreaterThan(15_000);
    expect(await row('lab-7:4242:1').innerText()).toMatch(/last .* ago/);
    await shot('08-stale-gone');
    expect(problems).toEqual([]);
  }, 60_000);
});
