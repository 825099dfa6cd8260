/**
 * `nas predictor train --kind accuracy --space mbconv`: samples scored by the shipped supernet, either
 * in-process (--samples) or read from `nas supernet eval --json` outputs (--evals), stored with the
 * training-set size and its fidelity: one held-out split (--folds 0) or k-fold cross-validation (the
 * default), printed and stored; bad eval files and recipe flags are refused naming the flag.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { runCli } from './run.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';

const checkpoint = fileURLToPath(new URL('../../models/fashion-mnist-supernet', import.meta.url));

describe('nas predictor train --space mbconv', () => {
  it('fits on supernet scores from --samples and from --evals files, and stores the predictor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-predictor-'));
    const db = join(dir, 'nas.db');
    const direct = await runCli('--backend', 'wasm', 'predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--samples', '20', '--val-limit', '300',
      '--hidden', '8', '--epochs', '3', '--folds', '0', '--db', db, '--json');
    expect(direct.stderr).toBe(`nas: created a new database at ${db} (schema version ${SCHEMA_VERSION})\n`);
    expect(direct.code).toBe(0);
    expect(JSON.parse(direct.stdout)).toMatchObject({ space: 'mbconv', trainSize: 16, testSize: 4, crossValidation: null });

    const evals = await runCli('--backend', 'wasm', 'supernet', 'eval', '--checkpoint', checkpoint, '--random', '15', '--seed', 'p', '--val-limit', '300', '--calib-images', '32', '--json');
    expect(evals.code).toBe(0);
    const file = join(dir, 'a.json');
    writeFileSync(file, evals.stdout);
    const fromFile = await runCli('--backend', 'wasm', 'predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--evals', file, '--hidden', '8', '--epochs', '3', '--db', db, '--json');
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    // Default: 5-fold cross-validation reported, then the stored predictor trained on all 15.
    const meta = JSON.parse(fromFile.stdout) as { id: number; trainSize: number; testSize: number; source: string; kendallTau: number | null; heldOutRmse: number; crossValidation: { folds: number; kendallTauMean: number | null; rmseMean: number; perFold: { testSize: number }[] } };
    expect(meta).toMatchObject({ trainSize: 15, testSize: 0, source: `supernet:${checkpoint}` });
    expect(meta.crossValidation.folds).toBe(5);
    expect(meta.crossValidation.perFold.map((f) => f.testSize)).toEqual([3, 3, 3, 3, 3]);
    expect(meta.kendallTau).toBe(meta.crossValidation.kendallTauMean);
    expect(meta.heldOutRmse).toBe(meta.crossValidation.rmseMean);
    const human = await runCli('--backend', 'wasm', 'predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--evals', file, '--hidden', '8', '--epochs', '2', '--folds', '3',
      '--schedule', 'cosine', '--ensemble', '2', '--patience', '1', '--db', db);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/trained on 15; 3-fold cross-validation: RMSE \d+\.\d+ ± \d+\.\d+ pp, Kendall τ (-?\d\.\d+ ± \d\.\d+|undefined)/);
    const s = await SqliteStorage.open(db, { readonly: true });
    const stored = await s.listPredictors('accuracy');
    expect(stored).toHaveLength(3);
    expect(stored.find((r) => r.id === meta.id)?.metadata).toMatchObject({ crossValidation: { folds: 5 } });
    expect(stored[0]?.metadata).toMatchObject({ members: 2, crossValidation: { folds: 3 } });
    await s.close();
    const badFlag = await runCli('predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--evals', file, '--schedule', 'step', '--db', db);
    expect(badFlag.code).toBe(3);
    expect(badFlag.stderr).toMatch(/--schedule/);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ checkpoint, results: [{ key: 'k', arch: {}, accuracy: 3 }] }));
    const refused = await runCli('predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--evals', bad, '--db', db);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--evals .*results\.0\.accuracy/);
  }, 600_000);
});
