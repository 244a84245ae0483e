/**
 * @module processConfig: `.circleci/config.yml` text → frozen PipelinePlan, or problems as data.
 * Stages: parse (YAML 1.1 with positions) → validate → expand (orbs, commands, executors,
 * parameters, matrix, when/unless, filters) → compile.
 */
import type { ConfigProblem, PipelinePlan, PipelineValues } from './plan.js';

/** Where orbs come from. The config module does no I/O itself; callers supply this. */
export interface OrbSource {
  /** Returns the orb's YAML source, or a reason it is not available. */
  resolve(ref: { namespace: string; name: string; version: string }): Promise<{ source: string; file: string } | { error: string }>;
}

export interface ProcessConfigInput {
  readonly source: string;
  /** Shown in problems; default `.circleci/config.yml`. */
  readonly file?: string;
  readonly pipelineValues: PipelineValues;
  readonly pipelineParameters?: Readonly<Record<string, unknown>>;
  readonly orbs?: OrbSource;
}

export type ProcessConfigResult =
  | { readonly ok: true; readonly plan: PipelinePlan; readonly warnings: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export async function processConfig(_input: ProcessConfigInput): Promise<ProcessConfigResult> {
  throw new Error('processConfig: being implemented');
}
