/** @module WebSocket client for `/api/v2/ws`: subscribe to topics and receive server messages. */
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage } from '../api/live-events.js';
import type { ClientOptions } from './http-client.js';

export class LiveClient {
  private readonly handlers = new Set<(message: ServerMessage) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      let message: ServerMessage;
      try { message = JSON.parse(raw.toString()) as ServerMessage; } catch { return; }
      for (const handler of this.handlers) handler(message);
    });
  }

  static connect(options: ClientOptions): Promise<LiveClient> {
    const url = `${options.baseUrl.replace(/^http/, 'ws')}/api/v2/ws`;
    const socket = new WebSocket(url, {
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      ...(options.caCert ? { ca: options.caCert } : {}),
      ...(options.insecure ? { rejectUnauthorized: false } : {}),
      ...(options.serverName ? { servername: options.serverName } : {}),
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)));
    });
  }

  onMessage(handler: (message: ServerMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onClose(handler: () => void): void {
    this.socket.on('close', handler);
  }

  send(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(topic: string, fromSeq?: number): void {
    this.send({ type: 'subscribe', topic, ...(fromSeq !== undefined ? { fromSeq } : {}) });
  }

  close(): void {
    this.socket.close();
  }
}
