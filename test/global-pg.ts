/**
 * Vitest global setup: one throw-away PostgreSQL server for the whole run (testkit/pg-server.ts),
 * its URL handed to the test forks and their child processes as NAS_TEST_PG_URL. Tests that need
 * it isolate themselves in a schema of their own (testkit/pg-test.ts) and skip with the reason in
 * NAS_TEST_PG_SKIP where no server could be started. An existing server can be used instead by
 * setting NAS_TEST_PG_URL before the run (it must allow CREATE SCHEMA).
 */
import { startPgServer, type PgServer } from '../testkit/pg-server.ts';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.NAS_TEST_PG_URL) return async () => {};
  let server: PgServer | null = null;
  try {
    server = await startPgServer();
    process.env.NAS_TEST_PG_URL = server.url;
  } catch (e) {
    process.env.NAS_TEST_PG_SKIP = `no PostgreSQL server could be started: ${(e as Error).message.split('\n')[0]}`;
  }
  return async () => {
    delete process.env.NAS_TEST_PG_URL;
    await server?.stop();
  };
}
