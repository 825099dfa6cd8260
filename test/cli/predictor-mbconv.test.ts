/**
 * `nas predictor train --kind accuracy --space mbconv`: samples scored by the shipped supernet, either
 * in-process (--samples) or read from `nas supernet eval --json` outputs (--evals), stored with the
 * training-set size; bad eval files are refused naming --evals.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { runCli } from './run.ts';

const checkpoint = fileURLToPath(new URL('../../models/fashion-mnist-supernet', import.meta.url));

describe('nas predictor train --space mbconv', () => {
  it('fits on supernet scores from --samples and from --evals files, and stores the predictor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-predictor-'));
    const db = join(dir, 'nas.db');
    const direct = await runCli('--backend', 'wasm', 'predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--samples', '20', '--val-limit', '300',
      '--hidden', '8', '--epochs', '3', '--db', db, '--json');
    expect(direct.stderr).toBe('');
    expect(direct.code).toBe(0);
    expect(JSON.parse(direct.stdout)).toMatchObject({ space: 'mbconv', trainSize: 16, testSize: 4 });

    const evals = await runCli('--backend', 'wasm', 'supernet', 'eval', '--checkpoint', checkpoint, '--random', '15', '--seed', 'p', '--val-limit', '300', '--calib-images', '32', '--json');
    expect(evals.code).toBe(0);
    const file = join(dir, 'a.json');
    writeFileSync(file, evals.stdout);
    const fromFile = await runCli('--backend', 'wasm', 'predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--evals', file, '--hidden', '8', '--epochs', '3', '--db', db, '--json');
    expect(fromFile.stderr).toBe('');
    expect(fromFile.code).toBe(0);
    const meta = JSON.parse(fromFile.stdout) as { trainSize: number; testSize: number; source: string };
    expect(meta.trainSize + meta.testSize).toBe(15);
    expect(meta.source).toBe(`supernet:${checkpoint}`);
    const s = await SqliteStorage.open(db, { readonly: true });
    expect(await s.listPredictors('accuracy')).toHaveLength(2);
    await s.close();

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ checkpoint, results: [{ key: 'k', arch: {}, accuracy: 3 }] }));
    const refused = await runCli('predictor', 'train', '--kind', 'accuracy', '--space', 'mbconv', '--evals', bad, '--db', db);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--evals .*results\.0\.accuracy/);
  }, 240_000);
});
