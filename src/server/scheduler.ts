/**
 * @module The scheduler loop (issue #3): every `tickMs` it fires due schedules, and every
 * `syncMs` it re-reads each project's legacy `triggers: schedule`. Safe with several replicas:
 * each firing is claimed by a guarded update on `next_run_at` (see ScheduleService.runDue), and
 * the sync is idempotent. `stop()` waits for a running pass to finish.
 */
import type { Logger } from '../shared/logger.js';
import type { ScheduleService } from './services/schedule.service.js';

export interface SchedulerOptions {
  schedules: ScheduleService;
  logger: Logger;
  /** How often due schedules are checked (default 15 s). */
  tickMs?: number;
  /** How often legacy config triggers are re-read (default 5 min; 0 disables). */
  syncMs?: number;
}

export interface Scheduler {
  stop(): Promise<void>;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { schedules, logger } = options;
  const tickMs = options.tickMs ?? 15_000;
  const syncMs = options.syncMs ?? 5 * 60_000;
  let running: Promise<void> | undefined;
  let lastSync = 0;
  let stopped = false;
  const pass = async (): Promise<void> => {
    if (syncMs > 0 && Date.now() - lastSync >= syncMs) {
      lastSync = Date.now();
      await schedules.syncAllConfigTriggers().catch((error: unknown) => logger.error({ err: error }, 'schedule trigger sync failed'));
    }
    await schedules.runDue().catch((error: unknown) => logger.error({ err: error }, 'scheduler pass failed'));
  };
  const tick = (): void => {
    if (stopped || running) return;
    running = pass().finally(() => { running = undefined; });
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  setImmediate(tick);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
