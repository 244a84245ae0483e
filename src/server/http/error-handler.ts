/**
 * @module Maps every failure to a JSON body `{code, message}` with the code's status. Fastify
 * schema failures become `validation_failed`; anything unexpected is logged with its stack and
 * answered as a generic `internal` error, never with details.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { isAppError, type AppError } from '../../shared/errors.js';
import type { ApiErrorBody } from '../../api/resources.js';

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let body: ApiErrorBody;
    let status: number;
    if (isAppError(error)) {
      status = error.status;
      body = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
      if (error.isReportable) request.log.error({ err: error }, 'internal error');
    } else if ((error as FastifyError).validation) {
      status = 400;
      body = { code: 'validation_failed', message: error.message };
    } else if ((error as FastifyError).statusCode && (error as FastifyError).statusCode! < 500) {
      status = (error as FastifyError).statusCode!;
      const code = status === 413 ? 'payload_too_large' : status === 404 ? 'not_found' : status === 429 ? 'rate_limited' : 'bad_request';
      body = { code, message: error.message };
    } else {
      status = 500;
      body = { code: 'internal', message: 'Internal error; see the server log for request ' + request.id };
      request.log.error({ err: error }, 'unhandled error');
    }
    void reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` } satisfies ApiErrorBody);
  });
}
