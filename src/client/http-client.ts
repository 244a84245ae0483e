/**
 * @module Typed HTTP client for the Kiln API and the runner protocol (CLI, runner, tests).
 * TLS: trusts the system CAs, or a given CA certificate (`KILN_CA_CERT`), or — only when
 * asked with `insecure` — any certificate. Errors come back as {@link ApiError} with the
 * server's code.
 */
import { Agent, request } from 'undici';
import type { ApiErrorBody } from '../api/resources.js';

export interface ClientOptions {
  baseUrl: string;
  token?: string;
  /** PEM of a CA (or the server's self-signed certificate) to trust. */
  caCert?: string;
  /** Skip certificate verification (development only; the CLI warns). */
  insecure?: boolean;
  /** TLS server name to verify, when connecting by IP (e.g. `localhost`). */
  serverName?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(input: { status: number; code: string; message: string; details?: Record<string, unknown> }) {
    super(input.message);
    this.name = 'ApiError';
    this.status = input.status;
    this.code = input.code;
    this.details = input.details;
  }
}

function apiError(status: number, text: string): ApiError {
  let parsed: Partial<ApiErrorBody> = {};
  try { parsed = JSON.parse(text) as ApiErrorBody; } catch { /* not JSON */ }
  return new ApiError({ status, code: parsed.code ?? 'http_error', message: parsed.message ?? `HTTP ${status}`, details: parsed.details });
}

export class HttpClient {
  readonly dispatcher: Agent;

  constructor(readonly options: ClientOptions) {
    this.dispatcher = new Agent({
      connect: {
        ...(options.caCert ? { ca: options.caCert } : {}),
        ...(options.insecure ? { rejectUnauthorized: false } : {}),
        ...(options.serverName ? { servername: options.serverName } : {}),
      },
      keepAliveTimeout: 30_000,
      bodyTimeout: 0,
      headersTimeout: 90_000,
    });
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}), ...extra };
  }

  /** Sends a JSON request; resolves the parsed body (undefined for 204). */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: { body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const { body, signal } = options;
    const response = await request(`${this.options.baseUrl}${path}`, {
      method,
      dispatcher: this.dispatcher,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw apiError(response.statusCode, text);
    if (response.statusCode === 204 || text === '') return undefined as T;
    return JSON.parse(text) as T;
  }

  /** Streams a raw response body (downloads). */
  async stream(path: string): Promise<AsyncIterable<Buffer>> {
    const response = await request(`${this.options.baseUrl}${path}`, { method: 'GET', dispatcher: this.dispatcher, headers: this.headers() });
    if (response.statusCode >= 400) throw apiError(response.statusCode, await response.body.text());
    return response.body as AsyncIterable<Buffer>;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
