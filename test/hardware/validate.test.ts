/**
 * `nas hw validate`: the published-silicon checks run in any clone (Eyeriss chip table, chip
 * areas); the reference-tool suites run when ../shared/research/data is present, every exact case
 * matching; a disagreeing exact case exits 10, a missing --data directory exits 6, and a data
 * directory without a tool's folder skips that suite with the reason.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { EXIT_CODES } from '../../core/errors.ts';
import { CHIP_MAPPER_BUDGET, eyerissChipChecks } from '../../hardware/validate/chip-refs.ts';
import type { ValidationReport } from '../../hardware/validate/index.ts';
import { DATA_DIR, SKIP_REASON, hasData } from './scalesim-fixtures.ts';
import { needsReferenceData } from '../reference-data.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err.push(String(s)); return true; });
  try {
    return { code: await main(['node', 'nas', 'hw', 'validate', ...args]), out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('Eyeriss chip table (JSSC 2017, AlexNet CONV1–5, batch 4)', () => {
  it('every layer within ±20 % of the chip\'s latency and ±30 % of its DRAM traffic, coded traffic never above the uncoded', () => {
    const checks = eyerissChipChecks();
    const lat = checks.filter((c) => c.metric === 'latency ms');
    const dram = checks.filter((c) => c.metric.startsWith('DRAM'));
    expect(lat).toHaveLength(5);
    expect(dram).toHaveLength(5);
    for (const c of lat) expect(Math.abs(c.error), c.case).toBeLessThanOrEqual(0.2);
    for (const c of dram) expect(Math.abs(c.error), c.case).toBeLessThanOrEqual(0.3);
    for (const c of dram) expect(c.ours, c.case).toBeLessThanOrEqual(Number(/uncoded ([\d.]+)/.exec(c.note ?? '')?.[1]) + 0.005);
  });

  it('is seed-robust: seeds 13–18 (whose search once settled CONV2 in its 5.52 MB basin, +38 %) meet the same goals', () => {
    const checks = eyerissChipChecks({ ...CHIP_MAPPER_BUDGET, seeds: [13, 14, 15, 16, 17, 18] });
    expect(checks).toHaveLength(10);
    for (const c of checks) expect([c.case, c.metric, c.pass]).toEqual([c.case, c.metric, true]);
  });
});

describe('nas hw validate', () => {
  it('runs the built-in area checks anywhere and prints one JSON document', async () => {
    const r = await run(['--suite', 'area', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as ValidationReport;
    expect(rep.checks.map((c) => c.case.split(' (')[0])).toEqual(['Eyeriss', 'DianNao', 'ShiDianNao', 'Simba chiplet', 'TPU v1']);
    expect(rep.exactFailures).toBe(0);
  });

  it('refuses a missing data directory with exit 6 naming it, and a bad suite with exit 3', async () => {
    const missing = join(tmpdir(), 'no-such-reference-data');
    const r = await run(['--data', missing, '--suite', 'timeloop']);
    expect(r.code).toBe(EXIT_CODES.dataset);
    expect(r.err).toContain(missing);
    expect((await run(['--suite', 'timeloop,nope'])).code).toBe(EXIT_CODES.config);
  });

  it('skips a suite whose folder the data directory lacks, saying why', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'refdata-'));
    const r = await run(['--data', empty, '--suite', 'timeloop,scalesim', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as ValidationReport;
    expect(rep.checks).toEqual([]);
    expect(rep.skipped.map((s) => s.suite)).toEqual(['timeloop', 'scalesim']);
    expect(rep.skipped[0]?.reason).toContain('timeloop-ref-outputs');
  });

  it.skipIf(!hasData('timeloop-ref-outputs'))(`every exact Timeloop and SCALE-Sim case matches the reference data${needsReferenceData('timeloop-ref-outputs')}`, async () => {
    const r = await run(['--data', DATA_DIR, '--suite', 'timeloop,scalesim', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as ValidationReport;
    expect(rep.exactFailures).toBe(0);
    expect(rep.checks.filter((c) => c.suite === 'timeloop' && c.metric === 'cycles')).toHaveLength(16);
    expect(rep.checks.filter((c) => c.suite === 'scalesim' && c.exact).length).toBeGreaterThanOrEqual(14);
  });

  it.skipIf(!hasData('bitfusion-results'))(`Bit Fusion: the simulator's compute cycles exactly, our mapper within ±10 % where it is compute-bound${needsReferenceData('bitfusion-results')}`, async () => {
    const r = await run(['--data', DATA_DIR, '--suite', 'bitfusion', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as ValidationReport;
    const of = (metric: string): ValidationReport['checks'] => rep.checks.filter((c) => c.metric === metric);
    const layers = ['conv1_a', 'conv2_a', 'conv3_a', 'conv4_a', 'conv5_a', 'fc1', 'fc2', 'fc3'].map((l) => `AlexNet-WRPN ${l}`);
    expect(of('compute cycles, simulator loop nest').map((c) => c.case)).toEqual(layers);
    for (const c of of('compute cycles, simulator loop nest')) expect([c.case, c.ours]).toEqual([c.case, c.expected]);
    for (const c of of('cycles at 4,096 b/cycle')) expect([c.case, c.pass]).toEqual([c.case, true]);
    // at 192 b/cycle the simulator is bandwidth-bound on conv3–5 and its tiling moves about twice our bytes (README)
    const slow = of('cycles at 192 b/cycle');
    expect(slow.filter((c) => c.pass).map((c) => c.case)).toEqual(expect.arrayContaining(['conv1_a', 'conv2_a', 'fc1', 'fc2', 'fc3'].map((l) => `AlexNet-WRPN ${l}`)));
    for (const c of slow) expect(c.note).toMatch(/DRAM bytes ÷ 24 = \d+; ours: bytes ÷ 24 = \d+/);
  });

  it.skipIf(!hasData('timeloop-ref-outputs'))(`exits 10 when a case marked exact differs (a reference file altered in a copy)${needsReferenceData('timeloop-ref-outputs')}`, async () => {
    const copy = mkdtempSync(join(tmpdir(), 'refdata-bad-'));
    const tut = join(DATA_DIR, 'timeloop-ref-outputs', 'tutorial');
    const first = readdirSync(tut).sort()[0] as string;
    cpSync(join(tut, first), join(copy, 'timeloop-ref-outputs', 'tutorial', first), { recursive: true });
    const out = join(copy, 'timeloop-ref-outputs', 'tutorial', first, 'ref-output');
    const stats = readdirSync(out).find((f) => f.endsWith('stats.txt'));
    expect(stats).toBeDefined();
    const file = join(out, stats as string);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\nCycles: (\d+)/, (_m, n: string) => `\nCycles: ${Number(n) + 1}`));
    const r = await run(['--data', copy, '--suite', 'timeloop']);
    expect(r.code).toBe(EXIT_CODES.check);
    expect(r.err).toMatch(/exact differ/);
    expect(existsSync(file)).toBe(true);
  });

});

describe.skipIf(hasData('timeloop-ref-outputs'))('nas hw validate on the reference tools\' outputs', () => {
  it.skip(SKIP_REASON, () => {});
});
