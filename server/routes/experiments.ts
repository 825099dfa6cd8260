/**
 * Experiment routes: list, detail, paged trials, the columns of all finished trials (for the
 * scatter), the Pareto front over two or three chosen objectives, and hypervolume/best-so-far.
 */
import { Router } from 'express';
import { NotFoundError } from '../../core/errors.ts';
import type { Direction, Json } from '../../core/types.ts';
import type { Storage } from '../../storage/storage.ts';
import type { ExperimentRecord, TrialCounts, TrialSortKey } from '../../storage/types.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { emptyQuery, historyQuery, idParam, paretoQuery, queryOf, trialsQuery } from '../params.ts';
import { history, orient, paretoFront } from '../pareto.ts';
import type { PointCache, PointColumns } from '../points.ts';
import { prospective, readRounds } from '../../strategies/surrogate/report.ts';

/** The trial budget, when the experiment config states one under a conventional key. */
export function budgetOf(config: Json): number | null {
  const candidates: Json[] = [];
  if (config && typeof config === 'object' && !Array.isArray(config)) {
    const c = config as Record<string, Json>;
    candidates.push(c.budget ?? null, c.trials ?? null, c.maxTrials ?? null);
    for (const k of ['search', 'strategy']) {
      const sub = c[k];
      if (sub && typeof sub === 'object' && !Array.isArray(sub)) {
        const s = sub as Record<string, Json>;
        candidates.push(s.budget ?? null, s.trials ?? null, s.maxTrials ?? null);
      }
    }
  }
  const n = candidates.find((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0);
  return n ?? null;
}

function withProgress<T extends ExperimentRecord & { trials: TrialCounts }>(e: T): T & { budget: number | null; progress: number | null } {
  const budget = budgetOf(e.config);
  const done = e.trials.finished + e.trials.failed;
  return { ...e, budget, progress: budget === null ? null : Math.min(1, done / budget) };
}

function objectiveIndex(exp: ExperimentRecord, name: string, field: string): number {
  const i = exp.objectives.findIndex((o) => o.name === name);
  if (i < 0) throw new HttpError(400, `${field}: "${name}" is not an objective of experiment ${exp.id} (${exp.objectives.map((o) => o.name).join(', ')})`, field);
  return i;
}

// The columns of a 50,000-trial experiment serialise to ~3 MB: do it once per cached read.
const serialised = new WeakMap<PointColumns, string>();

export function experimentRoutes(storage: Storage, points: PointCache): Router {
  const r = Router();
  const experiment = (raw: unknown) => storage.getExperiment(parseOr400(idParam, raw, 'id'));

  r.get('/experiments', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    res.json((await storage.listExperiments()).map(withProgress));
  });

  r.get('/experiments/:id', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    // One aggregate statement, so the counts come from a single snapshot even while a search writes.
    const summary = (await storage.listExperiments()).find((e) => e.id === exp.id);
    if (!summary) throw new NotFoundError('experiment', exp.id);
    res.json(withProgress(summary));
  });

  r.get('/experiments/:id/trials', async (req, res) => {
    const q = parseOr400(trialsQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const builtin = ['id', 'number', 'state', 'createdAt', 'finishedAt'];
    const sort = (q.sort === undefined || builtin.includes(q.sort) ? q.sort : `metric:${q.sort}`) as TrialSortKey | undefined;
    const page = await storage.listTrials({
      experimentId: exp.id,
      ...(q.state ? { state: q.state } : {}),
      ...(q.feasible !== undefined ? { feasible: q.feasible } : {}),
      ...(sort ? { sort } : {}),
      order: q.order ?? 'asc',
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    res.json(page);
  });

  r.get('/experiments/:id/points', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const cols = await points.get(exp);
    let body = serialised.get(cols);
    if (body === undefined) {
      body = JSON.stringify({ experimentId: exp.id, objectives: exp.objectives, ids: cols.ids, numbers: cols.numbers, feasible: cols.feasible, values: cols.values });
      serialised.set(cols, body);
    }
    res.type('application/json').send(body);
  });

  r.get('/experiments/:id/pareto', async (req, res) => {
    const q = parseOr400(paretoQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const axes = [['x', q.x], ['y', q.y], ...(q.z ? [['z', q.z]] : [])] as [string, string][];
    const idx = axes.map(([field, name]) => objectiveIndex(exp, name, field));
    const dup = idx.findIndex((k, d) => idx.indexOf(k) !== d);
    if (dup >= 0) throw new HttpError(400, `${axes[dup]?.[0]}: the chosen objectives must be different`, axes[dup]?.[0]);
    const dirs = idx.map((k) => (exp.objectives[k]?.direction ?? 'min') as Direction);
    const cols = await points.get(exp);
    const rows: number[] = [];
    const vecs: number[][] = [];
    cols.ids.forEach((_, i) => {
      if (!cols.feasible[i]) return;
      const v = idx.map((k) => cols.values[k]?.[i] ?? null);
      if (v.some((x) => x === null)) return;
      rows.push(i);
      vecs.push(v.map((x, d) => orient(x as number, dirs[d] as Direction)));
    });
    const front = paretoFront(vecs).map((f) => {
      const i = rows[f] as number;
      return { id: cols.ids[i] as number, number: cols.numbers[i] as number, values: Object.fromEntries(axes.map(([, name], d) => [name, cols.values[idx[d] as number]?.[i] as number])) };
    });
    res.json({
      experimentId: exp.id,
      axes: axes.map(([, name], d) => ({ name, direction: dirs[d], unit: exp.objectives[idx[d] as number]?.unit ?? '' })),
      counts: { finished: cols.ids.length, feasible: cols.feasible.filter(Boolean).length, considered: vecs.length, front: front.length },
      front,
    });
  });

  // What a surrogate search recorded about its predictor: each round's fit (held-out τ and RMSE
  // on the verified networks) and the prospective check of its predictions against the verified
  // values. Trials carry their own prediction in `predicted` (never in `metrics`).
  r.get('/experiments/:id/surrogate', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const rounds = await readRounds(storage, exp.id);
    const trials = [];
    for (let offset = 0; ; offset += 10_000) {
      const page = await storage.listTrials({ experimentId: exp.id, sort: 'number', limit: 10_000, offset });
      trials.push(...page.items);
      if (trials.length >= page.total || page.items.length === 0) break;
    }
    res.json({ experimentId: exp.id, predicted: 'accuracy', rounds, prospective: prospective(trials) });
  });

  r.get('/experiments/:id/history', async (req, res) => {
    const q = parseOr400(historyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const names = exp.objectives.map((o) => o.name);
    const xi = q.x ? objectiveIndex(exp, q.x, 'x') : 0;
    const yi = q.y ? objectiveIndex(exp, q.y, 'y') : Math.max(0, names.findIndex((_, i) => i !== xi));
    if (xi === yi && names.length > 1) throw new HttpError(400, 'y: the chosen objectives must be different', 'y');
    const cols = await points.get(exp);
    const order = cols.ids.map((_, i) => i).sort((a, b) => (cols.numbers[a] as number) - (cols.numbers[b] as number));
    const rows = order.map((i) => ({ number: cols.numbers[i] as number, feasible: cols.feasible[i] as boolean, values: cols.values.map((c) => c[i] ?? null) }));
    const samples = history(rows, exp.objectives.map((o) => o.direction), [xi, yi]);
    res.json({ experimentId: exp.id, objectives: exp.objectives, hypervolume: { x: names[xi], y: names[yi], reference: [1.1, 1.1], normalised: true }, samples });
  });

  return r;
}
