/**
 * @module Job `filters:` and schedule-trigger filters: branches/tags with only/ignore
 * (exact names or `/regex/` whole-value matches; only is checked before ignore), and
 * expression-string filters.
 */
import { evaluateExpression, isTruthy } from './expression.js';
import type { ExpressionScope } from './expression.js';
import { isSlashRegex, javaRegex } from './regex.js';
import { isRecord } from './scope.js';

/** What a filter is checked against. */
export interface FilterTarget {
  readonly branch?: string;
  readonly tag?: string;
  /** For expression filters. */
  readonly scope: ExpressionScope;
}

export type FilterResult = { ok: true; runs: boolean } | { ok: false; error: string };

/**
 * Decides whether a job runs for this pipeline. On a tag, only jobs with a matching `tags`
 * filter run; on a branch, a missing `branches` filter means every branch.
 */
export function jobFiltersPass(filters: unknown, target: FilterTarget): FilterResult {
  if (filters === undefined || filters === null) return { ok: true, runs: target.tag === undefined };
  if (typeof filters === 'string') {
    const r = evaluateExpression(filters, target.scope);
    return r.ok ? { ok: true, runs: isTruthy(r.value) } : { ok: false, error: r.error };
  }
  if (typeof filters === 'boolean') return { ok: true, runs: filters };
  if (!isRecord(filters)) return { ok: false, error: 'filters must be a map with branches:/tags: or an expression string' };
  try {
    if (target.tag !== undefined) {
      if (filters.tags === undefined || filters.tags === null) return { ok: true, runs: false };
      return { ok: true, runs: onlyIgnorePass(filters.tags, target.tag) };
    }
    if (filters.branches === undefined || filters.branches === null) return { ok: true, runs: true };
    return { ok: true, runs: onlyIgnorePass(filters.branches, target.branch) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** `{only, ignore}` against one name; an absent name matches no `only` and no `ignore`. */
export function onlyIgnorePass(filter: unknown, name: string | undefined): boolean {
  if (!isRecord(filter)) throw new Error('a branches/tags filter is a map with only: and/or ignore:');
  if (filter.only !== undefined && filter.only !== null) {
    if (name === undefined || !matchesAny(filter.only, name)) return false;
  }
  if (filter.ignore !== undefined && filter.ignore !== null) {
    if (name !== undefined && matchesAny(filter.ignore, name)) return false;
  }
  return true;
}

function matchesAny(spec: unknown, name: string): boolean {
  const list = Array.isArray(spec) ? spec : [spec];
  return list.some((entry) => {
    const s = String(entry);
    if (isSlashRegex(s)) return javaRegex(s.slice(1, -1)).test(name);
    return s === name;
  });
}
