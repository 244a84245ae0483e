/** @module Paths and environment for one step: `~` expansion, working directories, precedence. */
import { posix } from 'node:path';
import type { JobPlan, RunStepPlan } from '../config/plan.js';

/** Expands a leading `~` to the job user's home. `$VARS` are not expanded (CircleCI doesn't). */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return posix.join(home, path.slice(2));
  return path;
}

/** The job's working directory, absolute. */
export function jobDirectory(plan: JobPlan, home: string): string {
  const dir = expandHome(plan.workingDirectory || '~/project', home);
  return dir.startsWith('/') ? dir : posix.join(home, dir);
}

/** A step's directory: absolute, `~`-relative, or relative to the job's directory. */
export function stepDirectory(jobDir: string, stepDir: string | undefined, home: string): string {
  if (!stepDir) return jobDir;
  const expanded = expandHome(stepDir, home);
  return expanded.startsWith('/') ? expanded : posix.join(jobDir, expanded);
}

/**
 * Environment of a `run` step, lowest precedence first: what the server resolved (project and
 * context variables, built-ins), then job `environment`, then step `environment`.
 */
export function stepEnvironment(input: { base: Record<string, string>; plan: JobPlan; step?: RunStepPlan; jobDir: string; bashEnv: string; home: string }): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: input.home,
    ...input.base,
    CIRCLE_WORKING_DIRECTORY: input.jobDir,
    BASH_ENV: input.bashEnv,
    ...input.plan.environment,
    ...(input.step?.environment ?? {}),
  };
}
