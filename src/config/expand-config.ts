/**
 * @module `kiln config process` and `kiln config validate`: the fully expanded config (orbs,
 * commands, executors and parameters resolved, matrices expanded) and the problem list.
 */
import type { ConfigProblem, PipelineValues } from './plan.js';
import type { ProcessConfigInput } from './process-config.js';
import { internalProblem } from './process-config.js';
import { runConfig } from './run-config.js';

/** Like {@link ProcessConfigInput}, but pipeline values default to {@link defaultPipelineValues}. */
export type ExpandConfigInput = Omit<ProcessConfigInput, 'pipelineValues'> & { readonly pipelineValues?: PipelineValues };

export type ExpandConfigResult =
  | { readonly ok: true; readonly config: Record<string, unknown>; readonly warnings: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Pipeline values for offline processing: branch `main`, trigger source `api`. */
export function defaultPipelineValues(): PipelineValues {
  return {
    id: '00000000-0000-0000-0000-000000000000',
    number: 1,
    project: { gitUrl: '', type: 'github', slug: '' },
    git: { branch: 'main', revision: '0000000000000000000000000000000000000000' },
    triggerSource: 'api',
  };
}

/**
 * Expands a config the way `circleci config process` does: one entry under `jobs:` per
 * workflow job (named as in the workflow), executors and steps inlined, no parameters left.
 * Workflows whose `when`/`unless` is false for these pipeline values are left out; job
 * filters are kept as written.
 */
export async function expandConfig(input: ExpandConfigInput): Promise<ExpandConfigResult> {
  const full = { ...input, pipelineValues: input.pipelineValues ?? defaultPipelineValues() };
  try {
    const run = await runConfig(full);
    if (run.sink.hasErrors || !run.config || !run.workflows) return { ok: false, problems: run.sink.problems };
    const jobs: Record<string, unknown> = {};
    const workflows: Record<string, unknown> = {};
    for (const w of run.workflows) {
      for (const inst of w.instances) if (inst.body && !(inst.name in jobs)) jobs[inst.name] = inst.body;
      workflows[w.name] = w.expanded;
    }
    const config: Record<string, unknown> = { version: run.config.version };
    if (run.config.setup !== undefined) config.setup = run.config.setup;
    config.jobs = jobs;
    config.workflows = workflows;
    return { ok: true, config, warnings: run.sink.warnings() };
  } catch (err) {
    return { ok: false, problems: [internalProblem(input, err)] };
  }
}

/** Every problem (errors and warnings) in a config; empty when it is valid. */
export async function validateConfig(input: ExpandConfigInput): Promise<readonly ConfigProblem[]> {
  try {
    const run = await runConfig({ ...input, pipelineValues: input.pipelineValues ?? defaultPipelineValues() });
    return run.sink.problems;
  } catch (err) {
    return [internalProblem(input, err)];
  }
}
