/**
 * Trial routes: one trial's full record (with its experiment's objectives, for display) and, when
 * the server was given an exporter, writing its export bundle. The client never names a path: the
 * exporter alone decides where bundles go, so requests cannot write outside its folder.
 */
import { Router } from 'express';
import type { Storage } from '../../storage/storage.ts';
import type { ExperimentRecord, TrialRecord } from '../../storage/types.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { emptyQuery, exportBody, idParam, queryOf, type ExportFormat } from '../params.ts';

export interface ExportRequest {
  readonly experiment: ExperimentRecord;
  readonly trial: TrialRecord;
  /** What the client asked for; absent = every format the experiment can produce (the exporter decides). */
  readonly formats?: readonly ExportFormat[];
}

export interface ExportResult {
  /** Folder the bundle was written to. */
  readonly dir: string;
  /** Files written, relative to `dir`. */
  readonly files: readonly string[];
}

/** Writes a trial's bundle (export/ provides the real one; the CLI wires it in). */
export type TrialExporter = (request: ExportRequest) => Promise<ExportResult>;

export function trialRoutes(storage: Storage, exporter: TrialExporter | undefined): Router {
  const r = Router();
  let exporting = false;

  r.get('/trials/:id', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const trial = await storage.getTrial(parseOr400(idParam, req.params.id, 'id'));
    const exp = await storage.getExperiment(trial.experimentId);
    res.json({
      trial,
      experiment: { id: exp.id, name: exp.name, space: exp.space, status: exp.status, objectives: exp.objectives },
      exportable: exporter !== undefined && trial.state === 'finished',
    });
  });

  r.post('/trials/:id/export', async (req, res) => {
    parseOr400(emptyQuery, queryOf(req.query), 'query');
    const id = parseOr400(idParam, req.params.id, 'id');
    const body = parseOr400(exportBody, req.body ?? {}, 'body');
    if (!exporter) throw new HttpError(404, 'export is not enabled on this server', 'exporter');
    const trial = await storage.getTrial(id);
    if (trial.state !== 'finished') throw new HttpError(409, `trial ${id} is ${trial.state}; only finished trials can be exported`, 'id');
    // Exports train nothing but do build models: one at a time keeps the UI server responsive.
    if (exporting) throw new HttpError(429, 'another export is running; try again when it finishes', 'id');
    exporting = true;
    try {
      const experiment = await storage.getExperiment(trial.experimentId);
      const result = await exporter({ experiment, trial, ...(body.formats ? { formats: body.formats } : {}) });
      res.status(201).json({ trialId: id, dir: result.dir, files: result.files });
    } finally {
      exporting = false;
    }
  });

  return r;
}
