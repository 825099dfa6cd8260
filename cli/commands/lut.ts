/**
 * `nas lut build|show`: the latency lookup table measured on this machine's active backend.
 */
import type { Command } from 'commander';
import { initTf } from '../../runtime/tf.ts';
import { createSpace } from '../../search-space/registry.ts';
import { buildLut } from '../../estimators/lut/build.ts';
import { provenanceLabel } from '../../estimators/lut/lut-estimator.ts';
import { parseStoredProvenance } from '../../estimators/lut/provenance.ts';
import { checkClock, DEFAULT_CLOCK, LATENCY_CLOCKS, type LatencyClock } from '../../estimators/lut/timing.ts';
import type { LutEntryRecord } from '../../storage/types.ts';
import { createProgress } from '../progress.ts';
import { formatTable, globalOptions, intArg, interruptSignal, printJson, withDb, withJson } from '../context.ts';
import { checkDb, openDb, withDbOpen } from '../open-db.ts';
import { isPgUrl } from '../../storage/open-store.ts';
import type { PgStorage } from '../../storage/pg.ts';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { codeVersion } from '../../cluster/code-version.ts';
import { enqueueLutJobs } from '../../cluster/lut-jobs.ts';
import { PgQueue } from '../../cluster/queue.ts';

interface BuildOpts {
  readonly db: string;
  readonly device?: string;
  readonly space: string;
  readonly batch: number;
  readonly repeats: number;
  readonly warmup: number;
  readonly seed: number;
  readonly clock: LatencyClock;
  readonly json?: boolean;
}

/** `--clock cpu|wall`, shared by `nas lut build` and `nas latency validate`. */
export function clockOption(cmd: Command): Command {
  return cmd.option(
    '--clock <clock>',
    `${LATENCY_CLOCKS.join('|')}: cpu = minimum of the process CPU time of bursts (robust on a shared machine), wall = median wall-clock time`,
    (v: string) => checkClock(v, '--clock'),
    DEFAULT_CLOCK,
  );
}

export function registerLut(program: Command): void {
  const group = program.command('lut').description('latency lookup table measured on the active backend');
  clockOption(withJson(withDb(group.command('build'))))
    .description('time every distinct block of a space (only entries missing for this provenance)')
    .option('--space <name>', 'search space', 'mbconv')
    .option('--batch <n>', 'batch size', intArg('--batch', 1), 1)
    .option('--repeats <n>', 'timed runs per entry', intArg('--repeats', 1), 10)
    .option('--warmup <n>', 'untimed runs first', intArg('--warmup', 0), 3)
    .option('--seed <n>', 'seed for the random weights and inputs', intArg('--seed', 0), 0)
    .option('--device <label>', 'PostgreSQL --db: queue the build for the machine whose `nas worker --kinds lut --device LABEL` times it, instead of timing here')
    .action(async (opts: BuildOpts, cmd: Command) => {
      if (opts.device !== undefined) return queueLut(opts);
      await checkDb(opts.db, 'create');
      await initTf(globalOptions(cmd).backend);
      const space = createSpace(opts.space);
      const storage = await openDb(opts.db, 'create');
      const progress = createProgress({ quiet: opts.json });
      const stop = interruptSignal();
      try {
        const r = await buildLut(storage, space, { ...opts, progress: progress.update, signal: stop.signal });
        progress.stop();
        if (opts.json) return printJson(r);
        process.stdout.write(
          `${r.units} units in ${opts.space}: ${r.alreadyStored} already stored, ${r.measured} measured${r.aborted ? ' (interrupted: rerun to finish)' : ''}\n` +
            `provenance ${provenanceLabel(r.provenance)}\n`,
        );
      } finally {
        stop.release();
        progress.stop();
        await storage.close();
      }
    });
  withJson(withDb(group.command('show')))
    .description('summarize stored LUT entries per provenance')
    .option('--entries', 'list every entry')
    .action(async (opts: { db: string; json?: boolean; entries?: boolean }) => {
      const rows: readonly LutEntryRecord[] = await withDbOpen(opts.db, 'read', (s) => s.listLutEntries());
      const groups = new Map<string, LutEntryRecord[]>();
      for (const r of rows) {
        const label = provenanceLabel(parseStoredProvenance(r));
        groups.set(label, [...(groups.get(label) ?? []), r]);
      }
      const summary = [...groups].map(([label, rs]) => ({
        provenance: label,
        entries: rs.length,
        totalMs: rs.reduce((s, r) => s + r.medianMs, 0),
        maxRelativeSpread: Math.max(...rs.map((r) => r.spreadMs / r.medianMs)),
        measuredFrom: rs.reduce((a, r) => (r.measuredAt < a ? r.measuredAt : a), rs[0]?.measuredAt ?? ''),
        measuredTo: rs.reduce((a, r) => (r.measuredAt > a ? r.measuredAt : a), ''),
      }));
      if (opts.json) return printJson(opts.entries ? { summary, entries: rows } : { summary });
      if (rows.length === 0) {
        process.stdout.write(`no LUT entries in ${opts.db} (run \`nas lut build\`)\n`);
        return;
      }
      process.stdout.write(
        `${formatTable(summary, [
          { header: 'PROVENANCE', get: (s) => s.provenance },
          { header: 'ENTRIES', get: (s) => s.entries, align: 'right' },
          { header: 'MAX IQR/MS', get: (s) => s.maxRelativeSpread, align: 'right' },
          { header: 'MEASURED', get: (s) => `${s.measuredFrom.slice(0, 16)} … ${s.measuredTo.slice(0, 16)}` },
        ])}\n`,
      );
      if (opts.entries) {
        process.stdout.write(
          `${formatTable(rows, [
            { header: 'KEY', get: (r) => r.key },
            // The clock's figure: median burst on the wall clock, minimum burst on the CPU clock.
            { header: 'MS', get: (r) => r.medianMs, align: 'right' },
            { header: 'IQR MS', get: (r) => r.spreadMs, align: 'right' },
            { header: 'N', get: (r) => r.count, align: 'right' },
          ])}\n`,
        );
      }
    });
}

/** `nas lut build --device LABEL`: the build as jobs for that device's workers (cluster/lut-jobs.ts). */
async function queueLut(opts: BuildOpts): Promise<void> {
  if (!isPgUrl(opts.db)) throw new UsageError(`--device queues the build for a worker on another machine: --db must be a PostgreSQL URL (got ${opts.db})`, { db: opts.db });
  if (!/^[\w.:-]{1,64}$/.test(opts.device as string)) throw new ConfigError('--device', opts.device, 'must be 1-64 letters, digits, . _ : -');
  const storage = (await openDb(opts.db, 'create')) as PgStorage;
  try {
    const queue = await PgQueue.open(storage);
    const r = await enqueueLutJobs(queue, { space: opts.space, device: opts.device as string, batch: opts.batch, repeats: opts.repeats, warmup: opts.warmup, seed: opts.seed, clock: opts.clock, codeVersion: codeVersion() });
    if (opts.json) return printJson({ device: opts.device, ...r });
    process.stdout.write(`queued ${r.units} ${opts.space} units as ${r.jobs} LUT jobs for device ${opts.device}; on that machine run:\n  nas worker --db ${storage.location} --kinds lut --device ${opts.device}\nthen \`nas lut show\` lists its entries under its own provenance\n`);
  } finally {
    await storage.close();
  }
}
