/**
 * @module The WebSocket protocol at `/api/v2/ws` (one endpoint for everything live).
 *
 * Client → server: `subscribe` / `unsubscribe` a topic. Topics:
 *   `project:<projectId>`   pipeline, workflow and job state changes in a project
 *   `pipeline:<pipelineId>` workflow and job state changes of one pipeline
 *   `log:<jobId>:<node>`    log chunks of one parallel run of a job (node 0 unless parallel);
 *                           `fromSeq` asks for history from that chunk first
 * Server → client: `event` (state change), `log` (chunk), `subscribed`, `error`.
 * A log subscription delivers history from `fromSeq` and then live chunks with no gap and no
 * duplicate: chunks arrive in strictly increasing `seq`.
 */
import type { JobStatus, PipelineState, WorkflowStatus } from './resources.js';

export type ClientMessage =
  | { type: 'subscribe'; topic: string; fromSeq?: number }
  | { type: 'unsubscribe'; topic: string };

export type StateEvent =
  | { kind: 'pipeline'; projectId: string; pipelineId: string; number: number; state: PipelineState }
  | { kind: 'workflow'; projectId: string; pipelineId: string; workflowId: string; name: string; status: WorkflowStatus }
  | { kind: 'job'; projectId: string; pipelineId: string; workflowId: string; jobId: string; name: string; status: JobStatus; number: number | null; taskIds: string[]; reason: string | null }
  | { kind: 'step'; projectId: string; pipelineId: string; jobId: string; taskId: string; index: number; name: string; status: string; exitCode: number | null };

export type ServerMessage =
  | { type: 'subscribed'; topic: string }
  | { type: 'event'; topic: string; event: StateEvent }
  | { type: 'log'; topic: string; taskId: string; seq: number; step: number; data: string }
  | { type: 'log_end'; topic: string; taskId: string }
  | { type: 'error'; topic?: string; code: string; message: string };
