/** @module Runs the git CLI without a shell, with a timeout and a clean, non-interactive environment. */
import { execFile } from 'node:child_process';
import { AppError } from './errors.js';

export interface GitOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Extra environment (e.g. GIT_SSH_COMMAND). */
  env?: Record<string, string>;
  maxBuffer?: number;
}

/** Runs `git <args>` and resolves its stdout; rejects with the stderr text on failure. */
export function runGit(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args as string[], {
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
      // The child needs PATH and HOME to find git and its config; nothing else is passed through.
      env: {
        // eslint-disable-next-line no-restricted-properties
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // eslint-disable-next-line no-restricted-properties
        HOME: process.env.HOME ?? '/tmp',
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        LC_ALL: 'C',
        ...options.env,
      },
    }, (error, stdout, stderr) => {
      if (error) {
        const detail = String(stderr || error.message).trim().split('\n').slice(-3).join(' ');
        reject(new AppError('bad_request', `git ${args[0]} failed: ${detail}`));
      } else resolve(stdout);
    });
  });
}
