/**
 * @module Publish/subscribe of live messages between the parts of the server (and, with a
 * PostgreSQL-backed implementation, between replicas). Topics are strings such as
 * `pipeline:<id>` or `log:<taskId>`; payloads are JSON-serialisable.
 *
 * Contract: delivery to local subscribers is synchronous and in publish order per topic; a
 * subscriber that throws is isolated from the others.
 */
import { EventEmitter } from 'node:events';

export type Unsubscribe = () => void;

export interface EventBus {
  publish(topic: string, message: unknown): void;
  subscribe(topic: string, handler: (message: unknown) => void): Unsubscribe;
  /** Number of local subscriptions (metrics). */
  subscriberCount(): number;
  close(): Promise<void>;
}

export class MemoryEventBus implements EventBus {
  private readonly emitter = new EventEmitter();
  private count = 0;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(topic: string, message: unknown): void {
    this.emitter.emit(topic, message);
  }

  subscribe(topic: string, handler: (message: unknown) => void): Unsubscribe {
    const safe = (message: unknown) => {
      try {
        handler(message);
      } catch {
        // One broken subscriber must not stop delivery to the others.
      }
    };
    this.emitter.on(topic, safe);
    this.count++;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.count--;
      this.emitter.off(topic, safe);
    };
  }

  subscriberCount(): number {
    return this.count;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Topic names, in one place. */
export const topics = {
  project: (projectId: string) => `project:${projectId}`,
  pipeline: (pipelineId: string) => `pipeline:${pipelineId}`,
  log: (taskId: string) => `log:${taskId}`,
  /** Internal: a task became claimable (wakes long-polling claims). */
  taskQueued: 'internal:task-queued',
};
