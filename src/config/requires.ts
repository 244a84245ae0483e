/**
 * @module `requires:` entries → Requirements: names, `{job: status}`, `{job: [statuses]}`,
 * `terminal`, and matrix aliases that stand for every expanded job.
 */
import type { RequiredStatus, Requirement } from './plan.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { isRecord } from './scope.js';

const STATUSES: readonly RequiredStatus[] = ['success', 'failed', 'canceled', 'unauthorized', 'not_run'];

/**
 * Parses `requires` for one job. `byName` maps every name or alias to the job names it stands
 * for. Unknown names are problems.
 */
export function parseRequires(raw: unknown, at: { byName: ReadonlyMap<string, readonly string[]>; sink: ProblemSink; path: string; self: string }): Requirement[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const out = new Map<string, Set<RequiredStatus>>();
  list.forEach((item, i) => {
    const path = childPath(at.path, i);
    const pairs: [string, unknown][] = typeof item === 'string' ? [[item, 'success']] : isRecord(item) ? Object.entries(item) : [];
    if (pairs.length === 0) at.sink.error(path, 'a requires entry is a job name or a map of job name to status');
    for (const [name, st] of pairs) {
      const statuses = parseStatuses(st, { sink: at.sink, path });
      const targets = at.byName.get(name);
      if (!targets) {
        at.sink.error(path, `requires "${name}", which is not a job in this workflow`);
        continue;
      }
      for (const t of targets) {
        if (t === at.self) {
          at.sink.error(path, `job "${at.self}" requires itself`);
          continue;
        }
        const set = out.get(t) ?? new Set<RequiredStatus>();
        statuses.forEach((s) => set.add(s));
        out.set(t, set);
      }
    }
  });
  return [...out].map(([job, set]) => ({ job, statuses: STATUSES.filter((s) => set.has(s)) }));
}

function parseStatuses(v: unknown, at: { sink: ProblemSink; path: string }): RequiredStatus[] {
  const list = Array.isArray(v) ? v : [v];
  const out: RequiredStatus[] = [];
  for (const s of list) {
    if (s === 'terminal') out.push(...STATUSES);
    else if (STATUSES.includes(s as RequiredStatus)) out.push(s as RequiredStatus);
    else at.sink.error(at.path, `requires status must be one of ${[...STATUSES, 'terminal'].join(', ')}, got ${JSON.stringify(s)}`);
  }
  return out;
}
