/**
 * `nas latency validate`: the latency fidelity report (LUT sum and learned predictor vs end-to-end
 * measurements of held-out subnets on this machine's active backend).
 */
import type { Command } from 'commander';
import { initTf } from '../../runtime/tf.ts';
import { createSpace } from '../../search-space/registry.ts';
import { currentProvenance } from '../../estimators/lut/provenance.ts';
import { provenanceLabel } from '../../estimators/lut/lut-estimator.ts';
import { requireLatencyTable, validateLatency } from '../../platform/latency-tables.ts';
import type { LatencyClock } from '../../estimators/lut/timing.ts';
import type { Fidelity } from '../../estimators/fidelity.ts';
import { createProgress } from '../progress.ts';
import { formatTable, globalOptions, intArg, printJson, withDb, withJson } from '../context.ts';
import { clockOption } from './lut.ts';
import { checkDb, openDb } from '../open-db.ts';

interface Opts {
  readonly db: string;
  readonly space: string;
  readonly batch: number;
  readonly samples: number;
  readonly train: number;
  readonly repeats: number;
  readonly warmup: number;
  readonly seed: number;
  readonly rounds: number;
  readonly clock: LatencyClock;
  readonly json?: boolean;
}

export function registerLatency(program: Command): void {
  const group = program.command('latency').description('latency predictors and their fidelity');
  clockOption(withJson(withDb(group.command('validate'))))
    .description('fit the latency predictor and score it and the LUT sum on held-out measured subnets')
    .option('--space <name>', 'search space', 'mbconv')
    .option('--batch <n>', 'batch size (must match a built LUT)', intArg('--batch', 1), 1)
    .option('--samples <n>', 'held-out subnets to measure', intArg('--samples', 2), 100)
    .option('--train <n>', 'subnets measured to fit the predictor', intArg('--train', 10), 200)
    .option('--repeats <n>', 'timed runs per subnet', intArg('--repeats', 1), 10)
    .option('--warmup <n>', 'untimed runs per subnet', intArg('--warmup', 0), 3)
    .option('--seed <n>', 'seed for sampling subnets', intArg('--seed', 0), 0)
    .option('--rounds <n>', 'timing calls per subnet, round-robin over all subnets (median taken); 2 or more also score the measurement against itself', intArg('--rounds', 1), 4)
    .action(async (opts: Opts, cmd: Command) => {
      // It needs the LUT stored there (and stores the fitted predictor): an existing, writable database.
      await checkDb(opts.db, 'write');
      await initTf(globalOptions(cmd).backend);
      const space = createSpace(opts.space);
      const storage = await openDb(opts.db, 'write');
      const progress = createProgress({ quiet: opts.json });
      try {
        const provenance = currentProvenance(opts.batch, opts.clock);
        const table = await requireLatencyTable(storage, provenance, opts.db);
        const r = await validateLatency(storage, space, table, {
          trainSamples: opts.train, testSamples: opts.samples, repeats: opts.repeats, warmup: opts.warmup, seed: opts.seed, rounds: opts.rounds, clock: opts.clock, progress: progress.update,
        });
        progress.stop();
        const { model: _model, ...report } = r;
        if (opts.json) return printJson({ provenance, ...report });
        const rows: [string, Fidelity][] = [['LUT sum', r.lut], ['predictor', r.predictor], ...(r.repeatability ? [['measurement vs itself', r.repeatability] as [string, Fidelity]] : [])];
        process.stdout.write(
          `latency fidelity on ${r.testSize} held-out subnets (predictor fitted on ${r.trainSize}), ${provenanceLabel(provenance)}\n` +
            `${formatTable(rows, [
              { header: 'ESTIMATOR', get: ([n]) => n },
              { header: '±5 %', get: ([, f]) => `${(100 * f.within5).toFixed(1)} %`, align: 'right' },
              { header: '±10 %', get: ([, f]) => `${(100 * f.within10).toFixed(1)} %`, align: 'right' },
              { header: 'RMSE %', get: ([, f]) => f.rmsePct.toFixed(2), align: 'right' },
              { header: 'BIAS %', get: ([, f]) => f.biasPct.toFixed(2), align: 'right' },
              { header: 'KENDALL τ', get: ([, f]) => f.kendallTau.toFixed(3), align: 'right' },
            ])}\n${r.repeatability ? 'measurement vs itself: median of the even rounds against the odd rounds, the ceiling for any estimator\n' : ''}` +
            `predictor stored as #${r.predictorId}\n`,
        );
      } finally {
        progress.stop();
        await storage.close();
      }
    });
}
