/**
 * @module `environment:` maps (or lists of `KEY=value`) → string records.
 */
import type { ProblemSink } from './problems.js';
import { isRecord } from './scope.js';

/**
 * Converts an environment map to strings: booleans become `true`/`false`, numbers their
 * decimal text, and an empty value (such as an unset pipeline value) the string `<nil>`.
 */
export function toEnvironment(v: unknown, at: { sink: ProblemSink; path: string }): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item === 'string' && item.includes('=')) {
        const i = item.indexOf('=');
        out[item.slice(0, i)] = item.slice(i + 1);
      } else if (isRecord(item)) {
        Object.assign(out, toEnvironment(item, at));
      } else {
        at.sink.error(at.path, `environment list entries must be KEY=value, got ${JSON.stringify(item)}`);
      }
    }
    return out;
  }
  if (!isRecord(v)) {
    at.sink.error(at.path, 'environment must be a map of variable names to values');
    return out;
  }
  for (const [k, val] of Object.entries(v)) {
    if (val === null || val === undefined) out[k] = '<nil>';
    else if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
    else at.sink.error(`${at.path}.${k}`, `environment variable ${k} must be a string, number or boolean`);
  }
  return out;
}
