/**
 * `nas experiments ls|show`: what is stored in the database. Opens it read-only so listing never
 * migrates or creates a file; a missing or empty file is exit 7 ("no database at PATH"), not an
 * empty list, so a mistyped --db is not mistaken for an empty project.
 */
import type { Command } from 'commander';
import type { ExperimentSummary } from '../../storage/types.ts';
import { formatTable, printJson, withDb, withJson } from '../context.ts';
import { findExperiment, withDbOpen } from '../open-db.ts';
import { allTrials } from '../../platform/front.ts';
import { prospective, surrogateRounds, surrogateText } from '../../platform/surrogate-report.ts';
import type { Storage } from '../../storage/storage.ts';

interface DbOpts {
  readonly db: string;
  readonly json?: boolean;
}

/** Experiments in `db`, newest first. */
export function listExperiments(db: string): Promise<readonly ExperimentSummary[]> {
  return withDbOpen(db, 'read', (s) => s.listExperiments());
}

/** A surrogate experiment's round fits and prospective check (null for other strategies). */
async function surrogateSummary(storage: Storage, exp: ExperimentSummary) {
  const rounds = await surrogateRounds(storage, exp.id);
  return rounds.length > 0 ? { rounds, prospective: prospective(await allTrials(storage, exp.id)) } : null;
}

export function registerExperiments(program: Command): void {
  const group = program.command('experiments').description('list and inspect stored experiments');
  withJson(withDb(group.command('ls').description('list experiments, newest first'))).action(async (opts: DbOpts) => {
    const rows = await listExperiments(opts.db);
    if (opts.json) return printJson(rows);
    if (rows.length === 0) {
      process.stdout.write(`no experiments in ${opts.db}\n`);
      return;
    }
    process.stdout.write(
      `${formatTable(rows, [
        { header: 'ID', get: (r) => r.id, align: 'right' },
        { header: 'NAME', get: (r) => r.name },
        { header: 'SPACE', get: (r) => r.space },
        { header: 'STATUS', get: (r) => r.status },
        { header: 'TRIALS', get: (r) => r.trials.total, align: 'right' },
        { header: 'FINISHED', get: (r) => r.trials.finished, align: 'right' },
        { header: 'FAILED', get: (r) => r.trials.failed, align: 'right' },
        { header: 'RUNNING', get: (r) => r.trials.running, align: 'right' },
        { header: 'INTERRUPTED', get: (r) => r.trials.interrupted, align: 'right' },
        { header: 'OBJECTIVES', get: (r) => r.objectives.map((o) => `${o.direction === 'max' ? '↑' : '↓'}${o.name}`).join(' ') },
        { header: 'CREATED', get: (r) => r.createdAt },
      ])}\n`,
    );
  });
  withJson(withDb(group.command('show').argument('<experiment>', 'id or name').description('one experiment with its config'))).action(
    async (ref: string, opts: DbOpts) => {
      const { exp, surrogate } = await withDbOpen(opts.db, 'read', async (s) => {
        const found = await findExperiment(s, ref);
        return { exp: found, surrogate: await surrogateSummary(s, found) };
      });
      if (opts.json) return printJson(surrogate ? { ...exp, surrogate } : exp);
      const lines = [
        `experiment ${exp.id} ${exp.name} (${exp.status})`,
        `space       ${exp.space}`,
        `seed        ${exp.seed}`,
        `objectives  ${exp.objectives.map((o) => `${o.direction} ${o.name}${o.unit ? ` [${o.unit}]` : ''}`).join(', ')}`,
        `trials      ${exp.trials.total} (${exp.trials.finished} finished, ${exp.trials.failed} failed, ${exp.trials.running} running, ${exp.trials.interrupted} interrupted)`,
        ...(exp.runner ? [`runner      process ${exp.runner.pid} on ${exp.runner.host}${exp.runner.alive ? '' : ' (gone: killed or crashed)'}`] : []),
        ...(['stopped', 'interrupted', 'failed'].includes(exp.status) ? [`resume      nas resume ${exp.name} --db ${opts.db}`] : []),
        `created     ${exp.createdAt}`,
        `config      ${JSON.stringify(exp.config)}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n${surrogate ? surrogateText(surrogate.rounds, surrogate.prospective) : ''}`);
    },
  );
}
