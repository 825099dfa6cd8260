/**
 * Issue 18.2 from a real browser: headless Chromium loads a page from another origin (another loopback
 * port) that tries to read the API and to trigger an export — by fetch, by a `no-cors` text/plain
 * POST, by a JSON POST (preflighted) and by a form — and visits the server under a DNS name mapped to
 * 127.0.0.1 (DNS rebinding). Nothing may be read or written. Skips (saying why) without Chromium.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi, type RunningUi } from '../../cli/commands/ui.ts';
import { CHROMIUM, HAVE_CHROMIUM, launch } from '../../testkit/browser.ts';
import { runCli } from '../cli/run.ts';
import { TINY_EXPERIMENT } from '../fixtures/tiny-experiment.ts';

if (!HAVE_CHROMIUM) console.warn(`test/ui/cross-origin: skipped — no Chromium at ${CHROMIUM} (apt-get install chromium, or set NAS_CHROMIUM)`);

/** The attacker's page: every attempt records what it got back in window.results. */
const attackerPage = (target: string, trialId: number) => `<!doctype html><html><body>
<form id="f" method="POST" enctype="text/plain" action="${target}api/trials/${trialId}/export" target="sink"><input name='{"formats":["json"],"x":"' value='"}'></form>
<iframe name="sink"></iframe>
<script>
window.results = {};
const note = (k, p) => p.then((v) => (window.results[k] = v), (e) => (window.results[k] = 'blocked: ' + e.name));
note('read', fetch('${target}api/experiments').then((r) => r.text()));
note('noCorsPost', fetch('${target}api/trials/${trialId}/export', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"formats":["json"]}' }).then((r) => 'opaque ' + r.type));
note('jsonPost', fetch('${target}api/trials/${trialId}/export', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"formats":["json"]}' }).then((r) => r.status));
document.getElementById('f').submit();
window.results.form = 'submitted';
</script></body></html>`;

describe.skipIf(!HAVE_CHROMIUM)('a page on another origin, in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-xorigin-'));
  const db = join(dir, 'nas.db');
  let ui: RunningUi;
  let attacker: Server;
  let browser: Awaited<ReturnType<typeof launch>>;
  let trialId: number;
  const seen: string[] = [];

  beforeAll(async () => {
    const config = join(dir, 'exp.json');
    writeFileSync(config, JSON.stringify(TINY_EXPERIMENT));
    expect((await runCli('search', '--config', config, '--db', db, '--name', 'victim', '--json')).code).toBe(0);
    ui = await startUi({ port: '0', host: '127.0.0.1', db });
    // Record what reaches the server (method, path, status) to show the refusals happened there.
    ui.server.prependListener('request', (req, res) => res.on('finish', () => seen.push(`${req.method} ${req.url} ${res.statusCode}`)));
    const trials = (await (await fetch(`${ui.url}api/experiments/1/trials?state=finished&limit=1`)).json()) as { items: { id: number }[] };
    trialId = trials.items[0]!.id;
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage(ui.url, trialId)));
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
    browser = await launch([`--host-resolver-rules=MAP rebind.test 127.0.0.1`]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    await new Promise((r) => attacker?.close(r));
  });

  it('cannot read the API nor trigger an export', async () => {
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => {
      const r = (globalThis as unknown as { results: Record<string, unknown> }).results;
      return r && 'read' in r && 'noCorsPost' in r && 'jsonPost' in r;
    });
    await page.waitForTimeout(500); // the form's navigation lands in the iframe
    const results = await page.evaluate(() => (globalThis as unknown as { results: Record<string, unknown> }).results);
    expect(results.read).toBe('blocked: TypeError'); // no CORS headers: the data never reaches the page
    expect(results.jsonPost).toBe('blocked: TypeError'); // the preflight is not granted
    // sent (the response is opaque, or withheld by Cross-Origin-Resource-Policy), but…
    expect(results.noCorsPost).toMatch(/^(opaque opaque|blocked: TypeError)$/);
    const posts = seen.filter((s) => s.startsWith('POST'));
    expect(posts.length).toBeGreaterThanOrEqual(2); // the no-cors fetch and the form reached the server…
    for (const p of posts) expect(p).toMatch(/ 403$/); // …and were refused there
    expect(existsSync(join(dir, 'exports'))).toBe(false);
  });

  it('cannot read it through a DNS name re-bound to 127.0.0.1', async () => {
    const page = await browser.context.newPage();
    const port = new URL(ui.url).port;
    for (const path of ['', 'api/experiments', 'api/info']) {
      const res = await page.goto(`http://rebind.test:${port}/${path}`);
      expect(res?.status(), path).toBe(403);
      expect(await page.content()).not.toContain('victim');
    }
    // The real name still works from the same browser.
    const ok = await page.goto(`${ui.url}api/experiments`);
    expect(ok?.status()).toBe(200);
    expect(await page.content()).toContain('victim');
  });
});
