/**
 * `nas search` runs an experiment (network × accelerator co-search by default) and `nas resume EXP`
 * continues one exactly where it stopped. Every trial and the strategy state after every step are
 * in the database, so Ctrl-C, a crash or kill -9 lose at most the step in flight.
 */
import type { Command } from 'commander';
import { initTf } from '../../runtime/tf.ts';
import { ConfigError, NotFoundError } from '../../core/errors.ts';
import type { Json, JsonObject } from '../../core/types.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';
import { openStore } from '../../storage/open-store.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { PgStorage } from '../../storage/pg.ts';
import type { Storage } from '../../storage/storage.ts';
import { codeVersion } from '../../cluster/code-version.ts';
import { requiredCheckpoint } from '../../cluster/checkpoints.ts';
import { createCoordinator, type Coordinator } from '../../cluster/coordinator.ts';
import { PgQueue } from '../../cluster/queue.ts';
import type { ExperimentRecord } from '../../storage/types.ts';
import { checkRunStart, currentLease } from '../../storage/runs.ts';
import { parseExperiment, readExperimentFile, type ExperimentConfig } from '../../platform/config.ts';
import { PROVENANCE_EVENT, recordedProvenance } from '../../platform/export-trial.ts';
import { createPlatform, type Platform } from '../../platform/create-platform.ts';
import { runExperiment } from '../../platform/run-experiment.ts';
import { allTrials, paretoTrials } from '../../platform/front.ts';
import { prospective, surrogateRounds, surrogateText } from '../../platform/surrogate-report.ts';
import type { ProgressFn } from '../../core/progress.ts';
import { createProgress, type ProgressRenderer } from '../progress.ts';
import { globalOptions, intArg, interruptSignal, printJson, withDb, withJson } from '../context.ts';
import { checkDb, findExperiment, openDb, withDbOpen } from '../open-db.ts';
import { trialTable } from '../trial-table.ts';

const nameTaken = (name: string) => new ConfigError('--name', name, 'an experiment with this name exists (use `nas resume` to continue it)');

/**
 * The default experiment: surrogate-assisted co-search of the mbconv network and the accelerator,
 * accuracy (supernet, 5,000 validation images) against energy-delay product, no larger than the
 * Eyeriss preset (its area under the current area model).
 */
export const DEFAULT_EXPERIMENT = {
  space: 'mbconv',
  // the supernet shipped in models/ (trained by `nas supernet train`; its accuracy is re-verified first)
  accuracy: { source: 'supernet' },
  hardware: { mode: 'joint', areaBudgetMm2: 'area(eyeriss)' },
  strategy: { name: 'surrogate', options: {} },
  objectives: ['accuracy', 'edp_uj_ms'],
  constraints: ['area_mm2<=area(eyeriss)'],
  // 16 initial networks, then rounds of 10: ≈ 3–8 s per verified subnet on one core (large ones
  // are the slow ones), both cores scoring, plus ~15 s of table compilation per accelerator
  budget: 90,
  batch: 10,
} as const;

/** `--quick`: fewer trials, and for the surrogate a smaller initial design and accelerator pool (fewer tables to compile). */
export const QUICK = { budget: 16, surrogate: { initial: 8, hwPool: 3, hwCandidates: 24 } } as const;

interface SearchOpts {
  readonly db: string;
  readonly config?: string;
  readonly name?: string;
  readonly seed?: number;
  readonly budget?: number;
  readonly strategy?: string;
  readonly quick?: boolean;
  readonly json?: boolean;
  readonly localSlots?: number;
}

/** On PostgreSQL, steps go to live `nas worker`s when there are any (cluster/coordinator.ts); else null. */
async function coordinate(storage: Storage, platform: Platform, localSlots = 1): Promise<Coordinator<JsonObject> | null> {
  if (!(storage instanceof PgStorage)) return null;
  const queue = await PgQueue.open(storage);
  return createCoordinator<JsonObject>({
    queue, codeVersion: codeVersion(), checkpointSha: requiredCheckpoint(platform.config), localSlots,
    local: { evaluate: (x) => platform.evaluate(x), ...(platform.evaluateBatch ? { evaluateBatch: (xs) => (platform.evaluateBatch as NonNullable<Platform['evaluateBatch']>)(xs) } : {}) },
    log: (line) => process.stderr.write(`nas: ${line}\n`),
  });
}

/**
 * Builds the experiment's platform once, reading stored predictors from `reader`; a config that
 * cannot be built throws here, before anything is written.
 */
async function build(cfg: ExperimentConfig, reader: Storage, progress: ProgressFn, backend?: string, warm = false): Promise<Platform> {
  // The accuracy source may evaluate (supernet checkpoint verification) while it is built; a new
  // search's strategy prepares its first step alongside (a resumed one may not need that work).
  progress({ phase: 'starting the tensor backend', done: 0, total: 0 });
  await initTf(backend);
  return createPlatform(cfg, { predictors: reader, progress, warm });
}

