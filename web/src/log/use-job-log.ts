/**
 * @module Loads a job's log tail-first, then keeps it live and fills in the beginning.
 *
 * 1. Ask for the log's end (`from_byte` past the end answers with `next_seq`), then fetch the
 *    last chunks, doubling until there is more than a screenful: the view shows the last
 *    screen after two or three small requests whatever the log's length.
 * 2. Follow new chunks: over the WebSocket (`log:<jobId>:<node>` with `fromSeq`) when it is
 *    open, otherwise by polling `from_seq` until the log is complete.
 * 3. In the background, fetch older pages backwards with `from_seq` and prepend them.
 */
import { useEffect, useRef, useState } from 'react';
import type { LogPage } from '../../../src/api/resources.js';
import { api, slugPath } from '../api/http.js';
import { live } from '../api/live.js';
import { useLiveStatus } from '../hooks.js';
import { LogModel } from './log-model.js';

export interface JobLogState {
  model: LogModel;
  version: number;
  /** The whole log, from its first chunk, is held. */
  fromStart: boolean;
  complete: boolean;
  error?: unknown;
  loadingTail: boolean;
}

const MIN_TAIL_LINES = 400;
const BACKFILL_CHUNKS = 200;
const END = Number.MAX_SAFE_INTEGER;

export function logUrl(slug: string, input: { number: number; node: number; query: string }): string {
  return `${slugPath(slug)}/job/${input.number}/log?node=${input.node}&${input.query}`;
}

export function useJobLog(input: { slug: string; number: number; node: number; jobId: string | undefined; finished: boolean }): JobLogState {
  const { slug, number, node, jobId, finished } = input;
  const [state, setState] = useState<JobLogState>(() => ({ model: new LogModel(), version: 0, fromStart: false, complete: false, loadingTail: true }));
  const modelRef = useRef<LogModel | undefined>(undefined);
  const completeRef = useRef(false);
  const status = useLiveStatus();
  const finishedRef = useRef(finished);
  finishedRef.current = finished;

  const publish = (patch: Partial<JobLogState> = {}) => {
    const model = modelRef.current!;
    setState((s) => ({ ...s, ...patch, model, version: model.version, fromStart: model.firstSeq === 0, complete: completeRef.current }));
  };

  // Tail first, then backfill.
  useEffect(() => {
    let cancelled = false;
    modelRef.current = undefined;
    completeRef.current = false;
    const page = (query: string) => api<LogPage>('GET', logUrl(slug, { number, node, query }));
    (async () => {
      const end = await page(`from_byte=${END}&limit=1`);
      let count = 8;
      let tail: LogModel;
      let tailPage: LogPage;
      for (;;) {
        const from = Math.max(0, end.next_seq - count);
        tailPage = await page(`from_seq=${from}&limit=${Math.max(1, end.next_seq - from)}`);
        tail = LogModel.fromChunks(tailPage.chunks, from);
        if (from === 0 || tail.lines.length >= MIN_TAIL_LINES || count >= 5000) break;
        count *= 4;
      }
      if (cancelled) return;
      if (end.next_seq === 0) tail.nextSeq = 0;
      modelRef.current = tail;
      completeRef.current = end.complete && tailPage.chunks.length === Math.max(0, end.next_seq - tail.firstSeq);
      publish({ loadingTail: false });
      while (!cancelled && tail.firstSeq > 0) {
        const from = Math.max(0, tail.firstSeq - BACKFILL_CHUNKS);
        const older = await page(`from_seq=${from}&limit=${tail.firstSeq - from}`);
        if (cancelled) return;
        tail.prepend(LogModel.fromChunks(older.chunks.filter((c) => c.seq < tail.firstSeq), from));
        publish();
      }
    })().catch((error: unknown) => {
      if (!cancelled) setState((s) => ({ ...s, error, loadingTail: false }));
    });
    return () => {
      cancelled = true;
    };
  }, [slug, number, node]);

  const ready = !state.loadingTail && !state.error;

  // Live over the WebSocket.
  useEffect(() => {
    if (!ready || !jobId || status !== 'open' || completeRef.current) return;
    return live.subscribe(`log:${jobId}:${node}`, {
      fromSeq: () => modelRef.current?.nextSeq,
      onMessage: (message) => {
        const model = modelRef.current;
        if (!model) return;
        if (message.type === 'log' && message.seq === model.nextSeq) {
          model.append(message.data, message.step);
          model.nextSeq = message.seq + 1;
          publish();
        } else if (message.type === 'log_end') {
          completeRef.current = true;
          publish();
        }
      },
    });
  }, [ready, jobId, node, status]);

  // Polling when the WebSocket is not available.
  useEffect(() => {
    if (!ready || status === 'open') return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const model = modelRef.current;
      if (cancelled || !model || completeRef.current) return;
      try {
        const wasFinished = finishedRef.current;
        const result = await api<LogPage>('GET', logUrl(slug, { number, node, query: `from_seq=${model.nextSeq}&limit=5000` }));
        if (cancelled) return;
        for (const chunk of result.chunks) {
          if (chunk.seq !== model.nextSeq) continue;
          model.append(chunk.data, chunk.step);
          model.nextSeq = chunk.seq + 1;
        }
        if (result.complete || (wasFinished && result.chunks.length === 0)) completeRef.current = true;
        publish();
      } catch {
        // Transient: try again on the next tick.
      }
      if (!completeRef.current) timer = setTimeout(poll, 1000);
    };
    timer = setTimeout(poll, 500);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [ready, status, slug, number, node]);

  return state;
}
