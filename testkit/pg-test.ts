/**
 * PostgreSQL for tests: the server the vitest global setup started (test/global-pg.ts), or the
 * reason there is none. `freshPgUrl()` gives each test a schema of its own in that server, so
 * tests run in parallel forks without seeing each other's rows; `dropPgSchema` removes it.
 */
import pg from 'pg';
import { Rng } from '../core/rng.ts';

export const PG_URL: string | null = process.env.NAS_TEST_PG_URL ?? null;
/** Why PostgreSQL tests skip (for describe.skipIf messages). */
export const PG_SKIP: string = process.env.NAS_TEST_PG_SKIP ?? (PG_URL ? '' : 'NAS_TEST_PG_URL is not set (vitest global setup test/global-pg.ts starts a server)');

let seq = 0;
// a per-process tag (from the pid, through our Rng) keeps names from colliding across forks
const tag = `${process.pid.toString(36)}_${new Rng(process.pid).int(1e6).toString(36)}`;

export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.href;
}

/** A URL on the test server naming a schema no one uses yet (created by the first writer). */
export function freshPgUrl(label = 't'): string {
  if (!PG_URL) throw new Error(PG_SKIP);
  return withSchema(PG_URL, `${label}_${tag}_${++seq}`.toLowerCase());
}

/** Runs one statement on the test server (setup and inspection in tests). */
export async function pgQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = [], url = PG_URL): Promise<T[]> {
  if (!url) throw new Error(PG_SKIP);
  const u = new URL(url);
  u.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: u.href });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dropPgSchema(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema');
  if (schema) await pgQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
