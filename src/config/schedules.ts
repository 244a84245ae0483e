/**
 * @module Legacy `triggers: - schedule:` read out of a config for Kiln's scheduler.
 */
import { parseYaml } from './yaml-parse.js';
import { isRecord } from './scope.js';

/** One scheduled workflow: its UTC cron and the branch filter its runs must pass. */
export interface ScheduledWorkflow {
  readonly workflow: string;
  /** Five-field UTC cron, as written. */
  readonly cron: string;
  /** `filters.branches` as written (`only`/`ignore`, string or list), if any. */
  readonly branches?: { readonly only?: unknown; readonly ignore?: unknown };
}

/**
 * Lists the schedule triggers of a config. A config that does not parse has none (the
 * pipeline that processes it reports why). When one fires, the scheduler should call
 * processConfig with `triggerSource: 'schedule'`, `scheduledWorkflow` and the branch.
 */
export function scheduledWorkflows(input: { readonly source: string }): ScheduledWorkflow[] {
  const parsed = parseYaml(input.source);
  if (!parsed.ok || !isRecord(parsed.value) || !isRecord(parsed.value.workflows)) return [];
  const out: ScheduledWorkflow[] = [];
  for (const [workflow, def] of Object.entries(parsed.value.workflows)) {
    if (!isRecord(def) || !Array.isArray(def.triggers)) continue;
    for (const t of def.triggers) {
      if (!isRecord(t) || !isRecord(t.schedule) || typeof t.schedule.cron !== 'string') continue;
      const filters = isRecord(t.schedule.filters) ? t.schedule.filters : {};
      const b = isRecord(filters.branches) ? filters.branches : undefined;
      out.push({
        workflow,
        cron: t.schedule.cron,
        ...(b ? { branches: { ...(b.only !== undefined ? { only: b.only } : {}), ...(b.ignore !== undefined ? { ignore: b.ignore } : {}) } } : {}),
      });
    }
  }
  return out;
}