/**
 * Runs (or resumes) `exp` on `platform`; Ctrl-C, SIGTERM and `nas stop` end it 'stopped'. The bar
 * shows the step being evaluated from its start, not only once it is stored.
 */
async function execute(storage: Storage, exp: ExperimentRecord, platform: Platform, progress: ProgressRenderer, localSlots?: number) {
  const stop = interruptSignal();
  let failed = 0;
  let coordinator: Coordinator<JsonObject> | null = null;
  try {
    coordinator = await coordinate(storage, platform, localSlots);
    // Where each figure comes from, as measured now (e.g. the verified checkpoint accuracy), for export
    // bundles; recorded here rather than at creation so a kill between the two is mended by the resume.
    if (!(await recordedProvenance(storage, exp.id))) await storage.appendEvent({ experimentId: exp.id, type: PROVENANCE_EVENT, payload: platform.provenance });
    const summary = await runExperiment({
      sink: storage, experimentId: exp.id, ...platform.search, ...(coordinator ? { evaluateBatch: coordinator.evaluateBatch } : {}), signal: stop.signal,
      onLoopStart: (s) => progress.update({ phase: `search ${exp.name}`, done: s.completed, total: s.budget, ...(platform.search.strategy.prepare ? { fields: { preparing: platform.config.strategy.name } } : {}) }),
      onStepStart: (s) => progress.update({ phase: `search ${exp.name}`, done: s.completed, total: s.budget, fields: { evaluating: s.evaluating, ...(failed > 0 ? { failed } : {}) } }),
      onStep: (p) => {
        failed += p.trials.filter((t) => t.state === 'failed').length;
        progress.update({ phase: `search ${exp.name}`, done: p.completed, total: p.budget, ...(failed > 0 ? { fields: { failed } } : {}) });
      },
    });
    progress.stop();
    const trials = await allTrials(storage, exp.id);
    const rounds = platform.config.strategy.name === 'surrogate' ? await surrogateRounds(storage, exp.id) : [];
    return {
      summary, front: paretoTrials(trials, platform.objectives), objectives: platform.objectives, total: trials.length, constraints: platform.config.constraints,
      surrogate: rounds.length > 0 ? { rounds, prospective: prospective(trials) } : null,
    };
  } finally {
    stop.release();
    progress.stop();
    await coordinator?.close();
  }
}

function report(exp: ExperimentRecord, r: Awaited<ReturnType<typeof execute>>, db: string, json?: boolean): void {
  if (json) {
    printJson({ experiment: { id: exp.id, name: exp.name }, status: r.summary.status, completed: r.summary.completed, resumed: r.summary.resumed, pareto: r.front, ...(r.surrogate ? { surrogate: r.surrogate } : {}) });
    return;
  }
  process.stdout.write(
    `experiment ${exp.id} ${exp.name}: ${r.summary.status}, ${r.summary.completed} trials${r.summary.resumed ? ' (resumed)' : ''}\n` +
      (r.front.length === 0 && r.total > 0 && r.constraints.length > 0
        ? `no trial met the constraints (${r.constraints.join(', ')}); ${r.total} trials stored — relax a limit and resume or start a new search\n`
        : '') +
      `Pareto front over ${r.objectives.map((o) => o.name).join(', ')} (${r.front.length} of ${r.total} trials):\n` +
      `${trialTable(r.front, r.objectives)}\n` +
      (r.surrogate ? surrogateText(r.surrogate.rounds, r.surrogate.prospective) : '') +
      (r.summary.status === 'stopped' ? `resume with: nas resume ${exp.name} --db ${db}\n` : '') +
      `browse it: nas ui --db ${db}\n`,
  );
}

