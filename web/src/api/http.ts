/**
 * @module The one way the web app talks HTTP to the Kiln API.
 *
 * Authentication: cookie sessions first (`credentials: 'same-origin'`, CSRF token in
 * `X-CSRF-Token` on every unsafe method, read from the non-HttpOnly `kiln_csrf` cookie or from
 * `GET /api/v2/session`). Until the server has sessions, an API token typed into the sign-in
 * form is kept in sessionStorage (this tab only) and sent as `Authorization: Bearer`.
 * Errors become {@link ApiError} with the HTTP status and the API's `{code, message}`.
 */
import type { ApiErrorBody } from '../../../src/api/resources.js';

const TOKEN_KEY = 'kiln.token';
let csrfFromSession: string | undefined;

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }

  /** The endpoint does not exist on this server (yet): a feature whose backend has not landed. */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'route_not_found';
  }
}

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setStoredToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token lives only as long as this call chain; the user signs in again.
  }
}

export function setCsrfToken(token: string | undefined): void {
  csrfFromSession = token;
}

function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)kiln_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : csrfFromSession;
}

/** Headers for a request (auth token when there is one, CSRF for unsafe methods). */
export function requestHeaders(method: string, json: boolean): Headers {
  const headers = new Headers({ Accept: 'application/json' });
  if (json) headers.set('Content-Type', 'application/json');
  const token = storedToken();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = csrfToken();
    if (csrf) headers.set('X-CSRF-Token', csrf);
  }
  return headers;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> & { error?: string } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON (a proxy's page): fall back to the status text.
  }
  // The server answers an unknown endpoint with "No route METHOD /path" (its not-found handler).
  const noRoute = response.status === 404 && (typeof body.message !== 'string' || /^No route /.test(body.message));
  const code = noRoute ? 'route_not_found' : (body.code ?? 'http_' + response.status);
  return new ApiError(response.status, code, body.message ?? response.statusText ?? `HTTP ${response.status}`);
}

/** Calls the API and returns the parsed JSON body. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: requestHeaders(method, body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return {} as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** Fetches a download (CSV, JSONL) as a Blob with the same credentials as {@link api}. */
export async function apiBlob(path: string): Promise<Blob> {
  const response = await fetch(path, { credentials: 'same-origin', headers: requestHeaders('GET', false) });
  if (!response.ok) throw await errorFrom(response);
  return response.blob();
}

/** Saves `blob` as a file through a temporary object URL (no server round trip, no inline script). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const slugPath = (slug: string) => `/api/v2/project/${slug.split('/').map(encodeURIComponent).join('/')}`;
