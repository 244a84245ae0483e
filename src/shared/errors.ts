/**
 * @module One error type for the whole codebase.
 *
 * Every failure that crosses a module boundary is an {@link AppError} with a code from the
 * closed {@link ErrorCode} union. The HTTP layer maps the code to a status and a JSON body
 * `{code, message}`; nothing else (stack traces, SQL, paths) ever reaches a client.
 * `docs/errors.md` lists every code; a test keeps the two in sync.
 */

/** Every error code Kiln can return, with its HTTP status. */
export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  config_invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  lease_lost: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure with a stable code and a message safe to show to the caller. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  /** HTTP status for this error's code. */
  get status(): number {
    return ERROR_CODES[this.code];
  }

  /** Internal errors are bugs: they are logged with their stack; the rest are the caller's doing. */
  get isReportable(): boolean {
    return this.code === 'internal';
  }
}

/** Shorthand factories, so call sites read as sentences. */
export const errors = {
  badRequest: (message: string, details?: Record<string, unknown>) => new AppError('bad_request', message, details),
  notFound: (what: string) => new AppError('not_found', `${what} not found`),
  forbidden: (message = 'You do not have permission to do this') => new AppError('forbidden', message),
  unauthenticated: (message = 'Authentication required') => new AppError('unauthenticated', message),
  conflict: (message: string) => new AppError('conflict', message),
  leaseLost: (message = 'The task lease has expired or was taken over') => new AppError('lease_lost', message),
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
