/**
 * A throw-away PostgreSQL server for tests, drills and benchmarks: `initdb` into a temp directory,
 * `pg_ctl start` on a free loopback port (trust authentication, no TCP outside 127.0.0.1, the
 * socket in the data directory), `stop()` removes it all. PostgreSQL refuses to run as root, so
 * as root the binaries run as the `postgres` user (runuser); as anyone else, as that user.
 *
 * Binaries: $NAS_PG_BIN, else /usr/lib/postgresql/<newest>/bin, else `initdb` on PATH. When none is
 * found (a user's machine without PostgreSQL), `startPgServer` throws PgUnavailable with the reason.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class PgUnavailable extends Error {}

export interface PgServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** pg_ctl stop -m fast (connections are terminated), then start on the same port: a server restart. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server (fast) and removes its directory; idempotent. */
  stop(): Promise<void>;
}

function binDir(): string {
  const env = process.env.NAS_PG_BIN;
  if (env) {
    if (!existsSync(join(env, 'initdb'))) throw new PgUnavailable(`NAS_PG_BIN=${env} has no initdb`);
    return env;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'initdb'))) return dir;
  throw new PgUnavailable('no PostgreSQL server binaries (initdb) found: install postgresql, or set NAS_PG_BIN');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as a non-root user (root: as `postgres` through runuser). */
function asServerUser(bin: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const opts = { env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, timeout: 60_000 };
  if (userInfo().uid !== 0) return run(bin, args, opts);
  return run('runuser', ['-u', 'postgres', '--', bin, ...args], opts);
}

function serverUid(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new PgUnavailable('running as root and there is no `postgres` user to run the server as');
  }
}

export async function startPgServer(): Promise<PgServer> {
  const bin = binDir();
  const owner = serverUid();
  const dir = mkdtempSync(join(tmpdir(), 'nas-pg-'));
  const data = join(dir, 'data');
  if (owner) {
    chmodSync(dir, 0o755);
    chownSync(dir, owner.uid, owner.gid);
  }
  try {
    await asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new PgUnavailable(`initdb failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
  // Small and fast: a test server, not a durable one (fsync off), loopback only.
  writeFileSync(join(data, 'postgresql.auto.conf'), [
    "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${data}'`, 'fsync = off', 'synchronous_commit = off',
    'full_page_writes = off', 'max_connections = 200', 'shared_buffers = 32MB', "log_min_messages = warning",
  ].join('\n') + '\n');
  if (owner) chownSync(join(data, 'postgresql.auto.conf'), owner.uid, owner.gid);
  const port = await freePort();
  const log = join(dir, 'server.log');
  if (owner) {
    writeFileSync(log, '');
    chownSync(log, owner.uid, owner.gid);
  }
  const start = () => asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', '-o', `-p ${port}`, 'start']);
  const stopServer = () => asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  try {
    await start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new PgUnavailable(`pg_ctl start failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir: data,
    async restart(options = {}) {
      await stopServer();
      if (options.downMs) await new Promise((r) => setTimeout(r, options.downMs));
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopServer().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
