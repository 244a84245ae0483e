/**
 * @module Parameter declarations and arguments for jobs, commands, executors and the pipeline:
 * type checks, defaults, and the `parameters.*` scope a definition body is interpolated with.
 */
import { interpolate } from './interpolate.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { isRecord } from './scope.js';

/** Parameter types jobs, commands and executors may declare. */
export const PARAMETER_TYPES = ['string', 'boolean', 'integer', 'enum', 'executor', 'steps', 'env_var_name'] as const;
/** Pipeline parameters may only use these. */
export const PIPELINE_PARAMETER_TYPES = ['string', 'boolean', 'integer', 'enum'] as const;

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface BindOptions {
  /** The `parameters:` declaration of the element. */
  readonly declared: unknown;
  /** Arguments given at the use site (already interpolated in the caller's scope). */
  readonly given: Readonly<Record<string, unknown>>;
  /** What is being invoked, for messages: `command "node/install"`. */
  readonly what: string;
  /** Path of the use site, for problems. */
  readonly path: string;
  /** Path of the declaration, for declaration problems. */
  readonly declPath: string;
  readonly sink: ProblemSink;
  /** Scope for interpolating defaults (pipeline values). */
  readonly defaultsScope: ReadonlyMap<string, unknown>;
  /** Prefix of the resulting keys; `parameters.` (default) or `pipeline.parameters.`. */
  readonly prefix?: string;
  readonly allowedTypes?: readonly string[];
  /**
   * Turns an `executor` argument (name or `{name, ...args}`) into the executor's definition,
   * which is what `<< parameters.x >>` yields (configs compare it with `equal`).
   */
  readonly resolveExecutor?: (value: unknown, path: string) => unknown;
}

/**
 * Checks arguments against declarations and returns the `parameters.<name>` scope entries.
 * Missing required arguments, unknown arguments and type mismatches become problems.
 */
export function bindArguments(opts: BindOptions): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const prefix = opts.prefix ?? 'parameters.';
  const declared = isRecord(opts.declared) ? opts.declared : {};
  if (opts.declared !== undefined && opts.declared !== null && !isRecord(opts.declared)) {
    opts.sink.error(opts.declPath, 'parameters must be a map of parameter name to its declaration');
  }
  for (const [name, rawDecl] of Object.entries(declared)) {
    const declPath = childPath(opts.declPath, name);
    const decl = isRecord(rawDecl) ? rawDecl : {};
    const type = typeof decl.type === 'string' ? decl.type : undefined;
    const allowed = opts.allowedTypes ?? PARAMETER_TYPES;
    if (!type || !allowed.includes(type)) {
      opts.sink.error(declPath, `parameter "${name}" needs a type: one of ${allowed.join(', ')}`);
      continue;
    }
    let value: unknown;
    let valuePath = opts.path;
    if (Object.prototype.hasOwnProperty.call(opts.given, name)) {
      value = opts.given[name];
      valuePath = childPath(opts.path, name);
    } else if (Object.prototype.hasOwnProperty.call(decl, 'default')) {
      value = interpolate(decl.default, { scope: opts.defaultsScope, onError: (p, m) => opts.sink.error(p, m) }, childPath(declPath, 'default'));
      valuePath = childPath(declPath, 'default');
    } else if (type === 'steps') {
      value = [];
    } else {
      opts.sink.error(opts.path, `${opts.what} requires argument "${name}" (type ${type}), which was not given and has no default`);
      continue;
    }
    const checked = checkType({ name, type, decl, value }, { path: valuePath, sink: opts.sink, what: opts.what });
    out.set(prefix + name, type === 'executor' && opts.resolveExecutor ? opts.resolveExecutor(checked, valuePath) : checked);
  }
  for (const name of Object.keys(opts.given)) {
    if (!Object.prototype.hasOwnProperty.call(declared, name)) {
      const known = Object.keys(declared);
      opts.sink.error(childPath(opts.path, name), `${opts.what} has no parameter "${name}"${known.length ? ` (it has: ${known.join(', ')})` : ''}`);
    }
  }
  return out;
}

interface Typed {
  readonly name: string;
  readonly type: string;
  readonly decl: Record<string, unknown>;
  readonly value: unknown;
}

function checkType(p: Typed, at: { path: string; sink: ProblemSink; what: string }): unknown {
  const bad = (expected: string): unknown => {
    at.sink.error(at.path, `${at.what}: argument "${p.name}" must be ${expected}, got ${JSON.stringify(p.value)}`);
    return p.value;
  };
  const v = p.value;
  switch (p.type) {
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number') return String(v);
      if (v === null) return '';
      return bad('a string');
    case 'boolean':
      return typeof v === 'boolean' ? v : bad('a boolean (true/false)');
    case 'integer':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
      return bad('an integer');
    case 'enum': {
      const values = Array.isArray(p.decl.enum) ? p.decl.enum.map(String) : [];
      if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && values.includes(String(v))) return String(v);
      return bad(`one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    }
    case 'executor':
      if (typeof v === 'string' || isRecord(v)) return v;
      return bad('an executor name or a map with name:');
    case 'steps':
      if (v === null || v === undefined) return [];
      if (Array.isArray(v)) return v;
      if (isRecord(v) || typeof v === 'string') return [v];
      return bad('a list of steps');
    case 'env_var_name':
      if (typeof v === 'string' && ENV_VAR_NAME.test(v)) return v;
      return bad('an environment variable name ([A-Za-z_][A-Za-z0-9_]*)');
    default:
      return v;
  }
}
