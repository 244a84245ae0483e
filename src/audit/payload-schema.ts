/**
 * @module A tiny, closed schema language for audit payloads. Each schema checks a value, renders
 * itself for docs/audit-events.md, and carries its TypeScript type, so one declaration gives the
 * runtime validator, the writer's static type and the documentation.
 *
 * Objects are closed: an undeclared key is a problem. That keeps payload shapes stable per
 * action + version and stops a caller from slipping, say, a secret value into an event.
 */

/** A payload (sub)schema. `T` is the type it accepts; `optional` marks an object field that may be absent. */
export interface Schema<T> {
  /** Human-readable form, e.g. `{context_name: string, replaced?: boolean}`. */
  readonly describe: string;
  readonly optional: boolean;
  /** Appends one message per problem (with its JSON path) to `problems`. */
  check(value: unknown, path: string, problems: string[]): void;
  /** Phantom field carrying the static type; never set. */
  readonly __type?: T;
}

/** The static type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Fields = Record<string, Schema<unknown>>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K]['optional'] extends true ? K : never }[keyof F];
type InferObject<F extends Fields> =
  { [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> };

const MAX_STRING = 4096;

function leaf<T>(describe: string, test: (value: unknown) => string | undefined): Schema<T> {
  return {
    describe,
    optional: false,
    check(value, path, problems) {
      const problem = test(value);
      if (problem) problems.push(`${path}: ${problem}`);
    },
  };
}

/** A string of 1..4096 characters (or 0.. when `allowEmpty`). */
export function string(options: { allowEmpty?: boolean } = {}): Schema<string> {
  return leaf('string', (v) => {
    if (typeof v !== 'string') return 'expected a string';
    if (!options.allowEmpty && v.length === 0) return 'must not be empty';
    return v.length > MAX_STRING ? `longer than ${MAX_STRING} characters` : undefined;
  });
}

/** A safe integer, at least `min` (default 0). */
export function integer(min = 0): Schema<number> {
  return leaf('integer', (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? undefined : `expected an integer >= ${min}`));
}

export function boolean(): Schema<boolean> {
  return leaf('boolean', (v) => (typeof v === 'boolean' ? undefined : 'expected a boolean'));
}

/** One of the listed string literals. */
export function oneOf<const V extends readonly string[]>(...values: V): Schema<V[number]> {
  return leaf(values.map((v) => JSON.stringify(v)).join(' | '), (v) =>
    (typeof v === 'string' && values.includes(v) ? undefined : `expected one of ${values.join(', ')}`));
}

/** A UTC ISO-8601 timestamp ending in Z, up to 9 fractional digits. */
export function timestamp(): Schema<string> {
  return leaf('timestamp', (v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(v) ? undefined : 'expected a UTC ISO-8601 timestamp'));
}

/** An array (at most 1000 items) whose items all match `item`. */
export function array<T>(item: Schema<T>): Schema<T[]> {
  return {
    describe: `${item.describe}[]`,
    optional: false,
    check(value, path, problems) {
      if (!Array.isArray(value)) { problems.push(`${path}: expected an array`); return; }
      if (value.length > 1000) { problems.push(`${path}: more than 1000 items`); return; }
      value.forEach((v, i) => item.check(v, `${path}[${i}]`, problems));
    },
  };
}

/** An object mapping strings to strings (at most 100 keys). */
export function stringMap(): Schema<Record<string, string>> {
  return {
    describe: '{[key: string]: string}',
    optional: false,
    check(value, path, problems) {
      if (!isPlainObject(value)) { problems.push(`${path}: expected an object`); return; }
      const entries = Object.entries(value);
      if (entries.length > 100) problems.push(`${path}: more than 100 keys`);
      for (const [k, v] of entries) if (typeof v !== 'string' || v.length > MAX_STRING) problems.push(`${path}.${k}: expected a string`);
    },
  };
}

/** Marks an object field as optional (it may be absent; `undefined` counts as absent). */
export function optional<T>(schema: Schema<T>): Schema<T> & { readonly optional: true } {
  return { ...schema, describe: schema.describe, optional: true, check: (v, p, problems) => { if (v !== undefined) schema.check(v, p, problems); } };
}

/** A closed object: every declared non-optional field is required; any other key is a problem. */
export function object<const F extends Fields>(fields: F): Schema<InferObject<F>> {
  const names = Object.keys(fields);
  const describe = names.length === 0
    ? '{}'
    : `{${names.map((n) => `${n}${fields[n].optional ? '?' : ''}: ${fields[n].describe}`).join(', ')}}`;
  return {
    describe,
    optional: false,
    check(value, path, problems) {
      if (!isPlainObject(value)) { problems.push(`${path}: expected an object`); return; }
      for (const key of Object.keys(value)) if (!(key in fields)) problems.push(`${path}.${key}: unknown field`);
      for (const name of names) {
        const field = (value as Record<string, unknown>)[name];
        if (field === undefined && !fields[name].optional) problems.push(`${path}.${name}: required`);
        else fields[name].check(field, `${path}.${name}`, problems);
      }
    },
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}
