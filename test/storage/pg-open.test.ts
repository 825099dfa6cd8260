/**
 * PostgreSQL-only behaviour: refusing schemas it must not touch, forward migration, read-only
 * opens, many writers at once (dense trial numbers, event ids committed in order), LISTEN/NOTIFY,
 * and reconnecting after a server restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaVersionError, StorageError } from '../../core/errors.ts';
import { PgStorage } from '../../storage/pg.ts';
import { parsePgUrl } from '../../storage/pg-db.ts';
import { inspectStore } from '../../storage/open-store.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';
import { PG_META, PG_MIGRATIONS } from '../../storage/pg-schema.ts';
import { startPgServer, type PgServer } from '../../testkit/pg-server.ts';
import { dropPgSchema, freshPgUrl, PG_SKIP, PG_URL, pgQuery } from '../../testkit/pg-test.ts';
import { experiment, rejects, trial } from '../conformance/storage-helpers.ts';

const schemaOf = (url: string) => new URL(url).searchParams.get('schema')!;

describe.skipIf(!PG_URL)(PG_URL ? 'PgStorage on a server' : `PgStorage (skipped: ${PG_SKIP})`, () => {
  it('location names the server, database and schema without the password', () => {
    const t = parsePgUrl('postgres://nas:s3cret@db.example:5433/lab?schema=team_a&sslmode=disable');
    expect(t.location).not.toContain('s3cret');
    expect(t.location).toContain('db.example:5433/lab');
    expect(t.schema).toBe('team_a');
    expect(t.connectionString).not.toContain('schema=');
    expect(() => parsePgUrl('postgres://h/db?schema=Bad-Name')).toThrow(StorageError);
  });

  it('creates the schema, records version and marker, and reopens with the data', async () => {
    const url = freshPgUrl('open');
    const s = await PgStorage.open(url);
    const e = await s.createExperiment(experiment('keep'));
    await s.close();
    const meta = await pgQuery<{ key: string; value: string }>(`SELECT key, value FROM ${schemaOf(url)}.nas_meta ORDER BY key`);
    expect(meta).toEqual([{ key: 'application', value: 'nas-codesign' }, { key: 'schema_version', value: String(SCHEMA_VERSION) }]);
    const again = await PgStorage.open(url);
    expect(await again.getExperiment(e.id)).toEqual(e);
    await again.close();
    await dropPgSchema(url);
  });

  it("refuses another program's tables, a newer schema, and read-only opens of missing or old schemas — touching nothing", async () => {
    const foreign = freshPgUrl('foreign');
    await pgQuery(`CREATE SCHEMA ${schemaOf(foreign)}; CREATE TABLE ${schemaOf(foreign)}.orders (id int)`);
    const e1 = await rejects(() => PgStorage.open(foreign), StorageError);
    expect(e1.message).toMatch(/not a nas-codesign database/);
    expect((await pgQuery(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = '${schemaOf(foreign)}'`))[0]!.n).toBe(1);

    const newer = freshPgUrl('newer');
    await (await PgStorage.open(newer)).close();
    await pgQuery(`UPDATE ${schemaOf(newer)}.nas_meta SET value = '${SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    const e2 = await rejects(() => PgStorage.open(newer), SchemaVersionError);
    expect(e2.found).toBe(SCHEMA_VERSION + 1);

    const missing = freshPgUrl('missing');
    await rejects(() => PgStorage.open(missing, { readonly: true }), StorageError);
    expect((await pgQuery(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = '${schemaOf(missing)}'`))[0]!.n).toBe(0);

    // a genuine version-1 schema, as the first release created it, with a run left running
    const old = freshPgUrl('old');
    const s = schemaOf(old);
    await pgQuery(`CREATE SCHEMA ${s}; SET search_path TO ${s}; ${PG_META} ${PG_MIGRATIONS[0]!.sql} UPDATE nas_meta SET value = '1' WHERE key = 'schema_version';
      INSERT INTO experiments (name, config, seed, space, status, created_at, updated_at) VALUES ('v1', '{}', 1, 'mbconv', 'running', 't0', 't0');
      INSERT INTO trials (experiment_id, number, state, arch, created_at) VALUES (1, 1, 'running', '{}', 't0');`);
    const e3 = await rejects(() => PgStorage.open(old, { readonly: true }), StorageError);
    expect(e3.message).toMatch(/open it once read-write to migrate/);
    // a writer migrates forward from 1 to the current version
    const w = await PgStorage.open(old);
    expect(await w.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(await w.listLutEntries()).toEqual([]);
    // v3: the run's trial can end interrupted, and a resume takes it over
    expect((await w.endRun(1, 'stopped')).interrupted).toBe(1);
    expect((await w.beginRun(1)).orphans.map((t) => t.state)).toEqual(['running']);
    await w.close();
    for (const u of [foreign, newer, old]) await dropPgSchema(u);
  });

  it('nas doctor’s look (inspectStore) reports a missing, a current and an old schema without writing', async () => {
    const url = freshPgUrl('doctor');
    expect(await inspectStore(url)).toMatchObject({ exists: false, schemaVersion: null, problem: null, note: expect.stringMatching(/no nas-codesign tables yet/) });
    expect((await pgQuery(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = '${schemaOf(url)}'`))[0]!.n).toBe(0);
    await (await PgStorage.open(url)).close();
    expect(await inspectStore(url)).toMatchObject({ exists: true, schemaVersion: SCHEMA_VERSION, problem: null, note: null });
    await pgQuery(`UPDATE ${schemaOf(url)}.nas_meta SET value = '1' WHERE key = 'schema_version'`);
    expect((await inspectStore(url)).note).toMatch(/will be migrated from version 1/);
    expect((await inspectStore('postgres://postgres@127.0.0.1:1/none')).problem).toMatch(/cannot reach the PostgreSQL server/);
    await dropPgSchema(url);
  });

  it('a read-only store reads and refuses every write; so does the session itself', async () => {
    const url = freshPgUrl('ro');
    const w = await PgStorage.open(url);
    const e = await w.createExperiment(experiment('ro'));
    await w.close();
    const r = await PgStorage.open(url, { readonly: true });
    expect((await r.getExperiment(e.id)).name).toBe('ro');
    await rejects(() => r.createExperiment(experiment('no')), StorageError);
    await expect(r.driver.read((tx) => tx.run("UPDATE experiments SET status = 'failed'"))).rejects.toThrow(/read-only/);
    await r.close();
    await dropPgSchema(url);
  });

  it('two processes opening a fresh schema at once migrate it once', async () => {
    const url = freshPgUrl('race');
    const [a, b] = await Promise.all([PgStorage.open(url), PgStorage.open(url)]);
    expect(await a.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(await b.schemaVersion()).toBe(SCHEMA_VERSION);
    await Promise.all([a.close(), b.close()]);
    await dropPgSchema(url);
  });

  it('many writers at once: trial numbers stay dense, names unique, event ids arrive in commit order', async () => {
    const url = freshPgUrl('writers');
    const stores = await Promise.all([0, 1, 2, 3].map(() => PgStorage.open(url)));
    const exp = await stores[0]!.createExperiment(experiment('shared'));
    const dup = await Promise.allSettled(stores.map((s) => s.createExperiment(experiment('same-name'))));
    expect(dup.filter((d) => d.status === 'fulfilled')).toHaveLength(1);
    const seen: number[] = [];
    const reader = stores[0]!;
    let after = 0;
    let chain: Promise<void> = Promise.resolve();
    // one poller (polls queue behind each other) reading while the writers commit
    const poll = () => (chain = chain.then(async () => {
      for (const ev of await reader.eventsSince(after)) {
        seen.push(ev.id);
        after = ev.id;
      }
    }));
    await Promise.all(stores.map(async (s, w) => {
      for (let i = 0; i < 10; i++) {
        await s.startTrials([trial(exp.id, w * 100 + i), trial(exp.id, w * 100 + i + 50)]);
        await s.appendEvent({ experimentId: exp.id, type: 'w', payload: { w, i } });
        await poll();
      }
    }));
    await poll();
    const numbers = (await reader.listTrials({ experimentId: exp.id, sort: 'number', order: 'asc', limit: 1000 })).items.map((t) => t.number);
    expect(numbers).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    // a poller that only ever asks for ids above the last one it saw misses none
    expect(seen).toHaveLength(40);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    await Promise.all(stores.map((s) => s.close()));
    await dropPgSchema(url);
  });

  it('watchEvents: another connection’s committed event wakes the listener', async () => {
    const url = freshPgUrl('notify');
    const a = await PgStorage.open(url);
    const b = await PgStorage.open(url);
    const exp = await a.createExperiment(experiment('n'));
    const got = new Promise<number>((resolve) => void a.watchEvents(resolve));
    await new Promise((r) => setTimeout(r, 100));
    const ev = await b.appendEvent({ experimentId: exp.id, type: 'x', payload: {} });
    expect(await got).toBe(ev.id);
    await Promise.all([a.close(), b.close()]);
    await dropPgSchema(url);
  });
});

describe.skipIf(!PG_URL)('PgStorage across a server restart', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPgServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reconnects with backoff: a write issued while the server is down completes once it is back', async () => {
    const notes: string[] = [];
    const s = await PgStorage.open(server.url, { reconnectMs: 30_000, onReconnect: (m) => notes.push(m) });
    const exp = await s.createExperiment(experiment('restart'));
    const restarted = server.restart({ downMs: 1500 });
    await new Promise((r) => setTimeout(r, 300));
    // issued while the server is stopped: retried until it is back
    const t = await s.startTrial(trial(exp.id, 1));
    await restarted;
    expect(t.number).toBe(1);
    expect(await s.countTrials({ experimentId: exp.id })).toBe(1);
    expect(notes.length).toBeGreaterThanOrEqual(1);
    await s.close();
  });

  it('without a reconnect budget the lost server is a clear StorageError', async () => {
    const s = await PgStorage.open(server.url, { reconnectMs: 0 });
    await server.restart();
    // the pool's clients were cut by the restart: the first unit of work may fail once, the next works
    await s.listExperiments().catch((e: unknown) => expect(e).toBeInstanceOf(StorageError));
    expect(Array.isArray(await s.listExperiments())).toBe(true);
    const stopped = server.restart({ downMs: 1000 });
    await new Promise((r) => setTimeout(r, 300));
    const e = await rejects(() => s.listExperiments(), StorageError);
    expect(e.message).toMatch(/cannot reach the PostgreSQL server/);
    await stopped;
    await s.close();
  });
});
