import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, ConfigError } from '../../core/errors.ts';
import { initTf, parseBackendName, probeBackends, tf } from '../../runtime/tf.ts';

describe('tf backend selection', () => {
  afterAll(() => {
    delete process.env.NAS_BACKEND;
  });

  it('probes the three backends and reports why one is unavailable', async () => {
    const probes = await probeBackends();
    expect(probes.map((p) => p.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
    for (const p of probes) if (!p.available) expect(p.reason).toMatch(/\w+/);
    expect(probes.find((p) => p.name === 'wasm')?.available).toBe(true);
    expect(probes.find((p) => p.name === 'cpu')?.available).toBe(true);
  });

  it('defaults to the first available backend in the order tensorflow, wasm, cpu', async () => {
    const probes = await probeBackends();
    const info = await initTf();
    expect(info.backend).toBe(probes.find((p) => p.available)?.name);
    expect(tf.getBackend()).toBe(info.backend);
    expect(info.tfjsVersion).toBe(tf.version_core);
  });

  it('honours an explicit request and NAS_BACKEND', async () => {
    expect((await initTf('cpu')).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    process.env.NAS_BACKEND = 'wasm';
    expect((await initTf()).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync());
    expect(y).toEqual([4, 6]);
  });

  it('asking for an unavailable backend lists the available ones', async () => {
    const probes = await probeBackends();
    const native = probes.find((p) => p.name === 'tensorflow');
    if (native?.available) return; // tfjs-node present: nothing is unavailable here
    const err = await initTf('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).available).toEqual(['wasm', 'cpu']);
    expect((err as Error).message).toMatch(/available: wasm, cpu/);
  });

  it('rejects unknown backend names naming the field and value', () => {
    expect(() => parseBackendName('gpu')).toThrow(ConfigError);
    expect(() => parseBackendName('gpu')).toThrow(/backend.*"gpu"/);
    expect(parseBackendName('tfjs-node')).toBe('tensorflow');
  });
});
