/**
 * @module Workflow job `matrix:`: cross product of parameter values minus `exclude`, named
 * `<job>-<values>` with values ordered by parameter name.
 */
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { isRecord } from './scope.js';

/** One expanded matrix job: its parameter values and its default name. */
export interface MatrixInstance {
  readonly params: Readonly<Record<string, unknown>>;
  /** `<base>-<values>`; used unless the entry's `name:` uses `<< matrix.* >>`. */
  readonly defaultName: string;
}

const MAX_INSTANCES = 1000;

/** Expands `matrix` for the job entry named `base`. Problems are recorded; bad input gives []. */
export function expandMatrix(matrix: unknown, at: { base: string; sink: ProblemSink; path: string }): MatrixInstance[] {
  if (!isRecord(matrix) || !isRecord(matrix.parameters)) {
    at.sink.error(at.path, 'matrix needs parameters: (a map of parameter name to a list of values)');
    return [];
  }
  const names = Object.keys(matrix.parameters).sort();
  let combos: Record<string, unknown>[] = [{}];
  for (const name of names) {
    const values = matrix.parameters[name];
    if (!Array.isArray(values) || values.length === 0) {
      at.sink.error(childPath(childPath(at.path, 'parameters'), name), `matrix parameter "${name}" must be a non-empty list of values`);
      return [];
    }
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
    if (combos.length > MAX_INSTANCES) {
      at.sink.error(at.path, `matrix expands to more than ${MAX_INSTANCES} jobs`);
      return [];
    }
  }
  const excludes = matrix.exclude === undefined || matrix.exclude === null ? [] : matrix.exclude;
  if (!Array.isArray(excludes) || !excludes.every(isRecord)) {
    at.sink.error(childPath(at.path, 'exclude'), 'exclude must be a list of parameter maps');
    return [];
  }
  return combos
    .filter((c) => !excludes.some((ex) => sameValues(c, ex)))
    .map((params) => ({ params, defaultName: [at.base, ...names.map((n) => valueText(params[n]))].join('-') }));
}

function sameValues(combo: Record<string, unknown>, ex: Record<string, unknown>): boolean {
  const keys = Object.keys(ex);
  return keys.length === Object.keys(combo).length && keys.every((k) => k in combo && valueText(combo[k]) === valueText(ex[k]));
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
