/**
 * @module Job logs as sequenced chunks: each chunk is one blob (`logs/<taskId>/<seq>`) plus an
 * index row (seq, step, byte offset). Appends must arrive in sequence; a repeated sequence
 * number is ignored, so runner retries are safe. Every appended chunk is published live.
 */
import type { LogPage } from '../../api/resources.js';
import type { BlobStore } from '../../blobs/index.js';
import { AppError } from '../../shared/errors.js';
import { nowIso } from '../../shared/time.js';
import type { LogChunkTable, Repositories } from '../../store/index.js';
import { topics, type EventBus } from '../live/event-bus.js';
import type { ServerMessage } from '../../api/live-events.js';

export const MAX_CHUNK_BYTES = 1024 * 1024;

export function chunkKey(taskId: string, seq: number): string {
  return `logs/${taskId}/${String(seq).padStart(10, '0')}`;
}

export class LogService {
  private readonly appendLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: { repos: Repositories; blobs: BlobStore; bus: EventBus }) {}

  /** Appends chunks (already masked) to a task's log. Serialised per task. */
  append(taskId: string, chunks: ReadonlyArray<{ seq: number; stepIndex: number; data: string }>): Promise<void> {
    const previous = this.appendLocks.get(taskId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.appendNow(taskId, chunks));
    this.appendLocks.set(taskId, next);
    return next.finally(() => { if (this.appendLocks.get(taskId) === next) this.appendLocks.delete(taskId); });
  }

  private async appendNow(taskId: string, chunks: ReadonlyArray<{ seq: number; stepIndex: number; data: string }>): Promise<void> {
    const { repos, blobs, bus } = this.deps;
    let last = await repos.logChunks.last(taskId);
    for (const chunk of [...chunks].sort((a, b) => a.seq - b.seq)) {
      const expected = last ? last.seq + 1 : 0;
      if (chunk.seq < expected) continue; // already stored: a retried upload
      if (chunk.seq > expected) throw new AppError('conflict', `Log chunk ${chunk.seq} arrived before chunk ${expected}`, { expectedSeq: expected });
      const bytes = Buffer.from(chunk.data, 'utf8');
      if (bytes.length > MAX_CHUNK_BYTES) throw new AppError('payload_too_large', `Log chunk ${chunk.seq} is larger than ${MAX_CHUNK_BYTES} bytes`);
      const row: LogChunkTable = {
        task_id: taskId, seq: chunk.seq, step_index: chunk.stepIndex,
        byte_offset: last ? last.byte_offset + last.byte_length : 0, byte_length: bytes.length,
        blob_key: chunkKey(taskId, chunk.seq), created_at: nowIso(),
      };
      await blobs.put(row.blob_key, bytes);
      await repos.logChunks.insert(row);
      last = row;
      const message: ServerMessage = { type: 'log', topic: topics.log(taskId), taskId, seq: row.seq, step: row.step_index, data: chunk.data };
      bus.publish(topics.log(taskId), message);
    }
  }

  /** A page of a task's log from a sequence number or a byte offset. */
  async read(options: { taskId: string; fromSeq?: number; fromByte?: number; limit?: number; taskFinished: boolean }): Promise<LogPage> {
    const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
    const rows = options.fromByte !== undefined
      ? await this.deps.repos.logChunks.listFromByte({ taskId: options.taskId, fromByte: options.fromByte, limit })
      : await this.deps.repos.logChunks.listFromSeq({ taskId: options.taskId, fromSeq: options.fromSeq ?? 0, limit });
    const chunks = await Promise.all(rows.map(async (row) => {
      let data = (await this.deps.blobs.get(row.blob_key))?.toString('utf8') ?? '';
      let offset = row.byte_offset;
      if (options.fromByte !== undefined && options.fromByte > row.byte_offset) {
        const skip = options.fromByte - row.byte_offset;
        data = Buffer.from(data, 'utf8').subarray(skip).toString('utf8');
        offset += skip;
      }
      return { seq: row.seq, step: row.step_index, offset, data };
    }));
    let nextSeq: number;
    if (rows.length) nextSeq = rows[rows.length - 1]!.seq + 1;
    else if (options.fromSeq !== undefined) nextSeq = options.fromSeq;
    else nextSeq = ((await this.deps.repos.logChunks.last(options.taskId))?.seq ?? -1) + 1;
    return { chunks, next_seq: nextSeq, complete: options.taskFinished && rows.length < limit };
  }
}
