/**
 * @module Executor references (`executor: name`, `executor: {name, ...args}`, or an already
 * resolved definition) → the executor's definition with its parameters applied.
 */
import { interpolate } from './interpolate.js';
import { bindArguments } from './parameters.js';
import type { ProblemSink } from './problems.js';
import { isRecord, lookup } from './scope.js';
import type { Scope } from './scope.js';

/** Keys that make a map an executor definition rather than a reference. */
export const EXECUTOR_KINDS = ['docker', 'machine', 'macos', 'windows'] as const;

export interface ResolveExecutorOptions {
  readonly scope: Scope;
  readonly sink: ProblemSink;
  readonly pipeline: ReadonlyMap<string, unknown>;
  readonly path: string;
  /** Message prefix naming the enclosing element, e.g. `in job "node/test": `. */
  readonly within?: string;
}

/** Resolved executor body, or `failed` (already reported, or its orb failed to load). */
export type ResolvedExecutor = Record<string, unknown> | 'failed';

/** Resolves an executor reference; problems go to the sink. */
export function resolveExecutor(ref: unknown, opts: ResolveExecutorOptions): ResolvedExecutor {
  const within = opts.within ?? '';
  if (isRecord(ref) && typeof ref.name !== 'string' && EXECUTOR_KINDS.some((k) => k in ref)) return ref;
  let name: string;
  let args: Record<string, unknown> = {};
  if (typeof ref === 'string') {
    name = ref;
  } else if (isRecord(ref) && typeof ref.name === 'string') {
    name = ref.name;
    args = Object.fromEntries(Object.entries(ref).filter(([k]) => k !== 'name'));
  } else {
    opts.sink.error(opts.path, `${within}executor must be an executor name or a map with name:`);
    return 'failed';
  }
  const found = lookup(opts.scope, { kind: 'executors', name });
  if ('missing' in found) {
    if (found.missing === 'unknown') opts.sink.error(opts.path, `${within}executor "${name}" is not defined (declare it under executors: or import the orb that has it)`);
    return 'failed';
  }
  const ex = found.found;
  const def = isRecord(ex.def) ? ex.def : {};
  const params = bindArguments({
    declared: def.parameters,
    given: args,
    what: `executor "${ex.qualifiedName}"`,
    path: opts.path,
    declPath: opts.path,
    sink: opts.sink,
    defaultsScope: opts.pipeline,
  });
  const scope = new Map([...opts.pipeline, ...params]);
  const inner = `${within}in executor "${ex.qualifiedName}": `;
  const body = Object.fromEntries(Object.entries(def).filter(([k]) => k !== 'parameters' && k !== 'description'));
  const resolved = interpolate(body, { scope, onError: (_p, m) => opts.sink.error(opts.path, inner + m) }) as Record<string, unknown>;
  if (!EXECUTOR_KINDS.some((k) => k in resolved)) {
    opts.sink.error(opts.path, `${inner}executor has no docker:, machine: or macos: section`);
    return 'failed';
  }
  return resolved;
}

/** A resolver for `executor`-type parameters bound in `scope`. */
export function executorParameterResolver(opts: Omit<ResolveExecutorOptions, 'path'>): (value: unknown, path: string) => unknown {
  return (value, path) => {
    const r = resolveExecutor(value, { ...opts, path });
    return r === 'failed' ? value : r;
  };
}
