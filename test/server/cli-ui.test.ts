import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi } from '../../cli/commands/ui.ts';
import { StorageError, UsageError } from '../../core/errors.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { isLoopback } from '../../server/security.ts';
import { fillExperiment } from '../../testkit/fixtures.ts';

describe('nas ui (startUi)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nas-cli-ui-'));
  const db = join(dir, 'nas.db');
  beforeAll(async () => {
    const w = await SqliteStorage.open(db);
    await fillExperiment(w, { name: 'cli', trials: 20 });
    await w.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the database read-only on loopback without a token', async () => {
    const ui = await startUi({ port: '0', host: '127.0.0.1', db }, {});
    try {
      expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const list = (await (await fetch(`${ui.url}api/experiments`)).json()) as { name: string }[];
      expect(list.map((e) => e.name)).toEqual(['cli']);
    } finally {
      await ui.close();
    }
  });

  it('refuses a non-loopback host without a token and checks it when given (flag or env)', async () => {
    await expect(startUi({ port: '0', host: '0.0.0.0', db }, {})).rejects.toBeInstanceOf(UsageError);
    const ui = await startUi({ port: '0', host: '0.0.0.0', db }, { NAS_UI_TOKEN: 'env-token-4567' });
    try {
      const port = new URL(ui.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/api/experiments`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/experiments`, { headers: { authorization: 'Bearer env-token-4567' } })).status).toBe(200);
    } finally {
      await ui.close();
    }
  });

  it('names bad flags and missing databases', async () => {
    await expect(startUi({ port: '70000', host: '127.0.0.1', db }, {})).rejects.toThrow(/--port/);
    await expect(startUi({ port: '0', host: '127.0.0.1', db: join(dir, 'missing.db') }, {})).rejects.toBeInstanceOf(StorageError);
    await expect(startUi({ port: '0', host: '127.0.0.1', db, token: 'short' }, {})).rejects.toThrow(/--token/);
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.2', '::', 'example.com']) expect(isLoopback(h), h).toBe(false);
  });
});
