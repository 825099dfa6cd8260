/**
 * JSON value checks at the storage edge: what JSON cannot represent faithfully (NaN, undefined,
 * cycles, class instances…) is refused with a ConfigError naming the field, and the memory store's
 * one-walk frozen copy of a value.
 */
import { ConfigError } from '../core/errors.ts';
import type { Json, JsonObject } from '../core/types.ts';

/** An object created by `{}`/JSON.parse or `Object.create(null)`, not a class instance. */
function plainPrototype(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A plain object (not null, not an array, not a class instance). */
export function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && plainPrototype(v);
}

/** Throws ConfigError at the first value that JSON cannot represent faithfully (NaN, undefined, cycles, class instances…). */
export function assertJson(value: unknown, field: string, seen: Set<object> = new Set()): asserts value is Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ConfigError(field, value, 'must be a finite number (JSON has no NaN/Infinity)');
    return;
  }
  if (typeof value !== 'object') throw new ConfigError(field, String(value), `is not JSON-serializable (${typeof value})`);
  if (seen.has(value)) throw new ConfigError(field, '[circular]', 'contains a circular reference');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJson(v, `${field}[${i}]`, seen));
  } else {
    if (!plainPrototype(value)) {
      throw new ConfigError(field, Object.prototype.toString.call(value), 'must be a plain JSON object');
    }
    for (const [k, v] of Object.entries(value)) assertJson(v, `${field}.${k}`, seen);
  }
  seen.delete(value);
}

export function assertJsonObject(value: unknown, field: string): asserts value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(field, value, 'must be a JSON object');
  }
  assertJson(value, field);
}

/**
 * What `assertJson` accepts, returned as a deeply frozen copy equal to `JSON.parse(JSON.stringify(value))`
 * (array holes become null, -0 becomes 0), in one walk: the memory store's copy of every trial,
 * where validating, round-tripping and freezing separately were three walks per record. The walk
 * builds no field paths; on a bad value `assertJson` runs again to name the field.
 */
export function frozenJson<T extends Json>(value: T, field: string): T {
  const copy = copyJson(value, 0);
  if (copy === BAD) {
    assertJson(value, field);
    throw new ConfigError(field, '[value]', `nests deeper than ${MAX_DEPTH} levels`);
  }
  return copy as T;
}

const BAD = Symbol('bad');
/** Cycles are caught by depth rather than a set of visited objects (cheaper per node). */
const MAX_DEPTH = 1000;

function copyJson(value: unknown, depth: number): Json | typeof BAD {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? (value === 0 ? 0 : value) : BAD;
  if (typeof value !== 'object' || depth > MAX_DEPTH) return BAD;
  let out: Json[] | Record<string, Json>;
  if (Array.isArray(value)) {
    const a: Json[] = new Array<Json>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = i in value ? copyJson(value[i], depth + 1) : null;
      if (v === BAD) return BAD;
      a[i] = v;
    }
    out = a;
  } else {
    if (!plainPrototype(value)) return BAD;
    const o: Record<string, Json> = {};
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = copyJson((value as Record<string, unknown>)[k], depth + 1);
      if (v === BAD) return BAD;
      // JSON.parse makes '__proto__' an own property; plain assignment would set the prototype instead.
      if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
    }
    out = o;
  }
  return Object.freeze(out);
}
