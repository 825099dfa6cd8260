/**
 * Work a layer does outside its MAC loop nest: the residual add of a block (the skip tensor is read
 * back from the backing store and added element-wise on the array's adders) and, on a design whose
 * epilogue is not fused, batch-norm and activation as separate passes over the outputs (read and
 * write every output off chip; one multiply-add or compare per element). Each pass takes at least
 * its bytes ÷ the off-chip bandwidth and its operations ÷ the array's ALUs, and runs after the
 * layer's loop nest (no overlap assumed). Pooling, global pooling and FC layers are loop nests of
 * their own and go through the mapper; a concatenation is free when its producers write adjacent
 * channel slices of one buffer, which is how our layer IR treats it.
 */
import type { LayerSpec } from '../../core/types.ts';
import type { ArchSpec, StorageLevel } from '../spec.ts';

export interface NonMacWork {
  readonly kind: 'residual-add' | 'batchnorm' | 'activation';
  /** Element-wise operations. */
  readonly ops: number;
  /** Bytes to and from the backing store. */
  readonly offChipBytes: number;
  readonly cycles: number;
  readonly energyPj: number;
  /** Applied on write-back by a fused epilogue: no cost. */
  readonly fused: boolean;
}

/** An add alone is 0.03 of a 0.23 pJ 8-b MAC at 45 nm (Horowitz): the fallback without a tech model. */
const ADD_OVER_MAC = 0.03 / 0.23;

export function addEnergyPj(a: ArchSpec): number {
  return a.mac.addPj ?? a.mac.energyPj * ADD_OVER_MAC;
}

function pass(a: ArchSpec, kind: NonMacWork['kind'], elements: number, bytesIn: number, bytesOut: number, opPj: number): NonMacWork {
  const top = a.levels[a.levels.length - 1] as StorageLevel;
  const wordBytes = top.wordBits / 8;
  const wordsIn = bytesIn / wordBytes;
  const wordsOut = bytesOut / wordBytes;
  const bwCycles = top.sharedBandwidth
    ? (wordsIn + wordsOut) / top.readBandwidth
    : Math.max(wordsIn / top.readBandwidth, wordsOut / top.writeBandwidth);
  return {
    kind, ops: elements, offChipBytes: bytesIn + bytesOut, fused: false,
    cycles: Math.ceil(Math.max(elements / a.mac.instances, bwCycles)),
    energyPj: wordsIn * top.energy.read + wordsOut * top.energy.write + elements * opPj,
  };
}

export function nonMacWork(l: LayerSpec, a: ArchSpec): NonMacWork[] {
  if (l.kind === 'pool') return [];
  const outputs = l.n * l.m * (l.kind === 'fc' ? 1 : l.p * l.q);
  const bytes = (outputs * l.bits.outputs) / 8;
  const out: NonMacWork[] = [];
  for (const kind of l.post ?? []) {
    if (a.epilogue !== 'separate') out.push({ kind, ops: outputs, offChipBytes: 0, cycles: 0, energyPj: 0, fused: true });
    else out.push(pass(a, kind, outputs, bytes, bytes, kind === 'batchnorm' ? a.mac.energyPj : addEnergyPj(a)));
  }
  if (l.residualFrom !== undefined) out.push(pass(a, 'residual-add', outputs, bytes, 0, addEnergyPj(a)));
  return out;
}
