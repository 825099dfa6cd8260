/**
 * The NAS-Bench-201 ground truth: accuracy per dataset for every benchmark index, checked on load
 * against the index order this code uses (a CSV in another order would silently mislabel every
 * cell, so it is rejected instead).
 */
import { DatasetError, InvalidArchError } from '../core/errors.ts';
import type { Nb201Arch } from './nb201-arch.ts';
import { NB201_SIZE, formatNb201String } from './nb201-arch.ts';
import type { Nb201Dataset, Nb201Row } from './nb201-csv.ts';
import { NB201_DATASETS, NB201_MISSING_HINT, readNb201Csv } from './nb201-csv.ts';
import { nb201ArchAt, nb201Index } from './nb201-index.ts';

export { NB201_DATASETS, NB201_MISSING_HINT, readNb201Csv };
export type { Nb201Dataset, Nb201Row };

export class Nb201Table {
  readonly path: string;
  private readonly rows: readonly Nb201Row[];

  private constructor(path: string, rows: readonly Nb201Row[]) {
    this.path = path;
    this.rows = rows;
  }

  /** Loads and checks the CSV; throws DatasetError naming the file when missing or inconsistent. */
  static load(path: string): Nb201Table {
    const rows = readNb201Csv(path);
    if (rows.length !== NB201_SIZE) throw new DatasetError(path, `has ${rows.length} rows, expected ${NB201_SIZE}`);
    rows.forEach((r, i) => {
      const expected = formatNb201String(nb201ArchAt(i));
      if (r.archString !== expected) {
        throw new DatasetError(path, `row ${i} is ${r.archString}, expected ${expected}: not in NAS-Bench-201 index order`);
      }
    });
    return new Nb201Table(path, rows);
  }

  get size(): number {
    return this.rows.length;
  }

  /** Test accuracy (percent) of the cell at benchmark `index`. */
  accuracy(index: number, dataset: Nb201Dataset = 'cifar10'): number {
    return this.row(index).accuracy[dataset];
  }

  accuracyOf(x: Nb201Arch, dataset: Nb201Dataset = 'cifar10'): number {
    return this.accuracy(nb201Index(x), dataset);
  }

  row(index: number): Nb201Row {
    const r = Number.isInteger(index) ? this.rows[index] : undefined;
    if (!r) throw new InvalidArchError('index', index, `must be an integer in [0, ${this.rows.length})`);
    return r;
  }

  /** The best cell for a dataset (first index on ties). */
  best(dataset: Nb201Dataset = 'cifar10'): { index: number; accuracy: number } {
    let index = 0;
    this.rows.forEach((r, i) => {
      if (r.accuracy[dataset] > (this.rows[index] as Nb201Row).accuracy[dataset]) index = i;
    });
    return { index, accuracy: this.accuracy(index, dataset) };
  }
}

export function loadNb201Table(path: string): Nb201Table {
  return Nb201Table.load(path);
}
