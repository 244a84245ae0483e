/**
 * @module Dynamic config (issue #3): a `setup: true` pipeline runs its setup workflow, whose jobs
 * receive `CIRCLE_CONTINUATION_KEY`; `POST /api/v2/pipeline/continue` with that key compiles the
 * continuation config with the pipeline's values and starts its workflows on the same pipeline.
 *
 * Keys: each task of a setup workflow gets its own random key when a runner claims it; only its
 * SHA-256 is stored, so no key can be read back from the database. Any of a pipeline's keys
 * continues it, once (a guarded update on `continued_at`), within 6 hours of its creation.
 */
import { parse as parseYamlText } from 'yaml';
import { AppError, errors } from '../../shared/errors.js';
import { hashToken, newToken } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { JobTable, PipelineTable, Repositories, TaskTable } from '../../store/index.js';
import type { PipelineService } from './pipeline.service.js';

/** CircleCI: a pipeline can be continued within 6 hours of its creation. */
export const CONTINUATION_WINDOW_MS = 6 * 60 * 60 * 1000;

/** Names of the pipeline parameters a config declares (top-level `parameters:`); none when it does not parse. */
export function declaredPipelineParameters(source: string): string[] {
  try {
    const doc = parseYamlText(source, { version: '1.1', merge: true, uniqueKeys: false }) as unknown;
    const params = doc && typeof doc === 'object' ? (doc as Record<string, unknown>).parameters : undefined;
    return params && typeof params === 'object' && !Array.isArray(params) ? Object.keys(params) : [];
  } catch {
    return [];
  }
}

export interface ContinueInput {
  key: string;
  configuration: string;
  parameters?: Record<string, unknown>;
}

export class ContinuationService {
  constructor(private readonly deps: { repos: Repositories; pipelines: PipelineService; now?: () => Date }) {}

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  /**
   * The `CIRCLE_CONTINUATION_KEY` for a task being handed to a runner, or undefined when the
   * job's pipeline cannot be continued (not a setup pipeline, already continued, or expired).
   */
  async keyForTask(input: { job: JobTable; pipeline: PipelineTable; task: TaskTable }): Promise<string | undefined> {
    const row = await this.deps.repos.continuations.get(input.pipeline.id);
    if (!row || row.continued_at !== null || row.expires_at <= this.now()) return undefined;
    const key = newToken('kiln_cont');
    await this.deps.repos.continuations.addKey({ key_hash: hashToken(key), pipeline_id: input.pipeline.id, task_id: input.task.id, created_at: nowIso() });
    return key;
  }

  /** Continues the pipeline the key belongs to. Answers CircleCI's `{message}`. */
  async continue(input: ContinueInput): Promise<{ message: string }> {
    const { repos } = this.deps;
    const keyRow = input.key ? await repos.continuations.findKey(hashToken(input.key)) : undefined;
    if (!keyRow) throw errors.unauthenticated('Invalid continuation key');
    const row = await repos.continuations.get(keyRow.pipeline_id);
    const pipeline = await repos.pipelines.getById(keyRow.pipeline_id);
    if (!row || !pipeline) throw errors.unauthenticated('Invalid continuation key');
    if (row.continued_at !== null) throw errors.conflict('This pipeline has already been continued.');
    if (row.expires_at <= this.now()) throw errors.conflict('The continuation key has expired: a setup pipeline must be continued within 6 hours of its creation.');
    const parameters = input.parameters ?? {};
    for (const [name, value] of Object.entries(parameters)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) throw new AppError('validation_failed', `Pipeline parameter "${name}" must be a string, number or boolean`);
      if (typeof value === 'string' && value.length > 512) throw new AppError('validation_failed', `Pipeline parameter "${name}" is longer than 512 characters`);
    }
    const inSetup = new Set(JSON.parse(row.setup_parameters) as string[]);
    const inContinuation = new Set(declaredPipelineParameters(input.configuration));
    if (Object.keys(parameters).some((name) => inSetup.has(name) && inContinuation.has(name))) {
      throw errors.badRequest('Conflicting pipeline parameters.');
    }
    if (!(await repos.continuations.claim(pipeline.id, this.now()))) throw errors.conflict('This pipeline has already been continued.');
    const state = await this.deps.pipelines.continuePipeline({ pipeline, source: input.configuration, parameters });
    return { message: state === 'created' ? 'Pipeline continued.' : 'Pipeline continued; its configuration has errors (see the pipeline).' };
  }
}
