/**
 * @module Bare mirrors of project repositories in the data directory, used by the server to
 * resolve branches to revisions and read `.circleci/config.yml` at a revision. Supports
 * `file://`, local paths, `ssh://` and scp-style remotes (the latter with a checkout key).
 * Fetches of one repository are serialised; different repositories fetch in parallel.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';
import { runGit } from '../shared/git.js';

export interface GitAuth {
  /** GIT_SSH_COMMAND to use for ssh remotes (built by the checkout-key code). */
  sshCommand?: string;
}

export class GitMirrors {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly root: string) {}

  private pathFor(projectId: string): string {
    return join(this.root, `${projectId}.git`);
  }

  private serialize<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(key, next);
    return next.finally(() => { if (this.locks.get(key) === next) this.locks.delete(key); });
  }

  /** Brings the mirror of `repoUrl` up to date. */
  async fetch(options: { projectId: string; repoUrl: string; auth?: GitAuth }): Promise<string> {
    const dir = this.pathFor(options.projectId);
    const env = options.auth?.sshCommand ? { GIT_SSH_COMMAND: options.auth.sshCommand } : undefined;
    return this.serialize(options.projectId, async () => {
      if (!existsSync(join(dir, 'HEAD'))) {
        mkdirSync(this.root, { recursive: true });
        await runGit(['clone', '--mirror', '--quiet', '--', options.repoUrl, dir], { env });
      } else {
        await runGit(['remote', 'set-url', 'origin', options.repoUrl], { cwd: dir });
        await runGit(['fetch', '--prune', '--quiet', 'origin', '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], { cwd: dir, env });
      }
      return dir;
    });
  }

  /** The commit a branch, tag or revision names. */
  async resolve(options: { projectId: string; branch?: string; tag?: string; revision?: string }): Promise<string> {
    const dir = this.pathFor(options.projectId);
    const ref = options.revision ?? (options.tag ? `refs/tags/${options.tag}` : `refs/heads/${options.branch}`);
    if (!/^[A-Za-z0-9._/-]+$/.test(ref) || ref.includes('..')) throw new AppError('bad_request', `Invalid git ref "${ref}"`);
    try {
      return (await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: dir })).trim();
    } catch {
      const what = options.revision ? `revision ${options.revision}` : options.tag ? `tag ${options.tag}` : `branch ${options.branch}`;
      throw new AppError('not_found', `The repository has no ${what}`);
    }
  }

  /** A file's text at a commit, or undefined when the commit has no such file. */
  async readFile(options: { projectId: string; revision: string; path: string }): Promise<string | undefined> {
    const dir = this.pathFor(options.projectId);
    try {
      return await runGit(['show', `${options.revision}:${options.path}`], { cwd: dir });
    } catch {
      return undefined;
    }
  }

  /** The commit's subject line and author (for pipeline values). */
  async commitInfo(options: { projectId: string; revision: string }): Promise<{ subject: string; authorName: string }> {
    const out = await runGit(['log', '-1', '--format=%s%x00%an', options.revision], { cwd: this.pathFor(options.projectId) });
    const [subject = '', authorName = ''] = out.trim().split('\0');
    return { subject, authorName };
  }
}
