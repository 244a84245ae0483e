/**
 * @module processConfig: `.circleci/config.yml` text → frozen PipelinePlan, or problems as data.
 * Stages: parse (YAML 1.1 with positions) → validate → expand (orbs, commands, executors,
 * parameters, matrix, when/unless, filters) → compile.
 */
import type { ConfigProblem, PipelinePlan, PipelineValues } from './plan.js';
import { freezePlan } from './plan.js';
import type { OrbSource } from './orb-source.js';
import { runConfig } from './run-config.js';

export type { OrbSource } from './orb-source.js';

export interface ProcessConfigInput {
  readonly source: string;
  /** Shown in problems; default `.circleci/config.yml`. */
  readonly file?: string;
  readonly pipelineValues: PipelineValues;
  readonly pipelineParameters?: Readonly<Record<string, unknown>>;
  readonly orbs?: OrbSource;
  /**
   * Set by Kiln's scheduler when a legacy `triggers: schedule` fires (with `triggerSource:
   * 'schedule'`): only this workflow runs, if its branch filter matches.
   */
  readonly scheduledWorkflow?: string;
}

export type ProcessConfigResult =
  | { readonly ok: true; readonly plan: PipelinePlan; readonly warnings: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Processes a config for one pipeline. Never throws: every problem (several at once, with
 * file, line, column and path) comes back as data; warnings accompany a successful plan.
 */
export async function processConfig(input: ProcessConfigInput): Promise<ProcessConfigResult> {
  try {
    const run = await runConfig(input);
    if (run.sink.hasErrors || !run.plan) return { ok: false, problems: run.sink.problems };
    return { ok: true, plan: freezePlan(run.plan), warnings: run.sink.warnings() };
  } catch (err) {
    return { ok: false, problems: [internalProblem(input, err)] };
  }
}

/** A problem standing for a bug in Kiln (any exception is one). Tests look for this prefix. */
export function internalProblem(input: { file?: string }, err: unknown): ConfigProblem {
  return {
    file: input.file ?? '.circleci/config.yml',
    line: 1,
    column: 1,
    path: '',
    severity: 'error',
    message: `internal error in Kiln's config processing (please report it): ${err instanceof Error ? err.message : String(err)}`,
  };
}