export function registerSearch(program: Command): void {
  withJson(withDb(program.command('search')))
    .description('run a co-search experiment (default: mbconv network × accelerator, surrogate-assisted)')
    .option('--config <file>', 'experiment file (YAML or JSON); default: the built-in co-search')
    .option('--name <name>', 'experiment name (default: from the file, else search-N)')
    .option('--seed <n>', 'seed (overrides the file)', intArg('--seed', 0))
    .option('--budget <n>', 'trials (overrides the file)', intArg('--budget', 1))
    .option('--strategy <name>', 'strategy (overrides the file)')
    .option('--quick', 'a short run (16 trials; smaller surrogate design and accelerator pool) to try things out')
    .option('--local-slots <n>', 'PostgreSQL with live `nas worker`s: jobs of each step this process evaluates itself meanwhile (0 = leave them to the workers)', intArg('--local-slots', 0), 1)
    .action(async (opts: SearchOpts, cmd: Command) => {
      const base = opts.config ? await readExperimentFile(opts.config) : parseExperiment(DEFAULT_EXPERIMENT);
      const cfg = parseExperiment({
        ...base,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.budget !== undefined ? { budget: opts.budget } : opts.quick ? { budget: QUICK.budget } : {}),
        ...(opts.strategy ? { strategy: { name: opts.strategy, options: {} } } : {}),
      });
      if (opts.quick && cfg.strategy.name === 'surrogate' && Object.keys(cfg.strategy.options).length === 0) cfg.strategy.options = { ...QUICK.surrogate };
      // The database first: a missing directory, a foreign or read-only file fails in milliseconds,
      // not after the accuracy source has been verified. Nothing is created yet.
      const check = await checkDb(opts.db, 'create');
      // Build (= validate) everything, reading stored predictors read-only, before opening the
      // database for writing, so a bad experiment leaves an existing file byte-for-byte unchanged.
      // (an older schema has no predictor tables yet: nothing to look up before it is migrated)
      const reader: Storage = check.state === 'database' && check.version === SCHEMA_VERSION ? await openStore(opts.db, { mode: 'read' }) : new MemoryStorage();
      const progress = createProgress({ quiet: Boolean(opts.json) });
      let platform: Platform;
      try {
        platform = await build(cfg, reader, progress.update, globalOptions(cmd).backend, true);
        const wanted = opts.name ?? cfg.name;
        if (wanted !== undefined && (await reader.findExperiment(wanted))) {
          platform.dispose();
          throw nameTaken(wanted);
        }
      } catch (e) {
        progress.stop();
        throw e;
      } finally {
        await reader.close();
      }
      try {
        const storage = await openDb(opts.db, 'create');
        try {
          const name = opts.name ?? cfg.name ?? `search-${(await storage.listExperiments()).length + 1}`;
          if (await storage.findExperiment(name)) throw nameTaken(name);
          const exp = await storage.createExperiment({ name, config: { ...cfg, name } as unknown as Json, seed: cfg.seed, space: cfg.space, objectives: platform.objectives });
          report(exp, await execute(storage, exp, platform, progress, opts.localSlots), opts.db, opts.json);
        } finally {
          await storage.close();
        }
      } finally {
        progress.stop();
        platform.dispose();
      }
    });

  withDb(program.command('stop'))
    .argument('<experiment>', 'id or name')
    .description('ask a running search to stop after its current step (it stays resumable); a search whose process is gone is stopped at once')
    .option('--force', "stop it now: its process is gone although this machine cannot tell (it ran on another host that crashed)")
    .action(async (ref: string, opts: { db: string; force?: boolean }) => {
      await withDbOpen(opts.db, 'write', async (storage) => {
        const exp = await storage.getExperiment((await findExperiment(storage, ref)).id);
        if (exp.runner?.alive && !opts.force) {
          // the runner reads the mark after its current step and ends the run itself
          await storage.setExperimentStatus(exp.id, 'stopped');
          process.stdout.write(`experiment ${exp.name}: asked process ${exp.runner.pid} on ${exp.runner.host} to stop after its current step (resume with nas resume ${exp.name})\n`);
        } else {
          const { interrupted } = await storage.endRun(exp.id, 'stopped');
          const why = exp.runner?.alive ? `at once (--force: process ${exp.runner.pid} on ${exp.runner.host} taken as gone)` : '(no process was running it)';
          process.stdout.write(`experiment ${exp.name} stopped ${why}${interrupted > 0 ? `; ${interrupted} trials it left running are interrupted` : ''}; resume with nas resume ${exp.name}\n`);
        }
      });
    });

  withJson(withDb(program.command('resume')))
    .argument('<experiment>', 'id or name')
    .description('continue a stopped or crashed experiment exactly where it left off')
    .option('--local-slots <n>', 'as for `nas search`', intArg('--local-slots', 0), 1)
    .action(async (ref: string, opts: { db: string; json?: boolean; localSlots?: number }, cmd: Command) => {
      const storage = await openDb(opts.db, 'write');
      const progress = createProgress({ quiet: Boolean(opts.json) });
      try {
        const found = await findExperiment(storage, ref).catch((e: unknown) => {
          // A search killed before it stored its experiment had evaluated nothing: starting again loses nothing.
          throw e instanceof NotFoundError ? new NotFoundError('experiment', ref, `nothing to resume in ${storage.location} — a search interrupted before it stored its experiment evaluated nothing: run the same \`nas search\` again`) : e;
        });
        const exp = await storage.getExperiment(found.id);
        // refused before the (slow) build while another live process runs it; beginRun re-checks atomically
        checkRunStart(exp, currentLease());
        const platform = await build(parseExperiment(exp.config), storage, progress.update, globalOptions(cmd).backend);
        try {
          report(exp, await execute(storage, exp, platform, progress, opts.localSlots), opts.db, opts.json);
        } finally {
          platform.dispose();
        }
      } finally {
        progress.stop();
        await storage.close();
      }
    });
}
