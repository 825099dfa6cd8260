/**
 * Trial routes: one trial's full record (with its experiment's objectives, design choices and
 * front membership), its per-layer accelerator breakdown, and — when the server was given an
 * exporter — writing its export bundle and downloading that bundle as one zip archive. The client
 * never names a path: the exporter alone decides where bundles go, so requests cannot write
 * outside its folder, and the zip holds exactly the files the exporter reported.
 */
import { basename } from 'node:path';
import { Router } from 'express';
import { zip, type Zippable } from 'fflate';
import { LRUCache } from 'lru-cache';
import type { AcceleratorBreakdown } from '../../export/breakdown.ts';
import { readNoFollow } from '../../export/safe-dir.ts';
import type { Storage } from '../../storage/storage.ts';
import type { ExperimentRecord, TrialRecord } from '../../storage/types.ts';
import { designOf, presetOf } from '../design.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { emptyQuery, exportBody, idParam, queryOf, type ExportFormat } from '../params.ts';
import type { PointCache } from '../points.ts';

export interface ExportRequest {
  readonly experiment: ExperimentRecord;
  readonly trial: TrialRecord;
  /** What the client asked for; absent = every format the experiment can produce. */
  readonly formats?: readonly ExportFormat[];
}

export interface ExportResult {
  /** Folder the bundle was written to (stays on the server: the zip download reads from it). */
  readonly dir: string;
  /** How the folder is named to clients (e.g. relative to the database's folder); default its last segment. */
  readonly shown?: string;
  /** Files written, relative to `dir`. */
  readonly files: readonly string[];
}

/** Writes trial bundles (export/ provides the real one; `nas ui` wires it in). */
export interface TrialExporter {
  /** The formats this experiment can be exported in (tfjs/onnx need supernet weights). */
  formats(experiment: ExperimentRecord): readonly ExportFormat[];
  write(request: ExportRequest): Promise<ExportResult>;
}

/** Per-layer accelerator costs of a trial (null for network-only experiments). */
export type TrialBreakdown = (experiment: ExperimentRecord, trial: TrialRecord) => Promise<AcceleratorBreakdown | null>;

function zipped(files: Zippable): Promise<Uint8Array> {
  // Weights are float32 noise to a compressor: a low level keeps the archive fast to build.
  return new Promise((resolve, reject) => zip(files, { level: 1 }, (err, data) => (err ? reject(err) : resolve(data))));
}

export function trialRoutes(storage: Storage, points: PointCache, exporter: TrialExporter | undefined, breakdown: TrialBreakdown | undefined): Router {
  const r = Router();
  let exporting = false;
  const written = new LRUCache<number, ExportResult & { name: string }>({ max: 256 });
  const costs = new LRUCache<number, Promise<AcceleratorBreakdown | null>>({ max: 64 });
  const trialOf = async (raw: unknown) => storage.getTrial(parseOr400(idParam, raw, 'id'));

  r.get('/trials/:id', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const trial = await trialOf(req.params.id);
    const exp = await storage.getExperiment(trial.experimentId);
    let onFront: boolean | null = null;
    if (trial.state === 'finished') {
      const cols = await points.get(exp);
      const row = cols.ids.indexOf(trial.id);
      onFront = row >= 0 ? (cols.onFront[row] as boolean) : null;
    }
    res.json({
      trial,
      experiment: { id: exp.id, name: exp.name, space: exp.space, status: exp.status, objectives: exp.objectives },
      design: designOf(trial.arch, trial.hw, presetOf(exp.config)),
      onFront,
      exportable: exporter !== undefined && trial.state === 'finished',
      exportFormats: exporter ? exporter.formats(exp) : [],
      breakdown: breakdown !== undefined && trial.state === 'finished',
      bundle: written.has(trial.id) ? `/api/trials/${trial.id}/bundle.zip` : null,
    });
  });

  r.get('/trials/:id/breakdown', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const trial = await trialOf(req.params.id);
    if (!breakdown) throw new HttpError(404, 'the per-layer breakdown is not enabled on this server', 'id');
    let p = costs.get(trial.id);
    if (!p) {
      const exp = await storage.getExperiment(trial.experimentId);
      costs.set(trial.id, (p = breakdown(exp, trial)));
      p.catch(() => costs.delete(trial.id));
    }
    const b = await p;
    if (!b) throw new HttpError(404, `experiment of trial ${trial.id} searched the network alone: no accelerator to break down`, 'id');
    res.json({ trialId: trial.id, ...b });
  });

  r.post('/trials/:id/export', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const id = parseOr400(idParam, req.params.id, 'id');
    const body = parseOr400(exportBody, req.body ?? {}, 'body');
    if (!exporter) throw new HttpError(404, 'export is not enabled on this server', 'exporter');
    const trial = await storage.getTrial(id);
    if (trial.state !== 'finished') throw new HttpError(409, `trial ${id} is ${trial.state}; only finished trials can be exported`, 'id');
    const experiment = await storage.getExperiment(trial.experimentId);
    const can = exporter.formats(experiment);
    const bad = body.formats?.find((f) => !can.includes(f));
    if (bad) throw new HttpError(400, `formats: experiment ${experiment.name} cannot be exported as ${bad} (available: ${can.join(', ')})`, 'formats');
    // Exports train nothing but do build models: one at a time keeps the UI server responsive.
    if (exporting) throw new HttpError(429, 'another export is running; try again when it finishes', 'id');
    exporting = true;
    try {
      const result = await exporter.write({ experiment, trial, ...(body.formats ? { formats: body.formats } : {}) });
      written.set(id, { ...result, name: `${experiment.name}-trial-${trial.number}`.replace(/[^A-Za-z0-9._-]/g, '_') });
      res.status(201).json({ trialId: id, dir: result.shown ?? basename(result.dir), files: result.files, download: `/api/trials/${id}/bundle.zip` });
    } finally {
      exporting = false;
    }
  });

  r.get('/trials/:id/bundle.zip', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const id = parseOr400(idParam, req.params.id, 'id');
    const b = written.get(id);
    if (!b) throw new HttpError(404, `trial ${id} has no bundle from this server yet: export it first (POST /api/trials/${id}/export)`, 'id');
    const files: Zippable = {};
    for (const f of b.files) files[`${b.name}/${f}`] = new Uint8Array(await readNoFollow(b.dir, f));
    const data = await zipped(files);
    res.status(200).set({ 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${b.name}.zip"`, 'Cache-Control': 'no-store' });
    res.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });

  return r;
}
