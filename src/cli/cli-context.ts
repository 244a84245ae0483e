/** @module What every client command needs: where the server is, how to authenticate, how to print. */
import { readFileSync } from 'node:fs';
import { KilnClient } from '../client/index.js';
import { ApiError } from '../client/http-client.js';

export interface CliEnvironment {
  url?: string;
  token?: string;
  caCertFile?: string;
  insecure?: boolean;
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const STD_OUTPUT: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** A failure the CLI reports as one line and a non-zero exit, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function clientFrom(env: CliEnvironment, output: Output = STD_OUTPUT): KilnClient {
  if (!env.url) throw new CliError('Set KILN_URL to the server address, e.g. https://localhost:8443');
  if (!env.token) throw new CliError('Set KILN_TOKEN to an API token (see `kiln login`)');
  let caCert: string | undefined;
  if (env.caCertFile) {
    try {
      caCert = readFileSync(env.caCertFile, 'utf8');
    } catch (error) {
      throw new CliError(`Cannot read KILN_CA_CERT ${env.caCertFile}: ${(error as Error).message}`);
    }
  }
  if (env.insecure) output.err('warning: --insecure: the server certificate is not verified');
  const url = new URL(env.url);
  return new KilnClient({ baseUrl: env.url.replace(/\/$/, ''), token: env.token, caCert, insecure: env.insecure, serverName: url.hostname === '127.0.0.1' ? 'localhost' : undefined });
}

/** Turns API errors into CLI errors with the server's code and message. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code}, HTTP ${error.status})`;
  if (error instanceof CliError) return error.message;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${(error as Error).message}: ${cause.code}${cause.message ? ` ${cause.message}` : ''}`;
  return (error as Error).message;
}
