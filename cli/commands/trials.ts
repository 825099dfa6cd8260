/** `nas trials ls EXP [--pareto] [--sort OBJ] [--desc] [--limit N]`: an experiment's trials. */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { allTrials, paretoTrials } from '../../platform/front.ts';
import { formatTable, intArg, printJson, withDb, withJson } from '../context.ts';
import { findExperiment, openDb } from '../open-db.ts';

interface Opts {
  readonly db: string;
  readonly pareto?: boolean;
  readonly sort?: string;
  readonly desc?: boolean;
  readonly limit: number;
  readonly json?: boolean;
}

export function registerTrials(program: Command): void {
  const group = program.command('trials').description("an experiment's trials");
  withJson(withDb(group.command('ls')))
    .argument('<experiment>', 'id or name')
    .option('--pareto', 'only the Pareto front of finished, feasible trials')
    .option('--sort <objective>', 'sort by an objective (default: trial number)')
    .option('--desc', 'descending order')
    .option('--limit <n>', 'rows to print', intArg('--limit', 1), 50)
    .description('list trials with their objectives; e.g. nas trials ls search-1 --pareto --sort energy_uj')
    .action(async (ref: string, opts: Opts) => {
      const storage = await openDb(opts.db, 'read');
      let rows: TrialRecord[];
      let found;
      try {
        found = await findExperiment(storage, ref);
        if (opts.sort && !found.objectives.some((o) => o.name === opts.sort)) {
          throw new ConfigError('--sort', opts.sort, `not an objective of ${found.name}: ${found.objectives.map((o) => o.name).join(', ')}`);
        }
        rows = opts.pareto ? paretoTrials(await allTrials(storage, found.id), found.objectives) : await allTrials(storage, found.id);
      } finally {
        await storage.close();
      }
      if (opts.sort) {
        const key = opts.sort;
        const v = (t: TrialRecord) => t.metrics?.[key] ?? Number.NaN;
        rows.sort((a, b) => (Number.isNaN(v(a)) ? 1 : Number.isNaN(v(b)) ? -1 : (opts.desc ? -1 : 1) * (v(a) - v(b))) || a.number - b.number);
      } else if (opts.desc) rows.reverse();
      const shown = rows.slice(0, opts.limit);
      if (opts.json) return printJson({ experiment: found.name, total: rows.length, trials: shown });
      process.stdout.write(
        `${formatTable(shown, [
          { header: '#', get: (t) => t.number, align: 'right' },
          { header: 'STATE', get: (t) => t.state + (t.feasible === false ? ' (infeasible)' : '') },
          ...found.objectives.map((o) => ({ header: `${o.direction === 'max' ? '↑' : '↓'}${o.name}`, get: (t: TrialRecord) => t.metrics?.[o.name], align: 'right' as const })),
          { header: 'ERROR', get: (t) => t.error },
        ])}\n${rows.length > shown.length ? `(${rows.length - shown.length} more; --limit N)\n` : ''}`,
      );
    });
}
