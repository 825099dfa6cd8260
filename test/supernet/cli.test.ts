import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { EXIT_CODES } from '../../core/errors.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { readTrainState } from '../../supernet/checkpoint.ts';
import type { TrainConfig } from '../../supernet/train.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';
import { TINY, tinySpace } from './tiny.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'nas', '--backend', 'wasm', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('nas supernet', () => {
  afterEach(() => vi.restoreAllMocks());

  it('trains on a Fashion-MNIST subset, records the checkpoint, and evaluates subnets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-supernet-cli-'));
    const spaceFile = join(dir, 'space.json');
    writeFileSync(spaceFile, JSON.stringify(TINY));
    const db = join(dir, 'nas.db');
    const out = join(dir, 'ckpt');
    const t = await run(['supernet', 'train', '--dataset', 'fashion-mnist', '--train-limit', '32', '--val-limit', '32', '--epochs', '1',
      '--batch-size', '16', '--space-config', spaceFile, '--out', out, '--db', db, '--json']);
    expect(t.err).toBe(`nas: created a new database at ${db} (schema version ${SCHEMA_VERSION})\n`); // said once, when it creates the file
    expect(t.code).toBe(0);
    const result = JSON.parse(t.out) as { epochsDone: number; history: { valAccuracyLargest: number }[] };
    expect(result.epochsDone).toBe(1);
    const storage = await SqliteStorage.open(db, { readonly: true });
    const cps = await storage.listCheckpoints('fashion-mnist');
    await storage.close();
    expect(cps).toHaveLength(1);
    expect(cps[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cps[0]?.accuracyLargest).toBe(result.history[0]?.valAccuracyLargest);
    // the trajectory options land in the checkpoint; the thread count does not
    const opts = readTrainState<TrainConfig>(out).options;
    expect(opts.shards).toBe(2);
    expect(opts.sortChannels).toBe(true);
    const one = join(dir, 'one-shard');
    const t1 = await run(['supernet', 'train', '--dataset', 'fashion-mnist', '--train-limit', '32', '--val-limit', '32', '--epochs', '1',
      '--batch-size', '16', '--space-config', spaceFile, '--out', one, '--db', db, '--shards', '1', '--workers', '1', '--no-sort-channels', '--json']);
    expect(t1.code).toBe(0);
    expect(readTrainState<TrainConfig>(one).options).toMatchObject({ shards: 1, sortChannels: false });
    expect(readTrainState(one).weightsSha256).not.toBe(readTrainState(out).weightsSha256);
    expect((await run(['supernet', 'train', '--out', join(dir, 'bad'), '--db', db, '--shards', '0'])).err).toMatch(/--shards/);

    const r = await run(['supernet', 'eval', '--checkpoint', out, '--random', '2', '--val-limit', '32', '--calib-images', '32', '--json']);
    expect(r.code).toBe(0);
    const scored = JSON.parse(r.out) as { results: { accuracy: number; total: number; key: string }[] };
    expect(scored.results).toHaveLength(2);
    for (const s of scored.results) {
      expect(s.total).toBe(32);
      expect(s.accuracy).toBeGreaterThanOrEqual(0);
      expect(s.accuracy).toBeLessThanOrEqual(1);
    }
    // two worker threads (both cores) score the same subnets to the same figures
    const w = await run(['supernet', 'eval', '--checkpoint', out, '--random', '2', '--val-limit', '32', '--calib-images', '32', '--workers', '2', '--json']);
    expect(w.code).toBe(0);
    expect((JSON.parse(w.out) as typeof scored).results.map((x) => [x.key, x.accuracy])).toEqual(scored.results.map((x) => [x.key, x.accuracy]));
    expect((await run(['supernet', 'eval', '--checkpoint', out, '--random', '2', '--workers', '0'])).err).toMatch(/--workers/);

    // a quantisation-aware fine-tuning phase from this checkpoint, recorded with where it started
    const tuned = join(dir, 'tuned');
    const q = await run(['supernet', 'train', '--dataset', 'fashion-mnist', '--init', out, '--qat', '--train-limit', '32', '--val-limit', '32',
      '--epochs', '1', '--batch-size', '16', '--out', tuned, '--db', db, '--json']);
    expect(q.err).toBe('');
    expect(q.code).toBe(0);
    const s2 = await SqliteStorage.open(db, { readonly: true });
    const all = await s2.listCheckpoints('fashion-mnist');
    await s2.close();
    const meta = all.find((c) => c.path.startsWith(tuned))?.metadata as { qat: boolean; init: { dir: string; epochsDone: number } };
    expect(meta.qat).toBe(true);
    expect(meta.init).toMatchObject({ dir: out, epochsDone: 1 });
    const clash = await run(['supernet', 'train', '--init', out, '--space-config', spaceFile, '--out', join(dir, 'x'), '--db', db]);
    expect(clash.code).toBe(EXIT_CODES.usage);
    expect(clash.err).toMatch(/--init/);

    const archFile = join(dir, 'arch.json');
    writeFileSync(archFile, JSON.stringify([tinySpace().largest()]));
    const a = await run(['supernet', 'eval', '--checkpoint', out, '--arch', archFile, '--val-limit', '16', '--calib-images', '16']);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/ACC\s+N\s+SUBNET/);

    writeFileSync(archFile, JSON.stringify({ ...tinySpace().largest(), resolution: 99 }));
    const bad = await run(['supernet', 'eval', '--checkpoint', out, '--arch', archFile]);
    expect(bad.code).toBe(EXIT_CODES.invalidArch);
    expect(bad.err).toMatch(/resolution/);
    const both = await run(['supernet', 'eval', '--checkpoint', out]);
    expect(both.code).toBe(EXIT_CODES.usage);

    // the test split is scored only on request (final reporting); its size is the Fashion-MNIST test split
    const test = await run(['supernet', 'eval', '--checkpoint', out, '--arch', 'smallest', '--split', 'test', '--calib-images', '16', '--json']);
    expect(test.code).toBe(0);
    const testScore = JSON.parse(test.out) as { split: string; results: { total: number; describe: string }[] };
    expect(testScore.split).toBe('test');
    expect(testScore.results[0]?.total).toBe(10_000);
    const badSplit = await run(['supernet', 'eval', '--checkpoint', out, '--arch', 'largest', '--split', 'train']);
    expect(badSplit.code).toBe(EXIT_CODES.config);
    expect(badSplit.err).toMatch(/--split.*train/);
  });

  it('trains one subnet stand-alone from --subnet and records it as such', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nas-supernet-cli-'));
    const spaceFile = join(dir, 'space.json');
    writeFileSync(spaceFile, JSON.stringify(TINY));
    const subnetFile = join(dir, 'subnet.json');
    writeFileSync(subnetFile, JSON.stringify(tinySpace().smallest()));
    const db = join(dir, 'nas.db');
    const t = await run(['supernet', 'train', '--train-limit', '32', '--val-limit', '16', '--epochs', '1', '--batch-size', '16',
      '--space-config', spaceFile, '--subnet', subnetFile, '--out', join(dir, 'alone'), '--db', db, '--json']);
    expect(t.err).toBe(`nas: created a new database at ${db} (schema version ${SCHEMA_VERSION})\n`); // said once, when it creates the file
    expect(t.code).toBe(0);
    const storage = await SqliteStorage.open(db, { readonly: true });
    const cps = await storage.listCheckpoints('fashion-mnist');
    await storage.close();
    expect((cps[0]?.metadata as { standalone?: unknown }).standalone).toEqual(tinySpace().smallest());
    writeFileSync(subnetFile, JSON.stringify({ ...tinySpace().smallest(), kernels: 'x' }));
    const bad = await run(['supernet', 'train', '--space-config', spaceFile, '--subnet', subnetFile, '--out', join(dir, 'bad'), '--db', db]);
    expect(bad.code).toBe(EXIT_CODES.invalidArch);
    expect(bad.err).toMatch(/kernels/);
  });
});
