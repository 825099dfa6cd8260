import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { initTf } from '../../runtime/tf.ts';
import { loadSupernet, STATE_FILE } from '../../supernet/checkpoint.ts';
import { trainSupernet, type TrainConfig } from '../../supernet/train.ts';
import { verifyRecordedAccuracy } from '../../supernet/verify.ts';
import { syntheticImages, tinySpace } from './tiny.ts';
import { installKernels } from '../../runtime/kernels/install.ts';
installKernels();

const train = syntheticImages('train', 48);
const val = syntheticImages('val', 40);

describe('verifyRecordedAccuracy', () => {
  let dir: string;
  beforeAll(async () => {
    await initTf('wasm');
    dir = mkdtempSync(join(tmpdir(), 'supernet-verify-'));
    await trainSupernet({ space: tinySpace(), dataset: 'synthetic', train, val, out: dir, config: { epochs: 1, batchSize: 16, calibImages: 16, randomSubnets: 1, seed: 'verify' } });
  });

  it('reproduces the accuracy training recorded, and refuses a checkpoint whose record does not match', () => {
    const { net, space, state } = loadSupernet<Partial<TrainConfig>>(dir);
    try {
      const check = verifyRecordedAccuracy(net, space, state, { train, val, norm: state.norm }, dir);
      expect(check.measured).toBe(check.recorded);
      expect(check.images).toBe(40);
      // a record off by more than the tolerance (e.g. weights swapped after training) is refused
      const tampered = { ...state, history: state.history.map((h) => ({ ...h, valAccuracyLargest: h.valAccuracyLargest > 0.5 ? 0.1 : 0.9 })) };
      expect(() => verifyRecordedAccuracy(net, space, tampered, { train, val, norm: state.norm }, dir)).toThrow(ConfigError);
      expect(() => verifyRecordedAccuracy(net, space, tampered, { train, val, norm: state.norm }, dir)).toThrow(/records largest-subnet validation accuracy/);
      expect(() => verifyRecordedAccuracy(net, space, { ...state, history: [] }, { train, val, norm: state.norm }, dir)).toThrow(/no validation accuracy/);
    } finally {
      net.dispose();
    }
    // the state file is what the check reads: editing it by hand is caught the same way
    const file = join(dir, STATE_FILE);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { history: { valAccuracyLargest: number }[] };
    doc.history[0]!.valAccuracyLargest = doc.history[0]!.valAccuracyLargest > 0.5 ? 0 : 1;
    writeFileSync(file, JSON.stringify(doc));
    const again = loadSupernet<Partial<TrainConfig>>(dir);
    try {
      expect(() => verifyRecordedAccuracy(again.net, again.space, again.state, { train, val, norm: again.state.norm }, dir)).toThrow(dir);
    } finally {
      again.net.dispose();
    }
  });
});
