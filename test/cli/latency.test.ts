import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../runtime/tf.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { currentProvenance, storedProvenance } from '../../estimators/lut/provenance.ts';
import type { LatencyClock } from '../../estimators/lut/timing.ts';
import { tempDir } from '../datasets/helpers.ts';
import { runCli } from './run.ts';

beforeAll(async () => {
  await initTf('wasm');
});

/** A database holding one LUT row per clock given, under this machine's wasm provenance. */
async function lutDb(path: string, clocks: LatencyClock[]): Promise<void> {
  const s = await SqliteStorage.open(path);
  try {
    await s.upsertLutEntries(
      clocks.map((clock) => ({ ...storedProvenance(currentProvenance(1, clock)), key: 'stem', medianMs: 1, meanMs: 1, stdMs: 0, spreadMs: 0, count: 1 })),
    );
  } finally {
    await s.close();
  }
}

describe('nas lut / latency --clock', () => {
  it('lut show labels legacy rows as wall-clock and suffixed rows as cpu-clock', async () => {
    const { dir, done } = tempDir('nas-cli-lut-');
    try {
      const db = join(dir, 'lut.db');
      await lutDb(db, ['wall', 'cpu']);
      const r = await runCli('lut', 'show', '--json', '--db', db);
      expect(r.code).toBe(0);
      const labels = (JSON.parse(r.stdout) as { summary: { provenance: string }[] }).summary.map((x) => x.provenance);
      expect(labels).toHaveLength(2);
      expect(labels.filter((l) => l.includes('/wasm/') || l.startsWith('wasm/'))).toHaveLength(2);
      expect(labels.some((l) => l.includes('/cpu-clock/'))).toBe(true);
      expect(labels.some((l) => l.includes('/wall-clock/'))).toBe(true);
    } finally {
      done();
    }
  });

  it('latency validate refuses a LUT of the other clock, naming both; a bad --clock names the flag', async () => {
    const { dir, done } = tempDir('nas-cli-latency-');
    try {
      const db = join(dir, 'lat.db');
      await lutDb(db, ['wall']);
      const r = await runCli('--backend', 'wasm', 'latency', 'validate', '--db', db, '--clock', 'cpu');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/wall clock; timings on the cpu clock/);
      const bad = await runCli('--backend', 'wasm', 'lut', 'build', '--db', db, '--clock', 'sundial');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--clock/);
      expect(bad.stderr).toMatch(/sundial/);
    } finally {
      done();
    }
  });
});
