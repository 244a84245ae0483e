/**
 * @module The WebSocket client for `/api/v2/ws` (protocol: src/api/live-events.ts).
 *
 * One socket per tab, shared by every page. Topics are re-subscribed after a reconnect (log
 * topics from the next sequence their listener still needs). The socket authenticates like a
 * page request, i.e. with the session cookie: a browser cannot put a bearer token on a
 * WebSocket handshake. When the handshake is refused (token sign-in, or no session support on
 * the server yet) the status becomes `unavailable` and pages fall back to polling the API.
 */
import type { ClientMessage, ServerMessage } from '../../../src/api/live-events.js';

export type LiveStatus = 'connecting' | 'open' | 'unavailable';

export interface TopicListener {
  onMessage(message: ServerMessage): void;
  /** For log topics: the sequence to resume from when (re)subscribing. */
  fromSeq?(): number | undefined;
}

type StatusListener = (status: LiveStatus) => void;

const RETRY_MS = 15_000;

class LiveClient {
  private socket: WebSocket | undefined;
  private status: LiveStatus = 'connecting';
  private readonly topics = new Map<string, Set<TopicListener>>();
  private readonly statusListeners = new Set<StatusListener>();
  private retry: ReturnType<typeof setTimeout> | undefined;
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  stop(): void {
    this.started = false;
    clearTimeout(this.retry);
    this.socket?.close();
    this.socket = undefined;
    this.setStatus('connecting');
  }

  getStatus(): LiveStatus {
    return this.status;
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  subscribe(topic: string, listener: TopicListener): () => void {
    let listeners = this.topics.get(topic);
    if (!listeners) {
      listeners = new Set();
      this.topics.set(topic, listeners);
    }
    listeners.add(listener);
    if (listeners.size === 1) this.sendSubscribe(topic);
    return () => {
      const current = this.topics.get(topic);
      current?.delete(listener);
      if (current && current.size === 0) {
        this.topics.delete(topic);
        this.send({ type: 'unsubscribe', topic });
      }
    };
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let opened = false;
    const socket = new WebSocket(`${scheme}://${location.host}/api/v2/ws`);
    this.socket = socket;
    socket.addEventListener('open', () => {
      opened = true;
      this.setStatus('open');
      for (const topic of this.topics.keys()) this.sendSubscribe(topic);
    });
    socket.addEventListener('message', (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      const topic = 'topic' in message ? message.topic : undefined;
      if (!topic) return;
      for (const listener of this.topics.get(topic) ?? []) listener.onMessage(message);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket || !this.started) return;
      this.socket = undefined;
      this.setStatus(opened ? 'connecting' : 'unavailable');
      this.retry = setTimeout(() => this.connect(), opened ? 1000 : RETRY_MS);
    });
  }

  private sendSubscribe(topic: string): void {
    const listeners = [...(this.topics.get(topic) ?? [])];
    const fromSeq = listeners.map((l) => l.fromSeq?.()).find((seq) => seq !== undefined);
    this.send({ type: 'subscribe', topic, ...(fromSeq !== undefined ? { fromSeq } : {}) });
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

/** The tab's live connection. */
export const live = new LiveClient();
