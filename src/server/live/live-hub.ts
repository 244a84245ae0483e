/**
 * @module The one WebSocket endpoint, `/api/v2/ws` (protocol in src/api/live-events.ts).
 * Authenticated like the API (token header or session). Each subscription is checked against
 * the caller's organisation. Log subscriptions replay history from `fromSeq`, then continue
 * live, in strictly increasing sequence with no gap and no duplicate: the live feed is
 * subscribed (and buffered) before history is read, and anything at or below the last
 * delivered sequence is dropped.
 */
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { ClientMessage, ServerMessage } from '../../api/live-events.js';
import type { Repositories } from '../../store/index.js';
import { authorize } from '../http/route.js';
import type { Principal } from '../http/principal.js';
import type { JobLogService } from '../services/job-log.service.js';
import type { LogService } from '../services/log.service.js';
import { topics, type EventBus, type Unsubscribe } from './event-bus.js';

export interface LiveHubDeps {
  bus: EventBus;
  repos: Repositories;
  logs: LogService;
  jobLogs: JobLogService;
}

const MAX_SUBSCRIPTIONS = 200;

export function registerLiveHub(app: FastifyInstance, deps: LiveHubDeps): { clientCount(): number } {
  let clients = 0;
  app.get('/api/v2/ws', {
    websocket: true,
    config: { access: { role: 'viewer' } },
    preValidation: async (request) => authorize(request.principal, { role: 'viewer' }),
  }, (socket, request) => {
    clients++;
    const connection = new LiveConnection(socket, request.principal, deps);
    socket.on('close', () => { clients--; connection.close(); });
  });
  return { clientCount: () => clients };
}

class LiveConnection {
  private readonly subscriptions = new Map<string, Unsubscribe>();

  constructor(private readonly socket: WebSocket, private readonly principal: Principal, private readonly deps: LiveHubDeps) {
    socket.on('message', (raw) => void this.onMessage(raw.toString()));
  }

  private send(message: ServerMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private async onMessage(raw: string): Promise<void> {
    let message: ClientMessage;
    try {
      message = JSON.parse(raw) as ClientMessage;
    } catch {
      return this.send({ type: 'error', code: 'bad_request', message: 'Messages must be JSON' });
    }
    if (message?.type === 'unsubscribe' && typeof message.topic === 'string') {
      this.subscriptions.get(message.topic)?.();
      this.subscriptions.delete(message.topic);
      return;
    }
    if (message?.type !== 'subscribe' || typeof message.topic !== 'string') {
      return this.send({ type: 'error', code: 'bad_request', message: 'Expected {type: "subscribe"|"unsubscribe", topic}' });
    }
    if (this.subscriptions.has(message.topic)) return this.send({ type: 'subscribed', topic: message.topic });
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) return this.send({ type: 'error', topic: message.topic, code: 'rate_limited', message: 'Too many subscriptions' });
    try {
      await this.subscribe(message.topic, message.fromSeq);
    } catch {
      this.send({ type: 'error', topic: message.topic, code: 'internal', message: 'Subscription failed' });
    }
  }

  private async subscribe(topic: string, fromSeq: number | undefined): Promise<void> {
    const separator = topic.indexOf(':');
    const kind = topic.slice(0, separator);
    const id = topic.slice(separator + 1);
    const denied = () => this.send({ type: 'error', topic, code: 'not_found', message: `No topic ${topic}` });
    if (kind === 'log') {
      const [jobId = '', node = '0'] = id.split(':');
      const taskId = await this.deps.jobLogs.taskIdFor(this.principal, { jobId, nodeIndex: Number(node) });
      if (!taskId) return denied();
      return this.followLog({ topic, taskId, fromSeq: Number.isInteger(fromSeq) && fromSeq! >= 0 ? fromSeq! : 0 });
    }
    if (!(await this.mayWatch(kind, id))) return denied();
    const unsubscribe = this.deps.bus.subscribe(topic, (event) => this.send({ type: 'event', topic, event: event as never }));
    this.subscriptions.set(topic, unsubscribe);
    this.send({ type: 'subscribed', topic });
  }

  private async mayWatch(kind: string | undefined, id: string): Promise<boolean> {
    if (this.principal.kind !== 'user') return false;
    if (kind === 'project') return (await this.deps.repos.projects.getById(id))?.org_id === this.principal.orgId;
    if (kind === 'pipeline') return (await this.deps.repos.pipelines.getById(id))?.org_id === this.principal.orgId;
    return false;
  }

  /** Streams one task's log to the client under the client's `topic` name. */
  private async followLog(input: { topic: string; taskId: string; fromSeq: number }): Promise<void> {
    const { topic, taskId, fromSeq } = input;
    let lastSent = fromSeq - 1;
    let ended = false;
    let queue: Promise<void> = Promise.resolve();
    const buffered: ServerMessage[] = [];
    let replaying = true;

    const sendRange = async (upTo: number) => {
      // Fill from the store everything after lastSent up to (and including) `upTo`.
      while (lastSent < upTo) {
        const page = await this.deps.logs.read({ taskId, fromSeq: lastSent + 1, limit: 1000, taskFinished: false });
        if (!page.chunks.length) break;
        for (const chunk of page.chunks) {
          if (chunk.seq <= lastSent || chunk.seq > upTo) continue;
          this.send({ type: 'log', topic, taskId, seq: chunk.seq, step: chunk.step, data: chunk.data });
          lastSent = chunk.seq;
        }
      }
    };
    const deliver = async (message: ServerMessage) => {
      if (message.type === 'log_end') {
        if (!ended) { ended = true; await sendRange(Number.MAX_SAFE_INTEGER); this.send({ type: 'log_end', topic, taskId }); }
        return;
      }
      if (message.type !== 'log' || message.seq <= lastSent) return;
      if (message.seq > lastSent + 1) await sendRange(message.seq - 1);
      this.send({ ...message, topic });
      lastSent = message.seq;
    };
    const unsubscribe = this.deps.bus.subscribe(topics.log(taskId), (message) => {
      if (replaying) buffered.push(message as ServerMessage);
      else queue = queue.then(() => deliver(message as ServerMessage));
    });
    this.subscriptions.set(topic, unsubscribe);
    this.send({ type: 'subscribed', topic });
    await sendRange(Number.MAX_SAFE_INTEGER);
    for (const message of buffered.splice(0)) await deliver(message);
    replaying = false;
    const finished = (await this.deps.jobLogs.canWatch(this.principal, taskId))?.finished;
    if (finished) queue = queue.then(() => deliver({ type: 'log_end', topic, taskId }));
  }

  close(): void {
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
  }
}
