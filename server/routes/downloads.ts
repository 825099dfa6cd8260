/**
 * Downloads of an experiment's trials as CSV or JSON, with the table's filters (server/filter.ts),
 * streamed page by page from storage so 50,000 trials never sit in one string. Every row carries
 * its front membership and design choices; numbers keep full precision.
 */
import { Router, type Response } from 'express';
import type { Json } from '../../core/types.ts';
import type { Storage } from '../../storage/storage.ts';
import type { TrialRecord } from '../../storage/types.ts';
import { DESIGN_COLUMNS, designOf, presetOf } from '../design.ts';
import { matchRows, parseFilter } from '../filter.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { downloadQuery, idParam, queryOf } from '../params.ts';
import type { PointCache } from '../points.ts';

const PAGE = 2000;

/** RFC 4180 quoting; text that a spreadsheet would run as a formula is prefixed with ' (OWASP CSV injection). */
export function csvCell(v: Json | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = typeof v === 'string' ? v : typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function write(res: Response, chunk: string): Promise<void> {
  if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
}

export function downloadRoutes(storage: Storage, points: PointCache): Router {
  const r = Router();

  r.get('/experiments/:id/download', async (req, res) => {
    const q = parseOr400(downloadQuery, queryOf(req.query), 'query');
    const exp = await storage.getExperiment(parseOr400(idParam, req.params.id, 'id'));
    const cols = await points.get(exp);
    const filtered = q.filter !== undefined || q.front !== undefined;
    if (filtered && q.state !== undefined && q.state !== 'finished') throw new HttpError(400, `state: filters and front apply to finished trials only (got ${q.state})`, 'state');
    const allowed = filtered ? new Set(matchRows(cols, { filter: parseFilter(q.filter), ...(q.front ? { front: true } : {}) }).map((i) => cols.ids[i] as number)) : null;
    const front = new Set(cols.front.map((i) => cols.ids[i] as number));
    const preset = presetOf(exp.config);
    const names = exp.objectives.map((o) => o.name);
    const metricNames = [...names, ...[...cols.metrics.keys()].sort()];
    const state = filtered ? 'finished' : q.state;

    const safeName = exp.name.replace(/[^A-Za-z0-9._-]/g, '_');
    res.status(200).set({
      'Content-Type': q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${safeName}-trials.${q.format}"`,
      'Cache-Control': 'no-store',
    });
    const units = Object.fromEntries(exp.objectives.map((o) => [o.name, o.unit]));
    if (q.format === 'csv') {
      const head = ['number', 'id', 'state', 'feasible', 'on_pareto_front', ...metricNames.map((m) => (units[m] ? `${m} [${units[m]}]` : m)), ...DESIGN_COLUMNS.map((c) => c.name), 'arch', 'hw', 'created_at', 'finished_at', 'error'];
      await write(res, `${head.map(csvCell).join(',')}\r\n`);
    } else await write(res, '[');
    let first = true;
    for (let offset = 0; ; offset += PAGE) {
      const page = await storage.listTrials({ experimentId: exp.id, ...(state ? { state } : {}), ...(q.feasible !== undefined ? { feasible: q.feasible } : {}), sort: 'number', limit: PAGE, offset });
      const chunk: string[] = [];
      for (const t of page.items as TrialRecord[]) {
        if (allowed && !allowed.has(t.id)) continue;
        const design = designOf(t.arch, t.hw, preset);
        if (q.format === 'csv') {
          const cells: (Json | undefined)[] = [t.number, t.id, t.state, t.feasible, front.has(t.id), ...metricNames.map((m) => t.metrics?.[m]), ...DESIGN_COLUMNS.map((c) => design[c.name]), t.arch, t.hw, t.createdAt, t.finishedAt, t.error];
          chunk.push(`${cells.map(csvCell).join(',')}\r\n`);
        } else {
          chunk.push(`${first ? '' : ','}\n${JSON.stringify({ ...t, onParetoFront: front.has(t.id), design })}`);
          first = false;
        }
      }
      if (chunk.length) await write(res, chunk.join(''));
      if (page.items.length < PAGE) break;
    }
    res.end(q.format === 'csv' ? '' : '\n]\n');
  });

  return r;
}
