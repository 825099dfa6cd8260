/**
 * Analysis routes over the cached columns of an experiment's finished trials: the columns
 * themselves (for the scatter and parallel coordinates), THE Pareto front over all objectives
 * (core/front.ts, as the CLI prints it), the hypervolume history over all objectives, and the
 * comparison of several experiments on one normalisation and reference point.
 */
import { Router } from 'express';
import { frontIndices } from '../../core/front.ts';
import type { Direction, Objective } from '../../core/types.ts';
import type { Storage } from '../../storage/storage.ts';
import type { ExperimentRecord } from '../../storage/types.ts';
import { DESIGN_COLUMNS } from '../design.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { REFERENCE, hypervolumeHistory, hypervolumeOf, normalisation, type HvRow, type Normalisation } from '../hypervolume.ts';
import { compareQuery, emptyQuery, idParam, queryOf } from '../params.ts';
import type { PointCache, PointColumns } from '../points.ts';

// A 50,000-trial experiment's columns serialise to several MB: do it once per cached read.
const serialised = new WeakMap<PointColumns, string>();
const histories = new WeakMap<PointColumns, unknown>();

/** Plot values carry 6 significant digits (the API's /trials and downloads keep full precision). */
const round = (v: number | null) => (v === null ? null : Number(v.toPrecision(6)));

function categorical(values: readonly (string | number | null)[]) {
  const levels = [...new Set(values.filter((v): v is string | number => v !== null).map(String))];
  const index = new Map(levels.map((l, i) => [l, i]));
  return { kind: 'category', levels, codes: values.map((v) => (v === null ? null : (index.get(String(v)) as number))) };
}

function pointsBody(exp: ExperimentRecord, cols: PointColumns): string {
  const design = Object.fromEntries(DESIGN_COLUMNS.map((c) => {
    const vals = cols.design[c.name] ?? [];
    return [c.name, c.kind === 'category' ? categorical(vals) : { kind: 'number', values: vals }];
  }));
  const metrics = Object.fromEntries([...cols.metrics].filter(([k]) => !k.endsWith('_se')).map(([k, col]) => [k, col.map(round)]));
  return JSON.stringify({
    experimentId: exp.id, objectives: exp.objectives, ids: cols.ids, numbers: cols.numbers, feasible: cols.feasible,
    values: cols.values.map((c) => c.map(round)), onFront: cols.onFront.map((b) => (b ? 1 : 0)), metrics, design, designColumns: DESIGN_COLUMNS,
  });
}

const rowsInOrder = (cols: PointColumns, pick: readonly number[]): HvRow[] =>
  cols.ids.map((_, i) => i).sort((a, b) => (cols.numbers[a] as number) - (cols.numbers[b] as number))
    .map((i) => ({ number: cols.numbers[i] as number, feasible: cols.feasible[i] as boolean, values: pick.map((k) => cols.values[k]?.[i] ?? null) }));

function hvMeta(objectives: readonly Objective[], n: Normalisation | null, scope: string) {
  return {
    objectives: objectives.map((o) => o.name),
    reference: objectives.map(() => REFERENCE),
    maxPossible: REFERENCE ** objectives.length,
    normalisation: {
      method: `each objective oriented to minimise and min–max scaled over ${scope} (0 = best, 1 = worst)`,
      best: n?.best ?? null,
      worst: n?.worst ?? null,
    },
  };
}

export function analysisRoutes(storage: Storage, points: PointCache): Router {
  const r = Router();
  const experiment = (raw: unknown) => storage.getExperiment(parseOr400(idParam, raw, 'id'));

  r.get('/experiments/:id/points', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const cols = await points.get(exp);
    let body = serialised.get(cols);
    if (body === undefined) serialised.set(cols, (body = pointsBody(exp, cols)));
    res.type('application/json').send(body);
  });

  r.get('/experiments/:id/pareto', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const cols = await points.get(exp);
    const complete = cols.ids.filter((_, i) => cols.feasible[i] && cols.values.every((c) => c[i] !== null)).length;
    res.json({
      experimentId: exp.id,
      objectives: exp.objectives,
      definition: 'non-dominated finished, feasible trials over all objectives (the front `nas trials ls --pareto` prints)',
      counts: { finished: cols.ids.length, feasible: cols.feasible.filter(Boolean).length, considered: complete, front: cols.front.length },
      front: cols.front.map((i) => ({ id: cols.ids[i], number: cols.numbers[i], values: Object.fromEntries(exp.objectives.map((o, k) => [o.name, cols.values[k]?.[i]])) })),
    });
  });

  r.get('/experiments/:id/history', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const exp = await experiment(req.params.id);
    const cols = await points.get(exp);
    let body = histories.get(cols);
    if (body === undefined) {
      const dirs = exp.objectives.map((o) => o.direction);
      const rows = rowsInOrder(cols, exp.objectives.map((_, k) => k));
      const n = normalisation(rows, dirs);
      body = { experimentId: exp.id, objectives: exp.objectives, hypervolume: hvMeta(exp.objectives, n, "this experiment's feasible finished trials"), samples: hypervolumeHistory(rows, dirs, n) };
      histories.set(cols, body);
    }
    res.json(body);
  });

  r.get('/compare', async (req, res) => {
    const q = parseOr400(compareQuery, queryOf(req.query), 'query');
    const exps = await Promise.all(q.ids.map((id) => storage.getExperiment(id)));
    const first = exps[0] as ExperimentRecord;
    const common = first.objectives.filter((o) => exps.every((e) => e.objectives.some((p) => p.name === o.name && p.direction === o.direction)));
    if (common.length < 2) throw new HttpError(400, `ids: experiments ${q.ids.join(', ')} share fewer than two objectives (same name and direction)`, 'ids');
    const dirs = common.map((o) => o.direction) as Direction[];
    const all = await Promise.all(exps.map(async (e) => {
      const cols = await points.get(e);
      const pick = common.map((o) => e.objectives.findIndex((p) => p.name === o.name));
      return { e, cols, pick, rows: rowsInOrder(cols, pick) };
    }));
    const n = normalisation(all.flatMap((a) => a.rows), dirs);
    res.json({
      objectives: common,
      hypervolume: hvMeta(common, n, `the feasible finished trials of all ${exps.length} experiments`),
      experiments: all.map(({ e, cols, pick, rows }) => {
        const front = frontIndices(cols.ids.map((_, i) => ({ feasible: cols.feasible[i] as boolean, values: pick.map((k) => cols.values[k]?.[i]) })), dirs);
        return {
          id: e.id, name: e.name, status: e.status, finished: cols.ids.length,
          hypervolume: n ? hypervolumeOf(rows, dirs, n) : 0,
          front: front.map((i) => ({ id: cols.ids[i], number: cols.numbers[i], values: Object.fromEntries(common.map((o, d) => [o.name, cols.values[pick[d] as number]?.[i]])) })),
          history: hypervolumeHistory(rows, dirs, n, 200).map((s) => ({ seen: s.seen, hypervolume: s.hypervolume })),
        };
      }),
    });
  });

  return r;
}
