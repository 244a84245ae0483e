/**
 * @module One workflow's `jobs:` list → job instances (matrix expanded, arguments bound, job
 * expanded and compiled), before filters and requirements are applied.
 */
import type { JobPlan } from './plan.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { interpolate } from './interpolate.js';
import { expandMatrix } from './matrix.js';
import { expandJob } from './expand-job.js';
import { compileJob } from './compile-job.js';
import { isRecord, lookup } from './scope.js';
import type { Scope } from './scope.js';

/** Workflow-entry keys that are not job arguments. */
const RESERVED = new Set(['requires', 'filters', 'context', 'name', 'matrix', 'type', 'pre-steps', 'post-steps', 'serial-group', 'override-with', 'max_auto_reruns']);

/** A job as placed in a workflow, before filtering. */
export interface JobInstance {
  readonly name: string;
  /** Names a `requires:` entry may use to mean this job (its own name and its matrix alias). */
  readonly aliases: readonly string[];
  readonly type: 'build' | 'approval' | 'no-op';
  readonly requires: unknown;
  readonly filters: unknown;
  readonly contexts: readonly string[];
  readonly job?: JobPlan;
  /** The expanded job body, for `expandConfig`. */
  readonly body?: Record<string, unknown>;
  readonly path: string;
  /** The entry as it appears in an expanded config's workflow. */
  readonly entry: Record<string, unknown>;
}

export interface WorkflowJobsContext {
  readonly root: Scope;
  readonly sink: ProblemSink;
  readonly pipeline: ReadonlyMap<string, unknown>;
}

/** Parses and expands every entry of a workflow's `jobs:` list. */
export function workflowJobInstances(jobs: unknown, at: { ctx: WorkflowJobsContext; path: string }): JobInstance[] {
  const out: JobInstance[] = [];
  if (!Array.isArray(jobs)) {
    at.ctx.sink.error(at.path, 'a workflow needs jobs: (a list of job names or maps)');
    return out;
  }
  jobs.forEach((entry, i) => {
    const path = childPath(at.path, i);
    let key: string;
    let opts: Record<string, unknown> = {};
    if (typeof entry === 'string') key = entry;
    else if (isRecord(entry) && Object.keys(entry).length === 1) {
      key = Object.keys(entry)[0];
      const v = entry[key];
      if (v !== null && v !== undefined && !isRecord(v)) {
        at.ctx.sink.error(childPath(path, key), `options of job "${key}" must be a map`);
        return;
      }
      opts = (v as Record<string, unknown>) ?? {};
    } else {
      at.ctx.sink.error(path, 'a workflow job is a job name or a map with exactly one job name as key');
      return;
    }
    const entryPath = typeof entry === 'string' ? path : childPath(path, key);
    if (opts.matrix === undefined || opts.matrix === null) {
      const inst = instance({ key, opts, matrix: {}, defaultName: undefined }, { ctx: at.ctx, path: entryPath });
      if (inst) out.push(inst);
      return;
    }
    const matrix = interpolate(opts.matrix, scoped(at.ctx, {}, entryPath), childPath(entryPath, 'matrix'));
    const alias = isRecord(matrix) && typeof matrix.alias === 'string' ? matrix.alias : key;
    for (const m of expandMatrix(matrix, { base: key, sink: at.ctx.sink, path: childPath(entryPath, 'matrix') })) {
      const inst = instance({ key, opts, matrix: m.params, defaultName: m.defaultName, alias }, { ctx: at.ctx, path: entryPath });
      if (inst) out.push(inst);
    }
  });
  return out;
}

function scoped(ctx: WorkflowJobsContext, matrix: Record<string, unknown>, _path: string) {
  const scope = new Map(ctx.pipeline);
  for (const [k, v] of Object.entries(matrix)) scope.set(`matrix.${k}`, v);
  return { scope, onError: (p: string, m: string) => ctx.sink.error(p, m) };
}

interface Spec {
  readonly key: string;
  readonly opts: Record<string, unknown>;
  readonly matrix: Readonly<Record<string, unknown>>;
  readonly defaultName: string | undefined;
  readonly alias?: string;
}

function instance(spec: Spec, at: { ctx: WorkflowJobsContext; path: string }): JobInstance | undefined {
  const { sink } = at.ctx;
  const ictx = scoped(at.ctx, spec.matrix as Record<string, unknown>, at.path);
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.opts)) if (k !== 'matrix') o[k] = interpolate(v, ictx, childPath(at.path, k));
  let name = spec.defaultName ?? spec.key;
  if (o.name !== undefined && o.name !== null) {
    const written = String(spec.opts.name);
    name = spec.defaultName && !written.includes('matrix.') ? `${String(o.name)}${spec.defaultName.slice(spec.key.length)}` : String(o.name);
  }
  const contexts = contextList(o.context, { sink, path: childPath(at.path, 'context') });
  const entry: Record<string, unknown> = {};
  for (const k of ['requires', 'filters', 'context', 'type']) if (o[k] !== undefined) entry[k] = o[k];
  const aliases = spec.alias && spec.alias !== name ? [name, spec.alias] : [name];
  const base = { name, aliases, requires: o.requires, filters: o.filters, contexts, path: at.path, entry };
  if (o.type === 'approval') return { ...base, type: 'approval' };
  if (o.type !== undefined && o.type !== 'build' && o.type !== 'no-op') {
    sink.error(childPath(at.path, 'type'), `type must be approval (or build/no-op), got ${JSON.stringify(o.type)}`);
  }
  const found = lookup(at.ctx.root, { kind: 'jobs', name: spec.key });
  if ('missing' in found) {
    if (found.missing === 'unknown') sink.error(at.path, `job "${spec.key}" is not defined under jobs: (nor in an imported orb)`);
    // Reported once (here or as its orb failing); keep the name so requires on it stay quiet.
    return { ...base, type: 'build' };
  }
  const def = isRecord(found.found.def) ? found.found.def : {};
  if (o.type === 'no-op' || def.type === 'no-op') return { ...base, type: 'no-op' };
  if (def.type === 'approval') return { ...base, type: 'approval' };
  const args: Record<string, unknown> = { ...spec.matrix };
  for (const [k, v] of Object.entries(o)) if (!RESERVED.has(k)) args[k] = v;
  const defPath = found.found.scope.label ? at.path : childPath('jobs', spec.key);
  const body = expandJob({ element: found.found, args, sink, pipeline: at.ctx.pipeline, path: at.path, defPath, preSteps: o['pre-steps'], postSteps: o['post-steps'] });
  const job = compileJob(body, { name: found.found.qualifiedName, sink, path: defPath });
  return { ...base, type: 'build', body, ...(job ? { job } : {}) };
}

function contextList(v: unknown, at: { sink: ProblemSink; path: string }): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  at.sink.error(at.path, 'context must be a context name or a list of names');
  return [];
}
