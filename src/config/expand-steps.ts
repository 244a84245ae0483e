/**
 * @module Step expansion: reusable command invocations, `steps`-parameter splicing (flattened),
 * and `when`/`unless` steps decided at compile time. Output holds only built-in steps.
 */
import { interpolate } from './interpolate.js';
import { evaluateLogic } from './logic.js';
import { bindArguments } from './parameters.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { isRecord, lookup } from './scope.js';
import type { Scope } from './scope.js';
import { executorParameterResolver } from './executors.js';

/** Built-in step names (anything else must be a command). */
export const BUILTIN_STEPS = new Set([
  'run', 'checkout', 'save_cache', 'restore_cache', 'persist_to_workspace', 'attach_workspace',
  'store_artifacts', 'store_test_results', 'add_ssh_keys', 'setup_remote_docker', 'deploy',
]);

const MAX_DEPTH = 50;

/** Where expansion happens and where problems go. */
export interface StepContext {
  readonly scope: Scope;
  readonly sink: ProblemSink;
  /** `pipeline.*` values, for interpolating invoked commands. */
  readonly pipeline: ReadonlyMap<string, unknown>;
  /** Prefix for messages produced inside reusable elements, e.g. `in command "node/install": `. */
  readonly within?: string;
  readonly depth?: number;
}

/** A built-in step as `{name: args}` (args `{}` or a string for `run`). */
export type ExpandedStep = Readonly<Record<string, unknown>>;

/** Expands `steps` (already interpolated with the current element's parameters). */
export function expandSteps(steps: unknown, at: { ctx: StepContext; path: string }): ExpandedStep[] {
  const out: ExpandedStep[] = [];
  if (steps === null || steps === undefined) return out;
  if (!Array.isArray(steps)) {
    report(at, 'steps must be a list');
    return out;
  }
  steps.forEach((step, i) => expandStep(step, { ctx: at.ctx, path: at.ctx.within ? at.path : childPath(at.path, i), out }));
  return out;
}

interface StepAt {
  readonly ctx: StepContext;
  readonly path: string;
  readonly out: ExpandedStep[];
}

function report(at: { ctx: StepContext; path: string }, message: string): void {
  at.ctx.sink.error(at.path, `${at.ctx.within ?? ''}${message}`);
}

function expandStep(step: unknown, at: StepAt): void {
  if ((at.ctx.depth ?? 0) > MAX_DEPTH) {
    report(at, `commands nest deeper than ${MAX_DEPTH} levels (is a command invoking itself?)`);
    return;
  }
  if (Array.isArray(step)) {
    for (const s of step) expandStep(s, at);
    return;
  }
  let name: string;
  let args: unknown;
  if (typeof step === 'string') {
    name = step;
    args = undefined;
  } else if (isRecord(step)) {
    const keys = Object.keys(step);
    if (keys.length !== 1) {
      report(at, `a step is a map with exactly one key (the step or command name), got ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'an empty map'}`);
      return;
    }
    name = keys[0];
    args = step[name];
  } else {
    report(at, `a step must be a step name or a map, got ${JSON.stringify(step)}`);
    return;
  }
  if (name === 'steps') {
    expandSteps(args, { ctx: at.ctx, path: at.path }).forEach((s) => at.out.push(s));
    return;
  }
  if (name === 'when' || name === 'unless') {
    expandConditional({ name, args }, at);
    return;
  }
  if (BUILTIN_STEPS.has(name)) {
    at.out.push({ [name]: args ?? {} });
    return;
  }
  invokeCommand({ name, args }, at);
}

function expandConditional(step: { name: string; args: unknown }, at: StepAt): void {
  if (!isRecord(step.args) || !('condition' in step.args)) {
    report(at, `${step.name} needs condition: and steps:`);
    return;
  }
  const r = evaluateLogic(step.args.condition, { scope: at.ctx.pipeline });
  if (!r.ok) {
    report({ ctx: at.ctx, path: childPath(childPath(at.path, step.name), 'condition') }, r.error);
    return;
  }
  if (r.value === (step.name === 'when')) {
    expandSteps(step.args.steps, { ctx: at.ctx, path: childPath(childPath(at.path, step.name), 'steps') }).forEach((s) => at.out.push(s));
  }
}

function invokeCommand(step: { name: string; args: unknown }, at: StepAt): void {
  const found = lookup(at.ctx.scope, { kind: 'commands', name: step.name });
  if ('missing' in found) {
    if (found.missing === 'unknown') report(at, `"${step.name}" is not a built-in step or a known command`);
    return;
  }
  const el = found.found;
  const def = isRecord(el.def) ? el.def : {};
  if (step.args !== undefined && step.args !== null && !isRecord(step.args)) {
    report(at, `arguments of command "${el.qualifiedName}" must be a map`);
    return;
  }
  const params = bindArguments({
    declared: def.parameters,
    given: (step.args as Record<string, unknown>) ?? {},
    what: `command "${el.qualifiedName}"`,
    path: childPath(at.path, step.name),
    declPath: at.path,
    sink: at.ctx.sink,
    defaultsScope: at.ctx.pipeline,
    resolveExecutor: executorParameterResolver({ scope: el.scope, sink: at.ctx.sink, pipeline: at.ctx.pipeline }),
  });
  const scope = new Map([...at.ctx.pipeline, ...params]);
  const within = `${at.ctx.within ?? ''}in command "${el.qualifiedName}": `;
  const body = interpolate(def.steps, { scope, onError: (_p, m) => at.ctx.sink.error(at.path, within + m) });
  if (!Array.isArray(body)) {
    report(at, `command "${el.qualifiedName}" has no steps list`);
    return;
  }
  const inner: StepContext = { ...at.ctx, scope: el.scope, within, depth: (at.ctx.depth ?? 0) + 1 };
  expandSteps(body, { ctx: inner, path: at.path }).forEach((s) => at.out.push(s));
}
