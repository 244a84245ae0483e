/**
 * @module `pipeline.*` values as the flat dotted scope that interpolation and expressions read.
 */
import type { PipelineValues } from './plan.js';

/**
 * Builds `pipeline.id`, `pipeline.number`, `pipeline.project.*`, `pipeline.git.*`,
 * `pipeline.trigger_source`, `pipeline.schedule.*`, `pipeline.trigger_parameters.*`.
 * Values the pipeline does not have are `null` (interpolated as "", `<nil>` in environment).
 */
export function pipelineScope(values: PipelineValues): Map<string, unknown> {
  const m = new Map<string, unknown>();
  const set = (k: string, v: unknown): void => { m.set(`pipeline.${k}`, v ?? null); };
  set('id', values.id);
  set('number', values.number);
  set('project.git_url', values.project?.gitUrl);
  set('project.type', values.project?.type);
  set('project.slug', values.project?.slug);
  set('git.branch', values.git?.branch);
  set('git.tag', values.git?.tag);
  set('git.revision', values.git?.revision);
  set('git.base_revision', values.git?.baseRevision);
  set('git.commit.subject', values.git?.commitSubject);
  set('git.commit.author_name', values.git?.commitAuthorName);
  set('trigger_source', values.triggerSource);
  set('schedule.name', values.schedule?.name);
  set('schedule.id', values.schedule?.id);
  set('in_setup', false);
  flatten(values.triggerParameters, { prefix: 'pipeline.trigger_parameters', into: m });
  return m;
}

function flatten(value: unknown, at: { prefix: string; into: Map<string, unknown> }): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    at.into.set(at.prefix, value ?? null);
    return;
  }
  for (const [k, v] of Object.entries(value)) flatten(v, { prefix: `${at.prefix}.${k}`, into: at.into });
}
