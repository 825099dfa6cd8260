/**
 * The user's flow through the real CLI: `nas worker` processes on a PostgreSQL store, a `nas search`
 * coordinating them, `nas workers ls`. The trials equal a local SQLite run's; a worker with a stale
 * code version refuses every job and says why. (Cost objectives keep it cheap; supernet scoring
 * through workers is covered in determinism.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listWorkers } from '../../cluster/workers.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { allTrials } from '../../platform/front.ts';
import { openStore } from '../../storage/open-store.ts';
import { PgStorage } from '../../storage/pg.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL } from '../../testkit/pg-test.ts';
import { runCli } from '../cli/run.ts';
import { CHEAP } from './fixture.ts';
import { nas, until } from '../../testkit/spawn.ts';

async function trials(db: string) {
  const s = await openStore(db, { mode: 'read' });
  try {
    const exp = (await s.listExperiments())[0]!;
    return (await allTrials(s, exp.id)).map((t) => ({ number: t.number, key: t.key, state: t.state, metrics: t.metrics }));
  } finally {
    await s.close();
  }
}

describe.skipIf(!PG_URL)(PG_URL ? 'nas worker + nas search on PostgreSQL' : `nas worker (skipped: ${PG_SKIP})`, () => {
  it('two workers evaluate a search: same trials as SQLite; a stale worker refuses and logs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-cluster-cli-'));
    const file = join(dir, 'exp.yaml');
    writeFileSync(file, JSON.stringify({ ...CHEAP, budget: 12, batch: 4 }));
    const url = freshPgUrl('cli');
    const args = ['--backend', 'cpu', 'worker', '--db', url, '--kinds', 'eval', '--poll-ms', '50', '--idle-exit', '300'];
    // the store exists before the workers start (the first writer creates it)
    await (await PgStorage.open(url)).close();
    const workers = [nas(args), nas(args)];
    const stale = nas(args, { NAS_CODE_VERSION: 'stale-0' });
    const store = await PgStorage.open(url);
    const queue = await PgQueue.open(store);
    try {
      await until(async () => (await listWorkers(queue)).filter((w) => w.state === 'live').length === 3, 90_000, 'three live workers');
      const r = await runCli('--backend', 'cpu', 'search', '--config', file, '--db', url, '--name', 'dist', '--local-slots', '0');
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      const local = await runCli('--backend', 'cpu', 'search', '--config', file, '--db', join(dir, 'local.db'), '--name', 'dist');
      expect(local.code).toBe(0);
      expect(await trials(url)).toEqual(await trials(join(dir, 'local.db')));

      const ls = await runCli('workers', 'ls', '--db', url, '--json');
      const rows = JSON.parse(ls.stdout) as { codeVersion: string; done: number; refused: number; note: string | null; state: string; heartbeatAgeMs: number }[];
      const good = rows.filter((w) => w.codeVersion !== 'stale-0');
      const bad = rows.find((w) => w.codeVersion === 'stale-0')!;
      expect(good.reduce((n, w) => n + w.done, 0)).toBe(12);
      expect(bad.done).toBe(0);
      expect(bad.refused).toBeGreaterThan(0);
      expect(bad.note).toMatch(/refusing \d+ queued eval job\(s\): they need code version .+, this worker runs stale-0/);
      expect(stale.stderr()).toMatch(/refusing \d+ queued eval job\(s\)/);
      const text = await runCli('workers', 'ls', '--db', url);
      expect(text.stdout).toMatch(/WORKER\s+STATE\s+KINDS/);
      expect(text.stdout).toMatch(/live\s+eval/);
    } finally {
      for (const w of [...workers, stale]) w.proc.kill('SIGTERM');
      const exits = await Promise.all([...workers, stale].map((w) => w.exited));
      expect(exits.map((e) => e.code)).toEqual([0, 0, 0]);
      expect(workers[0]!.stdout()).toMatch(/job\(s\) done/);
      await store.close();
      await dropPgSchema(url);
    }
  }, 300_000);
});
