/**
 * @module The shared pipeline behind processConfig, expandConfig and validateConfig:
 * parse → top-level checks → pipeline parameters → orbs → workflows (expand + compile).
 */
import type { PipelinePlan, WorkflowPlan } from './plan.js';
import type { ProcessConfigInput } from './process-config.js';
import { ProblemSink } from './problems.js';
import { parseYamlCached } from './yaml-parse.js';
import { pipelineScope } from './pipeline-values.js';
import { bindArguments, PIPELINE_PARAMETER_TYPES } from './parameters.js';
import { loadRootScope } from './orbs.js';
import { compileWorkflows } from './compile-workflows.js';
import type { CompiledWorkflow } from './compile-workflows.js';
import { isRecord } from './scope.js';

/** Everything one run produced; callers pick what they return. */
export interface ConfigRun {
  readonly sink: ProblemSink;
  readonly config?: Record<string, unknown>;
  readonly workflows?: readonly CompiledWorkflow[];
  readonly plan?: PipelinePlan;
}

const TOP_LEVEL_MAPS = ['orbs', 'commands', 'executors', 'jobs', 'workflows', 'parameters'] as const;

/** Runs every stage, collecting problems. Never throws for bad input. */
export async function runConfig(input: ProcessConfigInput): Promise<ConfigRun> {
  const file = input.file ?? '.circleci/config.yml';
  const parsed = parseYamlCached(typeof input.source === 'string' ? input.source : '');
  if (!parsed.ok) {
    const sink = new ProblemSink(file);
    for (const e of parsed.errors) sink.addAt({ severity: 'error', path: '', line: e.line, column: e.column, message: e.message });
    return { sink };
  }
  const sink = new ProblemSink(file, parsed.positions);
  const config = parsed.value;
  if (!isRecord(config)) {
    sink.error('', 'a config must be a YAML map with version:, jobs: and workflows:');
    return { sink };
  }
  checkTopLevel(config, sink);
  const scope = pipelineScope(input.pipelineValues);
  const params = bindArguments({
    declared: config.parameters,
    given: input.pipelineParameters ?? {},
    what: 'the pipeline',
    path: '',
    declPath: 'parameters',
    sink,
    defaultsScope: scope,
    prefix: 'pipeline.parameters.',
    allowedTypes: PIPELINE_PARAMETER_TYPES,
  });
  for (const [k, v] of params) scope.set(k, v);
  const root = await loadRootScope({ config, source: input.orbs, sink, pipeline: scope });
  const git = input.pipelineValues.git ?? {};
  let workflowsDef = config.workflows;
  if (workflowsDef === undefined && isRecord(config.jobs) && 'build' in config.jobs) {
    workflowsDef = { workflow: { jobs: ['build'] } };
  }
  const workflows = compileWorkflows(workflowsDef, {
    root, sink, pipeline: scope,
    branch: git.tag ? undefined : git.branch ?? undefined,
    tag: git.tag || undefined,
    triggerSource: input.pipelineValues.triggerSource,
    scheduledWorkflow: input.scheduledWorkflow,
  });
  const plans = workflows.map((w) => w.plan).filter((p): p is WorkflowPlan => p !== undefined);
  if (config.setup === true && plans.length > 1) {
    sink.error('workflows', `a setup config may run only one workflow, but ${plans.length} would run (${plans.map((p) => p.name).join(', ')})`);
  }
  return { sink, config, workflows, plan: { setup: config.setup === true, workflows: plans } };
}

function checkTopLevel(config: Record<string, unknown>, sink: ProblemSink): void {
  const v = config.version;
  if (v === undefined || v === null) sink.error('', 'version is missing: add "version: 2.1" at the top');
  else if (String(v) !== '2.1' && String(v) !== '2') sink.error('version', `version must be 2.1, got ${JSON.stringify(v)}`);
  for (const key of TOP_LEVEL_MAPS) {
    const value = config[key];
    if (value !== undefined && value !== null && !isRecord(value)) sink.error(key, `${key} must be a map`);
  }
  if (config.workflows === undefined && !(isRecord(config.jobs) && 'build' in config.jobs)) {
    sink.error('', 'the config has no workflows: (and no job named build to run by default)');
  }
  if (config.setup !== undefined && typeof config.setup !== 'boolean') sink.error('setup', 'setup must be true or false');
}
