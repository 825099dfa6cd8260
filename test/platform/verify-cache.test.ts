/**
 * The cache of passed checkpoint verifications (platform/accuracy/verify-cache.ts): an entry counts
 * only for the same weights, dataset, backend, evaluation code and settings; anything unreadable is
 * a miss; an unwritable cache costs only the time. And through createPlatform, a checkpoint whose
 * recorded figure does not reproduce is re-measured (on a scoring worker) and refused, cache or not.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import type { ImageDataset } from '../../datasets/types.ts';
import { parseExperiment } from '../../platform/config.ts';
import { createPlatform } from '../../platform/create-platform.ts';
import { cachedVerification, datasetHash, evaluationCodeHash, storeVerification, verificationCacheDir, type VerificationInputs } from '../../platform/accuracy/verify-cache.ts';
import { initTf } from '../../runtime/tf.ts';
import { MemoryStorage } from '../../storage/memory.ts';
import { EMBEDDED_SUPERNET_DIR } from '../../supernet/embedded.ts';

const INPUTS: VerificationInputs = { weightsSha256: 'a'.repeat(64), dataset: 'd'.repeat(64), backend: 'wasm', code: evaluationCodeHash(), settings: { options: { valLimit: 100 }, recorded: 0.9, epoch: 2 } };
const CHECK = { recorded: 0.9, measured: 0.9012, images: 100, epochs: 2 };

describe('verification cache', () => {
  it('returns a stored pass for the same inputs only, with when it was measured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-verify-cache-'));
    expect(cachedVerification(INPUTS, dir)).toBeNull();
    storeVerification(INPUTS, CHECK, dir, new Date('2026-12-05T00:40:00Z'));
    expect(cachedVerification(INPUTS, dir)).toEqual({ ...CHECK, cachedFrom: '2026-12-05T00:40:00.000Z' });
    for (const changed of [
      { weightsSha256: 'b'.repeat(64) }, { dataset: 'e'.repeat(64) }, { backend: 'cpu' }, { code: 'f'.repeat(64) },
      { settings: { options: { valLimit: 100 }, recorded: 0.91, epoch: 2 } },
    ]) {
      expect(cachedVerification({ ...INPUTS, ...changed }, dir), JSON.stringify(changed)).toBeNull();
    }
  });

  it('treats a damaged entry as a miss and never fails on an unwritable directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-verify-cache-'));
    storeVerification(INPUTS, CHECK, dir);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1); // no temporary file left behind
    const entry = join(dir, files[0] as string);
    writeFileSync(entry, '{"inputs":');
    expect(cachedVerification(INPUTS, dir)).toBeNull();
    writeFileSync(entry, JSON.stringify({ inputs: INPUTS, check: { ...CHECK, measured: 'x' }, at: 'now' }));
    expect(cachedVerification(INPUTS, dir)).toBeNull();
    const ro = mkdtempSync(join(tmpdir(), 'nas-verify-ro-'));
    chmodSync(ro, 0o500);
    expect(() => storeVerification(INPUTS, CHECK, join(ro, 'sub'))).not.toThrow();
  });

  it('hashes the data it was measured on', () => {
    const set = (label: number): ImageDataset => ({ name: 't', images: new Uint8Array(8), labels: Uint8Array.of(label, 1), n: 2, height: 2, width: 2, channels: 1, numClasses: 2, classNames: ['a', 'b'] }) as unknown as ImageDataset;
    expect(datasetHash([set(0)])).toBe(datasetHash([set(0)]));
    expect(datasetHash([set(0)])).not.toBe(datasetHash([set(1)]));
    expect(evaluationCodeHash()).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('a checkpoint whose record does not reproduce', () => {
  it('is re-measured on a scoring worker and refused: a config error from createPlatform', async () => {
    await initTf('wasm');
    const dir = mkdtempSync(join(tmpdir(), 'nas-tampered-'));
    mkdirSync(dir, { recursive: true });
    const state = JSON.parse(readFileSync(join(EMBEDDED_SUPERNET_DIR, 'state.json'), 'utf8')) as { history: { valAccuracyLargest: number }[]; weightsFile: string };
    copyFileSync(join(EMBEDDED_SUPERNET_DIR, state.weightsFile), join(dir, state.weightsFile));
    state.history[state.history.length - 1]!.valAccuracyLargest = 0.5;
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    const cfg = parseExperiment({
      space: 'mbconv', accuracy: { source: 'supernet', checkpoint: dir, valLimit: 50, calibImages: 8, workers: 2 }, hardware: { mode: 'joint' },
      strategy: { name: 'surrogate', options: { hwCandidates: 4, hwPool: 2 } }, objectives: ['accuracy', 'edp_uj_ms'], budget: 4, batch: 2,
    });
    const failed = await createPlatform(cfg, { predictors: new MemoryStorage(), warm: true }).then(() => null, (e: unknown) => e);
    expect(failed).toBeInstanceOf(ConfigError);
    expect(String((failed as Error).message)).toMatch(/records largest-subnet validation accuracy 50\.00 % but scores/);
    expect(verificationCacheDir()).toMatch(/verified$/);
  }, 300_000);
});
