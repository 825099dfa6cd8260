/**
 * `nas trials ls EXP [--pareto] [--sort OBJ] [--desc] [--limit N] [--offset K] [--json]`: an
 * experiment's trials. Text prints a page (50 rows unless --limit); --json prints every trial
 * unless --limit/--offset ask for a page, and then says where the next page starts (`next`), so a
 * script never mistakes the first 50 for all of them.
 */
import type { Command } from 'commander';
import { ConfigError } from '../../core/errors.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { allTrials, paretoTrials } from '../../platform/front.ts';
import { intArg, printJson, withDb, withJson } from '../context.ts';
import { findExperiment, openDb } from '../open-db.ts';
import { trialTable } from '../trial-table.ts';

interface Opts {
  readonly db: string;
  readonly pareto?: boolean;
  readonly sort?: string;
  readonly desc?: boolean;
  readonly limit: number;
  readonly offset: number;
  readonly json?: boolean;
}

const TEXT_ROWS = 50;

export function registerTrials(program: Command): void {
  const group = program.command('trials').description("an experiment's trials");
  withJson(withDb(group.command('ls')))
    .argument('<experiment>', 'id or name')
    .option('--pareto', 'only the Pareto front of finished, feasible trials')
    .option('--sort <objective>', 'sort by an objective (default: trial number)')
    .option('--desc', 'descending order')
    .option('--limit <n>', `rows per page (default: ${TEXT_ROWS} as text; every trial with --json)`, intArg('--limit', 1))
    .option('--offset <k>', 'skip the first k rows (with --limit: page k/limit + 1)', intArg('--offset', 0), 0)
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
      const limit = opts.limit ?? (opts.json ? rows.length : TEXT_ROWS);
      const shown = rows.slice(opts.offset, opts.offset + limit);
      const nextOffset = opts.offset + shown.length < rows.length ? opts.offset + shown.length : null;
      const again = (offset: number) =>
        `nas trials ls ${found.name} --db ${opts.db}${opts.pareto ? ' --pareto' : ''}${opts.sort ? ` --sort ${opts.sort}` : ''}${opts.desc ? ' --desc' : ''}${opts.json ? ' --json' : ''} --limit ${limit} --offset ${offset}`;
      if (opts.json) {
        return printJson({
          experiment: found.name, total: rows.length, offset: opts.offset, limit: opts.limit ?? null, count: shown.length,
          next: nextOffset === null ? null : { offset: nextOffset, command: again(nextOffset) }, trials: shown,
        });
      }
      process.stdout.write(
        `${trialTable(shown, found.objectives, { state: true, error: true })}\n` +
          (shown.length < rows.length ? `(rows ${shown.length === 0 ? 0 : opts.offset + 1}–${opts.offset + shown.length} of ${rows.length}${nextOffset === null ? '' : `; next page: ${again(nextOffset)}`})\n` : ''),
      );
    });
}
