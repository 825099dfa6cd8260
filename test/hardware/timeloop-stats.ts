/** Helpers for the Timeloop reference tests: data location; the parser, problem and comparisons live in the product (hardware/validate). */
import { referenceData } from '../reference-data.ts';

export { parseStats, refConv, statsMismatches, type RefStats, type RefTensor } from '../../hardware/validate/timeloop-refs.ts';

/** The Timeloop reference outputs under ../shared/research/data, or undefined when absent. */
export const REF_ROOT = referenceData('timeloop-ref-outputs');
