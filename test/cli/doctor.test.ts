import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultNb201CsvPath } from '../../datasets/nb201-source.ts';
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../cli/commands/doctor.ts';
import { probeBackends } from '../../runtime/tf.ts';
import { SCHEMA_VERSION } from '../../storage/schema.ts';
import { SqliteStorage } from '../../storage/sqlite.ts';
import { tempDir } from '../datasets/helpers.ts';
import { runCli } from './run.ts';

describe('nas doctor', () => {
  it('--json prints one JSON document: versions, backends, datasets with counts, database', async () => {
    const { dir, done } = tempDir('nas-cli-doctor-');
    try {
      const db = join(dir, 'nas.db');
      const r = await runCli('doctor', '--json', '--db', db);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as DoctorReport;
      expect(r.stdout.trim().startsWith('{') && r.stdout.trim().endsWith('}')).toBe(true);
      expect(doc.node).toBe(process.version);
      expect(doc.tfjs).toMatch(/^\d+\.\d+\.\d+$/);
      expect(doc.backend.available).toContain('cpu');
      expect(doc.backend.available).toContain(doc.backend.active);
      expect(doc.backend.probes.map((p) => p.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
      const ds = Object.fromEntries(doc.datasets.map((d) => [d.name, d]));
      expect(ds['fashion-mnist']).toMatchObject({ available: true, train: 60_000, test: 10_000, shape: [28, 28, 1], classes: 10 });
      expect(ds['mnist']).toMatchObject({ available: true, train: 60_000, test: 10_000 });
      expect(Object.keys(ds).sort()).toEqual(['cifar10', 'fashion-mnist', 'idx', 'mnist']);
      expect(doc.database).toEqual({ path: db, exists: false, schemaVersion: null, supportedVersion: SCHEMA_VERSION, problem: null, note: null });
      expect(doc.tables).toEqual([{ name: 'nb201', path: defaultNb201CsvPath(), available: existsSync(defaultNb201CsvPath()), via: expect.stringMatching(/^(env|cache|shared|missing)$/) }]);

      const s = await SqliteStorage.open(db);
      await s.close();
      const again = JSON.parse((await runCli('doctor', '--json', '--db', db)).stdout) as DoctorReport;
      expect(again.database).toMatchObject({ exists: true, schemaVersion: SCHEMA_VERSION, problem: null });
      const text = await runCli('doctor', '--db', db);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^node {6}v\d+/);
      expect(text.stdout).toContain(`schema version ${SCHEMA_VERSION}`);
      expect(text.stdout).toMatch(/\ntables\n {2}nb201 {10}(missing — nas datasets get nb201|\/.*nats_bench\.csv \((env|cache|shared)\))\n/);
    } finally {
      done();
    }
  });

  it('--backend foo → exit 3 naming the backends to choose from', async () => {
    const r = await runCli('--backend', 'foo', 'doctor', '--json');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nas: backend: unknown backend; choose one of tensorflow, wasm, cpu \(got "foo"\)/);
  });

  it('a known but unavailable backend → exit 5 listing the available ones', async () => {
    const probes = await probeBackends();
    const missing = probes.find((p) => !p.available);
    if (!missing) return; // every backend is installed here: nothing to ask for that is unavailable
    const r = await runCli('--backend', missing.name, 'doctor');
    expect(r.code).toBe(5);
    const available = probes.filter((p) => p.available).map((p) => p.name);
    expect(r.stderr).toContain(`available: ${available.join(', ')}`);
  });

  it('unknown command → exit 2 (usage); --help → exit 0 listing the commands', async () => {
    const r = await runCli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    const h = await runCli('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/doctor/);
    expect(h.stdout).toMatch(/experiments/);
  });
});
