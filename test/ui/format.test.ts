/** The UI's number formatting (server/ui/dom.js is a browser module; these helpers are pure). */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain browser JavaScript without type declarations
import { columnFormat, fmt, fmtSe, stateCounts } from '../../server/ui/dom.js';

describe('UI number formatting', () => {
  it('shows accuracy ± standard error when the trial stores <name>_se, with decimals set by the error', () => {
    expect(fmtSe({ accuracy: 90.1234, accuracy_se: 0.42 }, 'accuracy')).toBe('90.12 ± 0.42');
    expect(fmtSe({ accuracy: 86, accuracy_se: 3.47 }, 'accuracy')).toBe('86.0 ± 3.5');
    expect(fmtSe({ accuracy: 86 }, 'accuracy')).toBe('86');
    expect(fmtSe({}, 'accuracy')).toBe('–');
  });

  it('formats a column evenly and keeps counts as integers', () => {
    const f = columnFormat([86, 84.4, null]);
    expect([86, 84.4, null].map(f)).toEqual(['86.00', '84.40', '–']);
    expect([0.037225, 0.0213].map(columnFormat([0.037225, 0.0213]))).toEqual(['0.03723', '0.02130']);
    expect([12, 400].map(columnFormat([12, 400]))).toEqual(['12', '400']);
    expect(fmt(1234567.8)).toBe('1.235e+6');
  });

  it('lists trial states in a fixed order, with newer states (e.g. interrupted) after them', () => {
    expect(stateCounts({ total: 7, running: 1, finished: 4, failed: 1, interrupted: 1 })).toEqual([['finished', 4], ['failed', 1], ['running', 1], ['interrupted', 1]]);
  });
});
