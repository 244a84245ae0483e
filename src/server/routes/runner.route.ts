/** @module The runner protocol's HTTP routes (see src/protocol/runner-protocol.ts). */
import type { ClaimRequest, CompleteRequest, HeartbeatRequest, LogUpload, RunnerHello, StepReport } from '../../protocol/runner-protocol.js';
import { RUNNER_API_PREFIX } from '../../protocol/runner-protocol.js';
import { asRunner, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';

const leaseToken = { type: 'integer', minimum: 1 } as const;
const taskParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } as const;
const strings = { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 } as const;

export function runnerRoutes(services: ServerServices) {
  const { runners } = services;
  return [
    defineRoute<object, object, RunnerHello>({
      method: 'POST', url: `${RUNNER_API_PREFIX}/hello`, access: 'runner',
      schema: { body: { type: 'object', required: ['protocolVersion', 'bootId', 'name', 'resourceClasses', 'executors'], properties: {
        protocolVersion: { type: 'integer' }, bootId: { type: 'string', maxLength: 100 }, name: { type: 'string', maxLength: 200 }, resourceClasses: strings, executors: strings,
      } } },
      handler: ({ principal, body }) => runners.hello(asRunner(principal), body),
    }),
    defineRoute<object, object, ClaimRequest>({
      method: 'POST', url: `${RUNNER_API_PREFIX}/claim`, access: 'runner',
      schema: { body: { type: 'object', required: ['bootId', 'waitSeconds'], properties: { bootId: { type: 'string' }, waitSeconds: { type: 'number', minimum: 0, maximum: 60 } } } },
      handler: async ({ principal, body, reply }) => {
        const aborted = new AbortController();
        reply.raw.once('close', () => aborted.abort());
        const assignment = await runners.claim(asRunner(principal), { bootId: body.bootId, waitSeconds: body.waitSeconds, signal: aborted.signal });
        if (!assignment) return reply.code(204).send();
        return assignment;
      },
    }),
    defineRoute<{ id: string }, object, HeartbeatRequest>({
      method: 'POST', url: `${RUNNER_API_PREFIX}/tasks/:id/heartbeat`, access: 'runner',
      schema: { params: taskParams, body: { type: 'object', required: ['leaseToken'], properties: { leaseToken } } },
      handler: ({ principal, params, body }) => runners.heartbeat(asRunner(principal), params.id, body.leaseToken),
    }),
    defineRoute<{ id: string }, object, LogUpload>({
      method: 'POST', url: `${RUNNER_API_PREFIX}/tasks/:id/logs`, access: 'runner',
      schema: { params: taskParams, body: { type: 'object', required: ['leaseToken', 'chunks'], properties: {
        leaseToken,
        chunks: { type: 'array', maxItems: 1000, items: { type: 'object', required: ['seq', 'stepIndex', 'data'], properties: {
          seq: { type: 'integer', minimum: 0 }, stepIndex: { type: 'integer', minimum: -1 }, data: { type: 'string' },
        } } },
      } } },
      handler: async ({ principal, params, body }) => { await runners.appendLogs(asRunner(principal), params.id, body); return {}; },
    }),
    defineRoute<{ id: string }, object, StepReport>({
      method: 'POST', url: `${RUNNER_API_PREFIX}/tasks/:id/steps`, access: 'runner',
      schema: { params: taskParams, body: { type: 'object', required: ['leaseToken', 'stepIndex', 'name', 'status', 'at'], properties: {
        leaseToken, stepIndex: { type: 'integer', minimum: 0 }, name: { type: 'string', maxLength: 4000 },
        status: { enum: ['running', 'success', 'failed', 'canceled', 'timedout', 'skipped'] }, exitCode: { type: 'integer' }, at: { type: 'string', maxLength: 40 },
      } } },
      handler: async ({ principal, params, body }) => { await runners.reportStep(asRunner(principal), params.id, body); return {}; },
    }),
    defineRoute<{ id: string }, object, CompleteRequest>({
      method: 'POST', url: `${RUNNER_API_PREFIX}/tasks/:id/complete`, access: 'runner',
      schema: { params: taskParams, body: { type: 'object', required: ['leaseToken', 'status'], properties: {
        leaseToken, status: { enum: ['success', 'failed', 'canceled', 'infrastructure_fail', 'timedout'] }, reason: { type: 'string', maxLength: 4000 },
      } } },
      handler: async ({ principal, params, body }) => { await runners.complete(asRunner(principal), params.id, body); return {}; },
    }),
  ];
}
