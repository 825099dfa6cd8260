/** Helpers for the Timeloop reference tests: data location; the parser, problem and comparisons live in the product (hardware/validate). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export { parseStats, refConv, statsMismatches, type RefStats, type RefTensor } from '../../hardware/validate/timeloop-refs.ts';

/** ../shared relative to the project root (tests run from it), or the absolute shared path. */
export const REF_ROOT = [resolve('../shared/research/data/timeloop-ref-outputs'), '/work/shared/research/data/timeloop-ref-outputs'].find(existsSync);
