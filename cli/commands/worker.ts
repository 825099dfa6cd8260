/**
 * `nas worker --db postgres://…` evaluates jobs from the work queue until stopped (Ctrl-C / SIGTERM
 * finish the jobs in hand first); `nas workers ls` shows every worker's host, kinds, current jobs and
 * heartbeat age. A worker needs only the database URL and, for supernet scoring, the checkpoint
 * directory (--checkpoint; default the one shipped in models/): experiments, LUT rows and results
 * travel through the database.
 */
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { initTf } from '../../runtime/tf.ts';
import { checkpointMap } from '../../cluster/checkpoints.ts';
import { codeVersion } from '../../cluster/code-version.ts';
import { JOB_KINDS, PgQueue, type JobKind } from '../../cluster/queue.ts';
import { runWorker } from '../../cluster/worker.ts';
import { listWorkers } from '../../cluster/workers.ts';
import { isPgUrl, openStore } from '../../storage/open-store.ts';
import { PgStorage } from '../../storage/pg.ts';
import { formatTable, globalOptions, intArg, printJson, withDb, withJson } from '../context.ts';

interface WorkerOpts {
  readonly db: string;
  readonly kinds: string;
  readonly concurrency: number;
  readonly checkpoint: string[];
  readonly device?: string;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly idleExit?: number;
}

function parseKinds(raw: string): JobKind[] {
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) if (!(JOB_KINDS as readonly string[]).includes(k)) throw new ConfigError('--kinds', raw, `unknown job kind ${JSON.stringify(k)}; kinds: ${JOB_KINDS.join(', ')}`);
  if (kinds.length === 0) throw new ConfigError('--kinds', raw, `give at least one of ${JOB_KINDS.join(', ')}`);
  return kinds as JobKind[];
}

async function openQueue(db: string, readonly: boolean): Promise<{ storage: PgStorage; queue: PgQueue }> {
  if (!isPgUrl(db)) throw new UsageError(`workers share a PostgreSQL database: --db must be postgres://user@host:port/database (got ${db}); an SQLite file is one machine's`, { db });
  const storage = (await openStore(db, { mode: readonly ? 'read' : 'create' })) as PgStorage;
  try {
    return { storage, queue: await PgQueue.open(storage) };
  } catch (e) {
    await storage.close();
    throw e;
  }
}

const stamp = () => new Date().toISOString().slice(11, 19);

export function registerWorker(program: Command): void {
  withDb(program.command('worker'))
    .description('evaluate jobs from the PostgreSQL work queue (candidate evaluation, LUT timing, layer mapping)')
    .option('--kinds <list>', `job kinds to take: ${JOB_KINDS.join(',')}`, 'eval,lut,map')
    .option('--concurrency <n>', 'jobs claimed and run together (eval jobs of one experiment share the supernet worker pool)', intArg('--concurrency', 1), 1)
    .option('--checkpoint <dir>', 'supernet checkpoint directory (repeatable; default the shipped one); jobs needing another weights hash are refused', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--device <label>', 'device label: LUT jobs pinned to this label are timed here')
    .option('--lease-ms <n>', 'lease per claimed job, renewed by the heartbeat every third of it', intArg('--lease-ms', 300), 30_000)
    .option('--poll-ms <n>', 'idle poll interval (a NOTIFY wakes the worker sooner)', intArg('--poll-ms', 10), 1000)
    .option('--idle-exit <seconds>', 'exit after this long without a job (default: run until stopped)', intArg('--idle-exit', 0))
    .addHelpText('after', '\nExamples:\n  nas worker --db postgres://nas@db-host/nas\n  nas worker --db postgres://nas@db-host/nas --kinds lut --device pi4')
    .action(async (opts: WorkerOpts, cmd: Command) => {
      const kinds = parseKinds(opts.kinds);
      const checkpoints = checkpointMap(opts.checkpoint);
      if (opts.device !== undefined && !/^[\w.:-]{1,64}$/.test(opts.device)) throw new ConfigError('--device', opts.device, 'must be 1-64 letters, digits, . _ : -');
      await initTf(globalOptions(cmd).backend);
      const { storage, queue } = await openQueue(opts.db, false);
      const ctl = new AbortController();
      const stop = () => {
        if (ctl.signal.aborted) process.exit(130);
        process.stderr.write(`\n${stamp()} nas worker: stopping after the jobs in hand (again to quit now)\n`);
        ctl.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        const r = await runWorker({
          storage, queue, kinds, concurrency: opts.concurrency, codeVersion: codeVersion(), checkpoints, device: opts.device ?? null,
          leaseMs: opts.leaseMs, pollMs: opts.pollMs, signal: ctl.signal, ...(opts.idleExit !== undefined ? { idleExitMs: opts.idleExit * 1000 } : {}),
          log: (line) => process.stderr.write(`${stamp()} nas worker: ${line}\n`),
          onJob: (j, written) => process.stderr.write(`${stamp()} nas worker: ${j.key} ${written ? 'done' : 'dropped (already written)'}\n`),
        });
        process.stdout.write(`worker ${r.id}: ${r.done} job(s) done, ${r.ignored} late result(s) dropped, ${r.released} handed back\n`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await storage.close();
      }
    });

  const group = program.command('workers').description('workers of a PostgreSQL work queue');
  withJson(withDb(group.command('ls').description('every worker: host, kinds, current jobs, heartbeat age'))).action(async (opts: { db: string; json?: boolean }) => {
    const { storage, queue } = await openQueue(opts.db, true);
    try {
      const rows = await listWorkers(queue);
      if (opts.json) return printJson(rows);
      if (rows.length === 0) {
        process.stdout.write(`no workers registered in ${storage.location} (start one: nas worker --db URL)\n`);
        return;
      }
      process.stdout.write(`${formatTable(rows, [
        { header: 'WORKER', get: (w) => w.id },
        { header: 'STATE', get: (w) => w.state },
        { header: 'KINDS', get: (w) => w.kinds.join(',') },
        { header: 'DEVICE', get: (w) => w.device },
        { header: 'CURRENT JOB', get: (w) => w.currentJobs.join(' ') || '-' },
        { header: 'HEARTBEAT', get: (w) => `${(w.heartbeatAgeMs / 1000).toFixed(1)} s ago`, align: 'right' },
        { header: 'DONE', get: (w) => w.done, align: 'right' },
        { header: 'FAILED', get: (w) => w.failed, align: 'right' },
        { header: 'REFUSED', get: (w) => w.refused, align: 'right' },
        { header: 'CODE', get: (w) => w.codeVersion },
        { header: 'NOTE', get: (w) => w.note },
      ])}\n`);
    } finally {
      await storage.close();
    }
  });
}
