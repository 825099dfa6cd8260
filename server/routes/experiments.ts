/**
 * Experiment routes: the list (with progress), one experiment with the facts of how it ran, and its
 * trials page by page. Plain pages come from storage's own paging; a page with filters, front
 * membership or a design-column sort is cut from the cached columns of the finished trials
 * (server/points.ts), then its records are read by id — so 50,000 trials never cross the wire.
 */
import { Router } from 'express';
import { NotFoundError } from '../../core/errors.ts';
import type { Storage } from '../../storage/storage.ts';
import type { ExperimentRecord, TrialCounts, TrialRecord, TrialSortKey } from '../../storage/types.ts';
import { DESIGN_COLUMNS, designOf, presetOf } from '../design.ts';
import { budgetOf, experimentFacts, type ExperimentContext } from '../facts.ts';
import { matchRows, parseFilter, sortRows } from '../filter.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { emptyQuery, idParam, queryOf, trialsQuery, type TrialsQuery } from '../params.ts';
import type { PointCache, PointColumns } from '../points.ts';
import { prospective, surrogateRounds as readRounds } from '../../platform/surrogate-report.ts';

export type DescribeExperiment = (exp: ExperimentRecord) => Promise<ExperimentContext>;

function withProgress<T extends ExperimentRecord & { trials: TrialCounts }>(e: T): T & { budget: number | null; progress: number | null } {
  const budget = budgetOf(e.config);
  const done = e.trials.finished + e.trials.failed;
  return { ...e, budget, progress: budget === null ? null : Math.min(1, done / budget) };
}

const BUILTIN = ['id', 'number', 'state', 'createdAt', 'finishedAt'];
const DESIGN = new Set(DESIGN_COLUMNS.map((c) => c.name));

/** Whether the page must come from the cached columns rather than storage's paging. */
function needsColumns(q: TrialsQuery): boolean {
  return q.filter !== undefined || q.front !== undefined || (q.sort !== undefined && DESIGN.has(q.sort));
}

async function columnPage(storage: Storage, points: PointCache, exp: ExperimentRecord, q: TrialsQuery) {
  if (q.state !== undefined && q.state !== 'finished') throw new HttpError(400, `state: filters and front apply to finished trials only (got ${q.state})`, 'state');
  const cols = await points.get(exp);
  const rows = matchRows(cols, { filter: parseFilter(q.filter), ...(q.feasible !== undefined ? { feasible: q.feasible } : {}), ...(q.front ? { front: true } : {}) });
  const sort = q.sort ?? 'number';
  if (['state', 'createdAt', 'finishedAt'].includes(sort)) throw new HttpError(400, `sort: "${sort}" cannot be combined with filters; sort by number, id or a column`, 'sort');
  const limit = q.limit ?? 50;
  const offset = q.offset ?? 0;
  const page = sortRows(cols, rows, sort, q.order ?? 'asc').slice(offset, offset + limit);
  const items: TrialRecord[] = [];
  for (const i of page) items.push(await storage.getTrial(cols.ids[i] as number));
  return { items, total: rows.length, limit, offset };
}

/** Each trial with its design choices and front membership, as the table shows them. */
function annotate(exp: ExperimentRecord, cols: PointColumns, items: readonly TrialRecord[]) {
  const preset = presetOf(exp.config);
  return items.map((t) => {
    const row = t.state === 'finished' ? cols.ids.indexOf(t.id) : -1;
    return { ...t, design: designOf(t.arch, t.hw, preset), onFront: row >= 0 ? (cols.onFront[row] as boolean) : false };
  });
}

export function experimentRoutes(storage: Storage, points: PointCache, describe?: DescribeExperiment): Router {
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
    const context = describe ? await describe(exp) : { dataset: null, provenance: {} };
    res.json({ ...withProgress(summary), facts: experimentFacts(exp, context) });
  });

  r.get('/experiments/:id/trials', async (req, res) => {
    const q = parseOr400(trialsQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    if (needsColumns(q)) {
      const page = await columnPage(storage, points, exp, q);
      res.json({ ...page, items: annotate(exp, await points.get(exp), page.items) });
      return;
    }
    const sort = (q.sort === undefined || BUILTIN.includes(q.sort) ? q.sort : `metric:${q.sort}`) as TrialSortKey | undefined;
    const page = await storage.listTrials({
      experimentId: exp.id,
      ...(q.state ? { state: q.state } : {}),
      ...(q.feasible !== undefined ? { feasible: q.feasible } : {}),
      ...(sort ? { sort } : {}),
      order: q.order ?? 'asc',
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    res.json({ ...page, items: annotate(exp, await points.get(exp), page.items) });
  });

  // What a surrogate search recorded about its predictor: each round's fit (held-out τ and RMSE
  // on the verified networks) and the prospective check of its predictions against the verified
  // values. Trials carry their own prediction in `predicted` (never in `metrics`).
  r.get('/experiments/:id/surrogate', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const rounds = await readRounds(storage, exp.id);
    const trials: TrialRecord[] = [];
    for (let offset = 0; ; offset += 10_000) {
      const page = await storage.listTrials({ experimentId: exp.id, sort: 'number', limit: 10_000, offset });
      trials.push(...page.items);
      if (trials.length >= page.total || page.items.length === 0) break;
    }
    res.json({ experimentId: exp.id, predicted: 'accuracy', rounds, prospective: prospective(trials) });
  });

  return r;
}
