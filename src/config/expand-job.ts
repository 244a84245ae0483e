/**
 * @module Job expansion: bind a job's arguments, interpolate its body once, inline its executor
 * and expand its steps. The result is the job as `circleci config process` would print it.
 */
import { interpolate } from './interpolate.js';
import { bindArguments } from './parameters.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { expandSteps } from './expand-steps.js';
import { isRecord } from './scope.js';
import { EXECUTOR_KINDS, executorParameterResolver, resolveExecutor } from './executors.js';
import type { Element } from './scope.js';

/**
 * Marks a job whose executor could not be resolved (already reported), so compiling it does
 * not add a second "no executor" problem. A symbol: never printed by expandConfig.
 */
export const FAILED_EXECUTOR = Symbol('failed-executor');
const EXECUTOR_FIELDS = ['resource_class', 'working_directory', 'shell', 'environment'] as const;

export interface ExpandJobOptions {
  readonly element: Element;
  readonly args: Readonly<Record<string, unknown>>;
  readonly sink: ProblemSink;
  readonly pipeline: ReadonlyMap<string, unknown>;
  /** Where the job is used (workflow entry or `jobs.<name>`). */
  readonly path: string;
  /** Path of the definition (for definition problems), e.g. `jobs.build`. */
  readonly defPath: string;
  readonly preSteps?: unknown;
  readonly postSteps?: unknown;
}

/** Returns the expanded job body (no parameters, executor inlined, built-in steps only). */
export function expandJob(opts: ExpandJobOptions): Record<string | symbol, unknown> {
  const { element, sink } = opts;
  const def = isRecord(element.def) ? element.def : {};
  const inOrb = element.scope.label !== '';
  const defPath = inOrb ? opts.path : opts.defPath;
  const params = bindArguments({
    declared: def.parameters,
    given: opts.args,
    what: `job "${element.qualifiedName}"`,
    path: opts.path,
    declPath: childPath(defPath, 'parameters'),
    sink,
    defaultsScope: opts.pipeline,
    resolveExecutor: executorParameterResolver({ scope: element.scope, sink, pipeline: opts.pipeline }),
  });
  const scope = new Map([...opts.pipeline, ...params]);
  const within = inOrb ? `in job "${element.qualifiedName}": ` : '';
  const body: Record<string | symbol, unknown> = {};
  for (const [k, v] of Object.entries(def)) {
    if (k === 'parameters' || k === 'description') continue;
    body[k] = interpolate(v, { scope, onError: (p, m) => sink.error(inOrb ? opts.path : p, within + m) }, childPath(defPath, k));
  }
  if (body.executor !== undefined) inlineExecutor(body, { opts, defPath, within });
  const ctx = { scope: element.scope, sink, pipeline: opts.pipeline, within: within || undefined };
  const steps = [
    ...expandSteps(opts.preSteps, { ctx: { ...ctx, within: undefined }, path: childPath(opts.path, 'pre-steps') }),
    ...expandSteps(body.steps, { ctx, path: childPath(defPath, 'steps') }),
    ...expandSteps(opts.postSteps, { ctx: { ...ctx, within: undefined }, path: childPath(opts.path, 'post-steps') }),
  ];
  if (!Array.isArray(def.steps) || def.steps.length === 0) sink.error(defPath, `${within}job "${element.qualifiedName}" has no steps`);
  body.steps = steps;
  return body;
}

function inlineExecutor(body: Record<string | symbol, unknown>, at: { opts: ExpandJobOptions; defPath: string; within: string }): void {
  const { sink, element, pipeline } = at.opts;
  const path = childPath(at.defPath, 'executor');
  const resolved = resolveExecutor(body.executor, { scope: element.scope, sink, pipeline, path, within: at.within });
  delete body.executor;
  if (resolved === 'failed') {
    body[FAILED_EXECUTOR] = true;
    return;
  }
  if (EXECUTOR_KINDS.some((k) => k in body)) {
    sink.error(path, `${at.within}a job uses either executor: or docker:/machine:/macos:, not both`);
  }
  for (const k of EXECUTOR_KINDS) if (k in resolved) body[k] = resolved[k];
  for (const k of EXECUTOR_FIELDS) {
    if (!(k in resolved)) continue;
    if (k === 'environment' && isRecord(resolved.environment)) {
      body.environment = { ...resolved.environment, ...(isRecord(body.environment) ? body.environment : {}) };
    } else if (body[k] === undefined) {
      body[k] = resolved[k];
    }
  }
}
