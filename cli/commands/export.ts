/** `nas export EXP TRIAL --out DIR [--format tfjs,onnx,json]`: a picked trial as a deployable bundle. */
import type { Command } from 'commander';
import { initTf } from '../../runtime/tf.ts';
import { NotFoundError } from '../../core/errors.ts';
import { exportableFormats, exportTrial, recordedProvenance } from '../../platform/export-trial.ts';
import { globalOptions, intArg, printJson, withDb, withJson } from '../context.ts';
import { findExperiment, openDb } from '../open-db.ts';

export function registerExport(program: Command): void {
  withJson(withDb(program.command('export')))
    .argument('<experiment>', 'experiment id or name')
    .argument('<trial>', 'trial number within the experiment', intArg('trial', 1))
    .requiredOption('--out <dir>', 'bundle directory (created; must be empty unless --overwrite)')
    .option('--format <list>', 'tfjs,onnx,json (default: all the experiment supports; tfjs/onnx need a supernet-backed experiment)')
    .option('--overwrite', 'replace an earlier bundle in --out')
    .description('write a trial as a bundle: model, arch, accelerator with mapping, metrics with provenance')
    .action(async (ref: string, number: number, opts: { db: string; out: string; format?: string; overwrite?: boolean; json?: boolean }, cmd: Command) => {
      const storage = await openDb(opts.db, 'read');
      try {
        const exp = await findExperiment(storage, ref);
        const formats = opts.format !== undefined ? opts.format.split(',').map((f) => f.trim()).filter(Boolean) : exportableFormats(await storage.getExperiment(exp.id));
        if (formats.some((f) => f !== 'json')) await initTf(globalOptions(cmd).backend);
        const page = await storage.listTrials({ experimentId: exp.id, sort: 'number', offset: number - 1, limit: 1 });
        const trial = page.items[0];
        if (!trial || trial.number !== number) throw new NotFoundError(`trial of experiment ${exp.name}`, number);
        const r = await exportTrial(await storage.getExperiment(exp.id), trial, { out: opts.out, formats, overwrite: opts.overwrite, formatsField: '--format', provenance: await recordedProvenance(storage, exp.id) });
        if (opts.json) return printJson(r);
        process.stdout.write(`bundle written to ${r.dir}\n${r.files.map((f) => `  ${f.name}  ${f.bytes} B  sha256 ${f.sha256.slice(0, 12)}…`).join('\n')}\n`);
      } finally {
        await storage.close();
      }
    });
}
