/**
 * @module `workflows:` → WorkflowPlans: workflow `when`/`unless`, legacy schedule triggers,
 * job filters, and requirements (requirements on filtered-out jobs are dropped; a job whose
 * requirements were all filtered out does not run either).
 */
import type { Requirement, WorkflowJobPlan, WorkflowPlan } from './plan.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { interpolate } from './interpolate.js';
import { evaluateLogic } from './logic.js';
import { jobFiltersPass, onlyIgnorePass } from './filters.js';
import { parseRequires } from './requires.js';
import { workflowJobInstances } from './workflow-jobs.js';
import type { JobInstance, WorkflowJobsContext } from './workflow-jobs.js';
import { isRecord } from './scope.js';

export interface CompileWorkflowsContext extends WorkflowJobsContext {
  readonly branch?: string;
  readonly tag?: string;
  readonly triggerSource: string;
  /** For legacy schedules fired by Kiln's scheduler: run only this workflow. */
  readonly scheduledWorkflow?: string;
}

/** A compiled workflow plus what `expandConfig` prints for it. */
export interface CompiledWorkflow {
  readonly plan: WorkflowPlan | undefined;
  readonly name: string;
  readonly instances: readonly JobInstance[];
  readonly expanded: Record<string, unknown>;
}

const SCHEDULE_SOURCES = new Set(['scheduled_pipeline', 'schedule']);

/** Compiles every workflow that applies to this pipeline. */
export function compileWorkflows(workflows: unknown, ctx: CompileWorkflowsContext): CompiledWorkflow[] {
  const out: CompiledWorkflow[] = [];
  if (!isRecord(workflows)) {
    if (workflows !== undefined) ctx.sink.error('workflows', 'workflows must be a map of workflow name to workflow');
    return out;
  }
  for (const [name, def] of Object.entries(workflows)) {
    if (name === 'version') continue;
    const path = childPath('workflows', name);
    if (!isRecord(def)) {
      ctx.sink.error(path, `workflow "${name}" must be a map with jobs:`);
      continue;
    }
    if (!conditionHolds(def, { ctx, path })) continue;
    if (!triggerAllows(def, { ctx, path, name })) continue;
    const instances = workflowJobInstances(def.jobs, { ctx, path: childPath(path, 'jobs') });
    const expanded: Record<string, unknown> = { ...def, jobs: instances.map((i) => ({ [i.name]: i.entry })) };
    delete expanded.when;
    delete expanded.unless;
    out.push({ name, instances, expanded, plan: buildPlan(name, { instances, ctx, path }) });
  }
  return out;
}

function conditionHolds(def: Record<string, unknown>, at: { ctx: CompileWorkflowsContext; path: string }): boolean {
  for (const key of ['when', 'unless'] as const) {
    if (def[key] === undefined) continue;
    const path = childPath(at.path, key);
    const stmt = interpolate(def[key], { scope: at.ctx.pipeline, onError: (p, m) => at.ctx.sink.error(p, m) }, path);
    const r = evaluateLogic(stmt, { scope: at.ctx.pipeline, expressions: true });
    if (!r.ok) {
      at.ctx.sink.error(path, r.error);
      return false;
    }
    if (r.value !== (key === 'when')) return false;
  }
  return true;
}

function triggerAllows(def: Record<string, unknown>, at: { ctx: CompileWorkflowsContext; path: string; name: string }): boolean {
  const schedules = Array.isArray(def.triggers) ? def.triggers.filter((t) => isRecord(t) && isRecord(t.schedule)) : [];
  const scheduled = SCHEDULE_SOURCES.has(at.ctx.triggerSource);
  if (at.ctx.triggerSource === 'schedule' && at.ctx.scheduledWorkflow !== undefined && at.ctx.scheduledWorkflow !== at.name) return false;
  if (schedules.length === 0) return at.ctx.triggerSource !== 'schedule';
  if (!scheduled) return false;
  return schedules.some((t, i) => {
    const filters = (t as { schedule: Record<string, unknown> }).schedule.filters;
    if (!isRecord(filters) || filters.branches === undefined) return true;
    try {
      return onlyIgnorePass(filters.branches, at.ctx.branch);
    } catch (err) {
      at.ctx.sink.error(childPath(childPath(at.path, 'triggers'), i), (err as Error).message);
      return false;
    }
  });
}

function buildPlan(name: string, at: { instances: readonly JobInstance[]; ctx: CompileWorkflowsContext; path: string }): WorkflowPlan | undefined {
  const { sink } = at.ctx;
  const byName = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const inst of at.instances) {
    if (seen.has(inst.name)) sink.error(inst.path, `two jobs in workflow "${name}" are named "${inst.name}"; give one a different name:`);
    seen.add(inst.name);
    for (const a of inst.aliases) byName.set(a, [...(byName.get(a) ?? []), inst.name]);
  }
  const reqs = new Map<string, Requirement[]>();
  const runs = new Set<string>();
  for (const inst of at.instances) {
    reqs.set(inst.name, parseRequires(inst.requires, { byName, sink, path: childPath(inst.path, 'requires'), self: inst.name }));
    const f = jobFiltersPass(inst.filters, { branch: at.ctx.branch, tag: at.ctx.tag, scope: at.ctx.pipeline });
    if (!f.ok) sink.error(childPath(inst.path, 'filters'), f.error);
    else if (f.runs) runs.add(inst.name);
  }
  checkCycles(reqs, { sink, instances: at.instances });
  for (let changed = true; changed;) {
    changed = false;
    for (const n of runs) {
      const r = reqs.get(n) ?? [];
      if (r.length > 0 && !r.some((x) => runs.has(x.job))) {
        runs.delete(n);
        changed = true;
      }
    }
  }
  const jobs: WorkflowJobPlan[] = at.instances.filter((i) => runs.has(i.name)).map((i) => ({
    name: i.name,
    type: i.type,
    requires: (reqs.get(i.name) ?? []).filter((r) => runs.has(r.job)),
    contexts: i.contexts,
    ...(i.job ? { job: i.job } : {}),
  }));
  return jobs.length ? { name, jobs } : undefined;
}

function checkCycles(reqs: ReadonlyMap<string, Requirement[]>, at: { sink: ProblemSink; instances: readonly JobInstance[] }): void {
  const state = new Map<string, 1 | 2>();
  const visit = (n: string, stack: string[]): boolean => {
    if (state.get(n) === 2) return false;
    if (state.get(n) === 1) {
      const inst = at.instances.find((i) => i.name === n);
      at.sink.error(inst ? childPath(inst.path, 'requires') : 'workflows', `requires form a cycle: ${[...stack.slice(stack.indexOf(n)), n].join(' → ')}`);
      return true;
    }
    state.set(n, 1);
    for (const r of reqs.get(n) ?? []) if (visit(r.job, [...stack, n])) return true;
    state.set(n, 2);
    return false;
  };
  for (const n of reqs.keys()) if (visit(n, [])) return;
}
