/**
 * The one error hierarchy of nas-codesign. Every error a user can cause carries the offending
 * values as fields, so the CLI can print a precise message and map the class to an exit code,
 * and the server can answer 4xx JSON with the same details.
 */

/** Exit codes documented in the README ("Exit codes"). Keep this table and the README in sync. */
export const EXIT_CODES = {
  internal: 1,
  usage: 2,
  config: 3,
  invalidArch: 4,
  backend: 5,
  dataset: 6,
  storage: 7,
  notFound: 8,
  hardware: 9,
  check: 10,
  interrupted: 130,
} as const;

export type ErrorKind = keyof typeof EXIT_CODES;

export class NasError extends Error {
  readonly kind: ErrorKind;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(kind: ErrorKind, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.details = Object.freeze({ ...details });
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }

  toJSON(): { error: string; kind: ErrorKind; message: string; details: Readonly<Record<string, unknown>> } {
    return { error: this.name, kind: this.kind, message: this.message, details: this.details };
  }
}

/** Bad value in a config, CLI flag or request body: names the field and the value. */
export class ConfigError extends NasError {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, problem: string) {
    super('config', `${field}: ${problem} (got ${show(value)})`, { field, value, problem });
    this.field = field;
    this.value = value;
  }
}

/** A CLI usage problem that commander does not catch itself (e.g. mutually exclusive flags). */
export class UsageError extends NasError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('usage', message, details);
  }
}

/** An architecture (network or accelerator) that its search space rejects. */
export class InvalidArchError extends NasError {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, problem: string) {
    super('invalidArch', `invalid architecture: ${field} ${problem} (got ${show(value)})`, { field, value, problem });
    this.field = field;
    this.value = value;
  }
}

export class BackendUnavailableError extends NasError {
  readonly requested: string;
  readonly available: readonly string[];
  constructor(requested: string, available: readonly string[], reason?: string) {
    super(
      'backend',
      `backend "${requested}" is not available${reason ? ` (${reason})` : ''}; available: ${available.join(', ') || 'none'}`,
      { requested, available, reason },
    );
    this.requested = requested;
    this.available = available;
  }
}

/** A dataset file that is missing, truncated or malformed: names the file and the problem. */
export class DatasetError extends NasError {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string, details: Record<string, unknown> = {}) {
    super('dataset', `${file}: ${problem}`, { file, problem, ...details });
    this.file = file;
    this.problem = problem;
  }
}

/** Database problems: foreign file, newer schema, read-only location, constraint violations. */
export class StorageError extends NasError {
  readonly path: string;
  constructor(path: string, problem: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('storage', `${path}: ${problem}`, { path, problem, ...details }, options);
    this.path = path;
  }
}

export class SchemaVersionError extends StorageError {
  readonly found: number;
  readonly supported: number;
  constructor(path: string, found: number, supported: number) {
    super(
      path,
      `database schema version ${found} is newer than this nas-codesign supports (${supported}); upgrade nas-codesign — the file was not modified`,
      { found, supported },
    );
    this.found = found;
    this.supported = supported;
  }
}

/** A command that reads or updates a database was pointed at a path where none exists (nothing is created). */
export class NoDatabaseError extends StorageError {
  constructor(path: string, hint = '') {
    super(path, 'no database at this path');
    this.message = `no database at ${path}${hint}`;
  }
}

export class NotFoundError extends NasError {
  readonly what: string;
  readonly id: unknown;
  /** `hint` (e.g. what to do instead) is appended to the message after a semicolon. */
  constructor(what: string, id: unknown, hint?: string) {
    super('notFound', `${what} ${show(id)} not found${hint ? `; ${hint}` : ''}`, { what, id });
    this.what = what;
    this.id = id;
  }
}

/** A hardware description or mapping that cannot be evaluated (capacity, bad spec, bad file). */
/** A self-check found a disagreement it was told must not happen (`nas hw validate`: an exact case differs). */
export class CheckFailedError extends NasError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('check', message, details);
  }
}

export class HardwareError extends NasError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('hardware', message, details);
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const s = JSON.stringify(value);
    if (s === undefined) return String(value);
    return s.length > 200 ? `${s.slice(0, 197)}...` : s;
  } catch {
    return String(value);
  }
}

export function isNasError(e: unknown): e is NasError {
  return e instanceof NasError;
}
