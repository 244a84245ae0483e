/** @module Pipeline, workflow and job routes (CircleCI API v2 paths). */
import { asUser, defineRoute } from '../http/route.js';
import type { ServerServices } from '../services/index.js';
import { SLUG_PATH, slugOf, type SlugParams } from './slug.js';

const idParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } as const;

export function pipelineRoutes(services: ServerServices) {
  return [
    defineRoute<SlugParams, object, { branch?: string; tag?: string; parameters?: Record<string, unknown> } | undefined>({
      method: 'POST', url: `${SLUG_PATH}/pipeline`, access: { role: 'member' }, status: 201,
      schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: {
        branch: { type: 'string', minLength: 1, maxLength: 255 }, tag: { type: 'string', minLength: 1, maxLength: 255 },
        parameters: { type: 'object', maxProperties: 100 },
      } } },
      handler: ({ principal, params, body }) => services.pipelines.trigger(asUser(principal), slugOf(params), { branch: body?.branch, tag: body?.tag, parameters: body?.parameters }),
    }),
    defineRoute<SlugParams, { 'page-token'?: string }>({
      method: 'GET', url: `${SLUG_PATH}/pipeline`, access: { role: 'viewer' },
      handler: ({ principal, params, query }) => services.pipelines.listForProject(asUser(principal), slugOf(params), { pageToken: query['page-token'] }),
    }),
    defineRoute<{ id: string }>({
      method: 'GET', url: '/api/v2/pipeline/:id', access: { role: 'viewer' }, schema: { params: idParams },
      handler: ({ principal, params }) => services.pipelines.get(asUser(principal), params.id),
    }),
    defineRoute<{ id: string }>({
      method: 'GET', url: '/api/v2/pipeline/:id/workflow', access: { role: 'viewer' }, schema: { params: idParams },
      handler: async ({ principal, params }) => ({ items: await services.pipelines.workflows(asUser(principal), params.id), next_page_token: null }),
    }),
    defineRoute<{ id: string }>({
      method: 'GET', url: '/api/v2/workflow/:id', access: { role: 'viewer' }, schema: { params: idParams },
      handler: ({ principal, params }) => services.pipelines.workflow(asUser(principal), params.id),
    }),
    defineRoute<{ id: string }>({
      method: 'GET', url: '/api/v2/workflow/:id/job', access: { role: 'viewer' }, schema: { params: idParams },
      handler: async ({ principal, params }) => ({ items: await services.pipelines.workflowJobs(asUser(principal), params.id), next_page_token: null }),
    }),
    defineRoute<{ id: string }>({
      method: 'POST', url: '/api/v2/workflow/:id/cancel', access: { role: 'member' }, status: 202, schema: { params: idParams },
      handler: async ({ principal, params }) => { await services.pipelines.cancelWorkflow(asUser(principal), params.id); return { message: 'Accepted.' }; },
    }),
    defineRoute<{ id: string; approvalId: string }>({
      method: 'POST', url: '/api/v2/workflow/:id/approve/:approvalId', access: { role: 'member' }, status: 202,
      schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' }, approvalId: { type: 'string', maxLength: 64 } } } },
      handler: async ({ principal, params, request }) => {
        await services.pipelines.approve(asUser(principal), { workflowId: params.id, approvalRequestId: params.approvalId, requestId: request.id });
        return { message: 'Accepted.' };
      },
    }),
    defineRoute<{ id: string }, object, { from_failed?: boolean; enable_ssh?: boolean } | undefined>({
      method: 'POST', url: '/api/v2/workflow/:id/rerun', access: { role: 'member' }, status: 202,
      schema: { params: idParams, body: { type: ['object', 'null'], properties: { from_failed: { type: 'boolean' }, enable_ssh: { type: 'boolean' }, jobs: { type: 'array', items: { type: 'string' } } } } },
      handler: ({ principal, params, body }) => services.pipelines.rerun(asUser(principal), { workflowId: params.id, fromFailed: body?.from_failed ?? false }),
    }),
    defineRoute<SlugParams & { number: number }>({
      method: 'GET', url: `${SLUG_PATH}/job/:number`, access: { role: 'viewer' },
      schema: { params: { type: 'object', properties: { number: { type: 'integer', minimum: 1 } } } },
      handler: ({ principal, params }) => services.pipelines.jobDetails(asUser(principal), slugOf(params), params.number),
    }),
    defineRoute<SlugParams & { number: number }, { node?: number; from_seq?: number; from_byte?: number; limit?: number }>({
      method: 'GET', url: `${SLUG_PATH}/job/:number/log`, access: { role: 'viewer' },
      schema: {
        params: { type: 'object', properties: { number: { type: 'integer', minimum: 1 } } },
        querystring: { type: 'object', additionalProperties: false, properties: {
          node: { type: 'integer', minimum: 0 }, from_seq: { type: 'integer', minimum: 0 }, from_byte: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 5000 },
        } },
      },
      handler: ({ principal, params, query }) => services.jobLogs.page(asUser(principal), {
        slug: slugOf(params), number: params.number, node: query.node ?? 0, fromSeq: query.from_seq, fromByte: query.from_byte, limit: query.limit,
      }),
    }),
  ];
}
