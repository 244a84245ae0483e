/** @module Publishes state changes to the topics people watch (project and pipeline). */
import type { StateEvent } from '../../api/live-events.js';
import { topics, type EventBus } from './event-bus.js';

export function publishState(bus: EventBus, event: StateEvent): void {
  bus.publish(topics.project(event.projectId), event);
  bus.publish(topics.pipeline(event.pipelineId), event);
}
