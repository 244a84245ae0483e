/** @module Whitelists pipeline and workflow fields (CircleCI v2 shapes). */
import type { Pipeline, PipelineError, PipelineState, Workflow, WorkflowStatus } from '../../api/resources.js';
import type { PipelineTable, ProjectTable, WorkflowTable } from '../../store/index.js';

const TRIGGER_TYPES = new Set(['explicit', 'api', 'webhook', 'scheduled_pipeline']);

export function presentPipeline(pipeline: PipelineTable, project: ProjectTable, actorLogin: string): Pipeline {
  return {
    id: pipeline.id,
    errors: JSON.parse(pipeline.errors) as PipelineError[],
    project_slug: project.slug,
    updated_at: pipeline.updated_at,
    number: pipeline.number,
    trigger_parameters: JSON.parse(pipeline.parameters) as Record<string, unknown>,
    state: pipeline.state as PipelineState,
    created_at: pipeline.created_at,
    trigger: {
      type: (TRIGGER_TYPES.has(pipeline.trigger_type) ? pipeline.trigger_type : 'api') as Pipeline['trigger']['type'],
      received_at: pipeline.created_at,
      actor: { login: actorLogin, avatar_url: null },
    },
    vcs: {
      provider_name: project.vcs_type,
      target_repository_url: project.repo_url,
      origin_repository_url: project.repo_url,
      ...(pipeline.branch ? { branch: pipeline.branch } : {}),
      ...(pipeline.tag ? { tag: pipeline.tag } : {}),
      ...(pipeline.revision ? { revision: pipeline.revision } : {}),
    },
  };
}

export function presentWorkflow(workflow: WorkflowTable, pipeline: PipelineTable, project: ProjectTable): Workflow {
  return {
    pipeline_id: workflow.pipeline_id,
    id: workflow.id,
    name: workflow.name,
    project_slug: project.slug,
    status: workflow.status as WorkflowStatus,
    pipeline_number: pipeline.number,
    created_at: workflow.created_at,
    stopped_at: workflow.stopped_at,
    started_by: pipeline.trigger_actor_id,
    canceled_by: null,
    errored_by: null,
  };
}
