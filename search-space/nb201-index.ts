/**
 * Arch ↔ benchmark index. NAS-Bench-201 numbers its 15,625 cells in its own order (row i of
 * nats_bench.csv is index i); the order is stored in nb201-order.ts (generated from the CSV,
 * verified row by row in test/search-space/nb201-table.test.ts).
 */
import { InvalidArchError } from '../core/errors.ts';
import type { Nb201Arch } from './nb201-arch.ts';
import { NB201_SIZE, nb201Code, nb201FromCode } from './nb201-arch.ts';
import { NB201_ORDER } from './nb201-order.ts';
import { NB201_ORDER_RADIX, NB201_ORDER_WIDTH } from './nb201-order-format.ts';

let tables: { codeOfIndex: Uint16Array; indexOfCode: Uint16Array } | undefined;

function load(): { codeOfIndex: Uint16Array; indexOfCode: Uint16Array } {
  if (tables) return tables;
  const codeOfIndex = new Uint16Array(NB201_SIZE);
  const indexOfCode = new Uint16Array(NB201_SIZE);
  const seen = new Uint8Array(NB201_SIZE);
  if (NB201_ORDER.length !== NB201_SIZE * NB201_ORDER_WIDTH) throw new Error(`nb201-order.ts holds ${NB201_ORDER.length} characters, expected ${NB201_SIZE * NB201_ORDER_WIDTH}`);
  for (let i = 0; i < NB201_SIZE; i++) {
    const code = parseInt(NB201_ORDER.slice(i * NB201_ORDER_WIDTH, (i + 1) * NB201_ORDER_WIDTH), NB201_ORDER_RADIX);
    if (!(code >= 0 && code < NB201_SIZE) || seen[code]) throw new Error(`nb201-order.ts is corrupt at entry ${i}; regenerate it`);
    seen[code] = 1;
    codeOfIndex[i] = code;
    indexOfCode[code] = i;
  }
  tables = { codeOfIndex, indexOfCode };
  return tables;
}

/** Benchmark index (row of nats_bench.csv) of an arch. */
export function nb201Index(x: Nb201Arch): number {
  return load().indexOfCode[nb201Code(x)] as number;
}

/** The arch at benchmark index `index` (0 … 15,624). */
export function nb201ArchAt(index: number): Nb201Arch {
  if (!Number.isInteger(index) || index < 0 || index >= NB201_SIZE) {
    throw new InvalidArchError('index', index, `must be an integer in [0, ${NB201_SIZE})`);
  }
  return nb201FromCode(load().codeOfIndex[index] as number);
}
