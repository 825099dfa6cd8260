/**
 * A small accelerator-like space for co-search tests: PE array side and buffer size, 3 × 3 values.
 * One config (32 PEs, 64 kB) fails, as an unmappable design would. Cost on top of the nb201 fixture: latency shrinks with more PEs, energy grows with the buffer.
 */
import { InvalidArchError } from '../../core/errors.ts';
import type { Rng } from '../../core/rng.ts';
import type { JsonObject, Metrics } from '../../core/types.ts';
import type { SearchSpace } from '../../core/space/space.ts';
import type { Nb201Arch } from '../../search-space/nb201.ts';
import type { Joint } from '../../core/space/joint.ts';
import type { Candidate } from '../../strategies/strategy.ts';
import { evaluate as evalArch, mmacs } from './fixture.ts';

export interface ToyHw extends JsonObject {
  readonly pes: number;
  readonly bufferKb: number;
}

const PES = [8, 16, 32];
const BUF = [64, 128, 256];

export class ToyHwSpace implements SearchSpace<ToyHw> {
  readonly name = 'toyhw';
  readonly encodingLength = 6;
  sample(rng: Rng): ToyHw {
    return { pes: rng.choice(PES), bufferKb: rng.choice(BUF) };
  }
  mutate(x: ToyHw, rng: Rng, p: number): ToyHw {
    let pes = rng.bool(p) ? rng.choice(PES.filter((v) => v !== x.pes)) : x.pes;
    let bufferKb = rng.bool(p) ? rng.choice(BUF.filter((v) => v !== x.bufferKb)) : x.bufferKb;
    if (pes === x.pes && bufferKb === x.bufferKb) {
      if (rng.bool()) pes = rng.choice(PES.filter((v) => v !== x.pes));
      else bufferKb = rng.choice(BUF.filter((v) => v !== x.bufferKb));
    }
    return { pes, bufferKb };
  }
  crossover(a: ToyHw, b: ToyHw, rng: Rng): ToyHw {
    return { pes: rng.bool() ? a.pes : b.pes, bufferKb: rng.bool() ? a.bufferKb : b.bufferKb };
  }
  encode(x: ToyHw): number[] {
    return [...PES.map((v) => (v === x.pes ? 1 : 0)), ...BUF.map((v) => (v === x.bufferKb ? 1 : 0))];
  }
  decode(v: readonly number[]): ToyHw {
    const i = v.slice(0, 3).indexOf(1);
    const j = v.slice(3).indexOf(1);
    if (i < 0 || j < 0) throw new InvalidArchError('encoding', v, 'needs one hot per group');
    return { pes: PES[i] as number, bufferKb: BUF[j] as number };
  }
  validate(x: unknown): ToyHw {
    const o = x as ToyHw;
    if (!PES.includes(o?.pes)) throw new InvalidArchError('pes', o?.pes, `must be one of ${PES.join(', ')}`);
    if (!BUF.includes(o?.bufferKb)) throw new InvalidArchError('bufferKb', o?.bufferKb, `must be one of ${BUF.join(', ')}`);
    return { pes: o.pes, bufferKb: o.bufferKb };
  }
  key(x: ToyHw): string {
    return `pe${x.pes}-buf${x.bufferKb}`;
  }
  size(): bigint {
    return 9n;
  }
  *enumerate(): Iterable<ToyHw> {
    for (const pes of PES) for (const bufferKb of BUF) yield { pes, bufferKb };
  }
  decisions(): readonly number[] {
    return [PES.length, BUF.length];
  }
  fromChoices(choices: readonly number[]): ToyHw {
    return this.validate({ pes: PES[choices[0] as number], bufferKb: BUF[choices[1] as number] });
  }
  choices(x: ToyHw): number[] {
    return [PES.indexOf(x.pes), BUF.indexOf(x.bufferKb)];
  }
}

export const hwSpace = new ToyHwSpace();

export async function evaluateJoint(c: Candidate<Joint<Nb201Arch, ToyHw>>): Promise<Metrics> {
  if (c.x.hw.pes === 32 && c.x.hw.bufferKb === 64) throw new Error(`simulated mapper failure on ${c.key}`);
  const m = await evalArch({ id: c.id, x: c.x.arch, key: c.key });
  const macs = mmacs(c.x.arch);
  return { accuracy: m['accuracy'] as number, latency: (macs * 16) / c.x.hw.pes + 256 / c.x.hw.bufferKb, energy: macs * (1 + c.x.hw.bufferKb / 256) + c.x.hw.pes / 8 };
}
