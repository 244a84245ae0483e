/**
 * @module Tasks: the unit a runner claims (one per parallel slice of a job).
 *
 * A claim is a lease: `lease_expires_at` is pushed forward by heartbeats, and `lease_token`
 * (a fencing token) increases on every claim. Every runner report must carry the token it
 * was given; a report with an older token, or for a lease that has lapsed, is refused.
 */
import type { Store } from './database.js';
import type { StepTable, TaskTable, LogChunkTable } from './schema.js';

export interface ClaimFilter {
  runnerId: string;
  resourceClasses: readonly string[];
  executors: readonly string[];
  leaseUntil: string;
  now: string;
}

const TERMINAL = ['success', 'failed', 'canceled', 'infrastructure_fail', 'timedout'];

export class TaskRepository {
  constructor(private readonly store: Store) {}

  async createMany(tasks: TaskTable[]): Promise<void> {
    if (tasks.length) await this.store.db.insertInto('tasks').values(tasks).execute();
  }

  async getById(id: string): Promise<TaskTable | undefined> {
    return this.store.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listByJob(jobId: string): Promise<TaskTable[]> {
    return this.store.db.selectFrom('tasks').selectAll().where('job_id', '=', jobId).orderBy('node_index').execute();
  }

  /** Claims the oldest queued task this runner can execute, or returns undefined. */
  async claim(filter: ClaimFilter): Promise<TaskTable | undefined> {
    if (!filter.resourceClasses.length || !filter.executors.length) return undefined;
    return this.store.db.transaction().execute(async (trx) => {
      let candidate = trx.selectFrom('tasks').select('id')
        .where('status', '=', 'queued')
        .where('resource_class', 'in', filter.resourceClasses)
        .where('executor', 'in', filter.executors)
        .orderBy('created_at').limit(1);
      if (this.store.dialect === 'postgres') candidate = candidate.forUpdate().skipLocked();
      const row = await candidate.executeTakeFirst();
      if (!row) return undefined;
      return trx.updateTable('tasks')
        .set((eb) => ({
          status: 'running',
          runner_id: filter.runnerId,
          lease_token: eb('lease_token', '+', 1),
          lease_expires_at: filter.leaseUntil,
          started_at: filter.now,
        }))
        .where('id', '=', row.id).where('status', '=', 'queued')
        .returningAll().executeTakeFirst();
    });
  }

  /** Extends a lease held with `leaseToken`; false when the lease is no longer this holder's. */
  async renewLease(options: { taskId: string; leaseToken: number; until: string; now: string }): Promise<boolean> {
    const result = await this.store.db.updateTable('tasks').set({ lease_expires_at: options.until })
      .where('id', '=', options.taskId).where('lease_token', '=', options.leaseToken)
      .where('status', '=', 'running').where('lease_expires_at', '>', options.now).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** True when `leaseToken` is the current, unexpired lease of a running task. */
  async holdsLease(options: { taskId: string; leaseToken: number; now: string }): Promise<boolean> {
    const row = await this.store.db.selectFrom('tasks').select('id')
      .where('id', '=', options.taskId).where('lease_token', '=', options.leaseToken)
      .where('status', '=', 'running').where('lease_expires_at', '>', options.now).executeTakeFirst();
    return row !== undefined;
  }

  /** Ends a running task. With a lease token, only the current holder may do it. */
  async finish(options: { taskId: string; leaseToken?: number; status: string; reason: string | null; now: string }): Promise<boolean> {
    let query = this.store.db.updateTable('tasks')
      .set({ status: options.status, failure_reason: options.reason, stopped_at: options.now, lease_expires_at: null })
      .where('id', '=', options.taskId).where('status', 'not in', TERMINAL);
    if (options.leaseToken !== undefined) query = query.where('lease_token', '=', options.leaseToken);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Running tasks whose lease lapsed (their runner stopped heart-beating). */
  async listExpired(now: string): Promise<TaskTable[]> {
    return this.store.db.selectFrom('tasks').selectAll()
      .where('status', '=', 'running').where('lease_expires_at', '<=', now).execute();
  }

  /** Running tasks held by a runner (used when that runner restarts). */
  async listRunningByRunner(runnerId: string): Promise<TaskTable[]> {
    return this.store.db.selectFrom('tasks').selectAll().where('status', '=', 'running').where('runner_id', '=', runnerId).execute();
  }

  async requestCancel(jobId: string): Promise<void> {
    await this.store.db.updateTable('tasks').set({ cancel_requested: 1 }).where('job_id', '=', jobId).execute();
  }

  async countQueued(): Promise<number> {
    const row = await this.store.db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'queued').executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

export class StepRepository {
  constructor(private readonly store: Store) {}

  /** Records a step's state; repeated reports of the same step overwrite (idempotent). */
  async upsert(step: StepTable): Promise<void> {
    await this.store.db.insertInto('steps').values(step)
      .onConflict((oc) => oc.columns(['task_id', 'step_index']).doUpdateSet({
        name: step.name, status: step.status, exit_code: step.exit_code, started_at: step.started_at, stopped_at: step.stopped_at,
      })).execute();
  }

  async listByTask(taskId: string): Promise<StepTable[]> {
    return this.store.db.selectFrom('steps').selectAll().where('task_id', '=', taskId).orderBy('step_index').execute();
  }
}

export class LogChunkRepository {
  constructor(private readonly store: Store) {}

  /** Inserts a chunk's index row; false if that sequence number already exists (a retried upload). */
  async insert(chunk: LogChunkTable): Promise<boolean> {
    const result = await this.store.db.insertInto('log_chunks').values(chunk)
      .onConflict((oc) => oc.columns(['task_id', 'seq']).doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async last(taskId: string): Promise<LogChunkTable | undefined> {
    return this.store.db.selectFrom('log_chunks').selectAll().where('task_id', '=', taskId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  }

  /** Chunks from sequence `fromSeq` (inclusive), in order. */
  async listFromSeq(options: { taskId: string; fromSeq: number; limit: number }): Promise<LogChunkTable[]> {
    return this.store.db.selectFrom('log_chunks').selectAll()
      .where('task_id', '=', options.taskId).where('seq', '>=', options.fromSeq)
      .orderBy('seq').limit(options.limit).execute();
  }

  /** Chunks that contain or follow byte `fromByte`, in order. */
  async listFromByte(options: { taskId: string; fromByte: number; limit: number }): Promise<LogChunkTable[]> {
    return this.store.db.selectFrom('log_chunks').selectAll()
      .where('task_id', '=', options.taskId)
      .where((eb) => eb(eb('byte_offset', '+', eb.ref('byte_length')), '>', options.fromByte))
      .orderBy('seq').limit(options.limit).execute();
  }
}
