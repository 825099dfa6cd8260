/**
 * `nas hw map --db postgres://… --preset P --workload FILE`: maps a workload's layers as `map` jobs
 * on the work queue (cluster/map-jobs.ts) — on the `nas worker`s of a lab, or here when none is live
 * — and prints each layer's figures and who computed them. The same request again is answered from
 * the stored results.
 */
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../../core/errors.ts';
import { codeVersion } from '../../cluster/code-version.ts';
import { mapOnQueue } from '../../cluster/map-jobs.ts';
import { PgQueue } from '../../cluster/queue.ts';
import { loadLayers } from '../../hardware/eval-inputs.ts';
import type { MapperObjective } from '../../hardware/mapper/mapper.ts';
import { presetNames } from '../../hardware/presets.ts';
import { isPgUrl, openStore } from '../../storage/open-store.ts';
import type { PgStorage } from '../../storage/pg.ts';
import { formatTable, intArg, printJson, withDb, withJson } from '../context.ts';

const OBJECTIVES: readonly MapperObjective[] = ['edp', 'energy', 'latency'];

interface MapOpts {
  readonly db: string;
  readonly preset: string;
  readonly workload: string;
  readonly objective: string;
  readonly seed: number;
  readonly evaluations?: number;
  readonly localSlots: number;
  readonly json?: boolean;
}

export function registerHwQueue(program: Command): void {
  const hw = program.commands.find((c) => c.name() === 'hw');
  if (!hw) throw new Error('registerHwQueue: register the hw command first');
  withJson(withDb(hw.command('map')))
    .description('map every layer of a workload on a preset as jobs on the PostgreSQL work queue (workers, or here)')
    .requiredOption('--preset <name>', 'accelerator preset')
    .requiredOption('--workload <file>', 'SCALE-Sim topology .csv or LayerSpec .json')
    .option('--objective <name>', 'mapper objective: edp | energy | latency', 'edp')
    .option('--seed <n>', 'mapper seed', intArg('--seed'), 1)
    .option('--evaluations <n>', 'mapper budget per layer (default the mapper\'s)', intArg('--evaluations', 1))
    .option('--local-slots <n>', 'layers this process maps itself while workers run (0 = leave them to the workers)', intArg('--local-slots', 0), 1)
    .action(async (opts: MapOpts) => {
      if (!isPgUrl(opts.db)) throw new UsageError(`hw map queues jobs: --db must be a PostgreSQL URL (got ${opts.db}); \`nas hw eval\` maps locally`, { db: opts.db });
      if (!(OBJECTIVES as readonly string[]).includes(opts.objective)) throw new ConfigError('--objective', opts.objective, `must be one of ${OBJECTIVES.join(', ')}`);
      if (!presetNames().includes(opts.preset)) throw new ConfigError('--preset', opts.preset, `unknown preset; known: ${presetNames().join(', ')}`);
      const layers = loadLayers(opts.workload);
      const storage = (await openStore(opts.db)) as PgStorage;
      try {
        const queue = await PgQueue.open(storage);
        const mapped = await mapOnQueue(queue, {
          preset: opts.preset, layers, objective: opts.objective as MapperObjective, seed: opts.seed, codeVersion: codeVersion(), localSlots: opts.localSlots,
          ...(opts.evaluations ? { maxEvaluations: opts.evaluations } : {}),
        });
        const rows = mapped.map((m, i) => ('result' in m.outcome ? { ...(m.outcome.result as Record<string, unknown>), by: m.by } : { layer: layers[i]!.name, error: m.outcome.error, by: m.by }));
        if (opts.json) return printJson(rows);
        process.stdout.write(`${formatTable(rows as Record<string, unknown>[], [
          { header: 'LAYER', get: (r) => r['layer'] as string },
          { header: 'CYCLES', get: (r) => r['cycles'] as number, align: 'right' },
          { header: 'LATENCY MS', get: (r) => r['latencyMs'] as number, align: 'right' },
          { header: 'ENERGY PJ', get: (r) => r['energyPj'] as number, align: 'right' },
          { header: 'UTIL %', get: (r) => (typeof r['utilization'] === 'number' ? 100 * (r['utilization'] as number) : null), align: 'right' },
          { header: 'BY', get: (r) => r['by'] as string },
          { header: 'ERROR', get: (r) => (r['error'] as string) ?? null },
        ])}\n`);
      } finally {
        await storage.close();
      }
    });
}
