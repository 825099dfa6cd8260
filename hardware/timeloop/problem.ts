/**
 * Reader for Timeloop v0.4 problem YAML (`problem: {shape: {dimensions, data_spaces, coefficients},
 * instance}`), so public workloads load as-is. Projection terms are `[dim]` or `[dim, coefficient]`,
 * coefficients taken from `instance` or the shape's defaults.
 */
import { readFileSync } from 'node:fs';
import { parseHardwareYaml } from './yaml.ts';
import { HardwareError } from '../../core/errors.ts';
import { validateProblem, type DataSpace, type Problem, type ProjectionTerm } from '../workload.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(file: string, field: string, value: unknown, problem: string): never {
  throw new HardwareError(`${file}: ${field} ${problem}`, { file, field, value });
}

export function parseTimeloopProblem(text: string, file = '<problem>', defaultBits = 8): Problem {
  const doc: unknown = parseHardwareYaml(text, file);
  const root = isObj(doc) && isObj(doc.problem) ? doc.problem : doc;
  if (!isObj(root)) fail(file, 'problem', root, 'is not a mapping');
  const shape = root.shape;
  const instance = root.instance;
  if (!isObj(shape)) fail(file, 'problem.shape', shape, 'is missing');
  if (!isObj(instance)) fail(file, 'problem.instance', instance, 'is missing');
  const dimsRaw = shape.dimensions;
  if (!Array.isArray(dimsRaw) || dimsRaw.some((d) => typeof d !== 'string')) {
    fail(file, 'problem.shape.dimensions', dimsRaw, 'must be a list of names');
  }
  const dims = dimsRaw as string[];
  const coefs = new Map<string, number>();
  if (Array.isArray(shape.coefficients)) {
    for (const c of shape.coefficients) {
      if (isObj(c) && typeof c.name === 'string') coefs.set(c.name, typeof c.default === 'number' ? c.default : 1);
    }
  }
  for (const [k, v] of Object.entries(instance)) {
    if (typeof v === 'number' && !dims.includes(k)) coefs.set(k, v);
  }
  const bounds = dims.map((d) => {
    const v = instance[d];
    if (v === undefined) return 1;
    if (typeof v !== 'number') fail(file, `problem.instance.${d}`, v, 'must be a number');
    return v;
  });
  const dsRaw = shape.data_spaces;
  if (!Array.isArray(dsRaw)) fail(file, 'problem.shape.data_spaces', dsRaw, 'must be a list');
  const dataSpaces: DataSpace[] = dsRaw.map((ds, i) => {
    if (!isObj(ds) || typeof ds.name !== 'string' || !Array.isArray(ds.projection)) {
      fail(file, `problem.shape.data_spaces[${i}]`, ds, 'needs name and projection');
    }
    const projection = ds.projection.map((coord, k): ProjectionTerm[] => {
      if (!Array.isArray(coord)) fail(file, `${ds.name}.projection[${k}]`, coord, 'must be a list of terms');
      return coord.map((term): ProjectionTerm => {
        const parts = Array.isArray(term) ? term : [term];
        const dimName = parts[0];
        const dim = typeof dimName === 'string' ? dims.indexOf(dimName) : -1;
        if (dim < 0) fail(file, `${ds.name}.projection[${k}]`, term, 'names an unknown dimension');
        let coef = 1;
        const cName = parts[1];
        if (typeof cName === 'number') coef = cName;
        else if (typeof cName === 'string') {
          const v = coefs.get(cName);
          if (v === undefined) fail(file, `${ds.name}.projection[${k}]`, cName, 'names an unknown coefficient');
          coef = v;
        }
        return { dim, coef };
      });
    });
    const rw = ds.read_write === true || ds.read_write === 'True' || ds.read_write === 'true';
    return { name: ds.name, projection, readWrite: rw, bits: defaultBits };
  });
  const p: Problem = { name: typeof shape.name === 'string' ? shape.name : file, dims, bounds, dataSpaces, op: 'mac' };
  validateProblem(p);
  return p;
}

export function readTimeloopProblem(file: string, defaultBits = 8): Problem {
  return parseTimeloopProblem(readFileSync(file, 'utf8'), file, defaultBits);
}
