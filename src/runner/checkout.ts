/**
 * @module The `checkout` step, done on the runner host (CircleCI's native fallback): the
 * revision is cloned here with the host's git and copied into the container as a tar
 * archive owned by the job's user, so it works even when the image has no git.
 */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckoutSource } from '../protocol/runner-protocol.js';
import { runGit } from '../shared/git.js';
import type { JobSandbox } from '../executor/executor.js';

export interface CheckoutInput {
  source: CheckoutSource;
  sandbox: JobSandbox;
  /** Absolute directory in the container. */
  directory: string;
  log(line: string): void;
}

/** ssh command line for git that uses the given key and pins host keys. */
async function sshCommand(dir: string, source: CheckoutSource): Promise<Record<string, string>> {
  if (!source.sshPrivateKey) return {};
  const keyFile = join(dir, 'id_checkout');
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(keyFile, source.sshPrivateKey.endsWith('\n') ? source.sshPrivateKey : `${source.sshPrivateKey}\n`, { mode: 0o600 });
  await writeFile(knownHosts, source.knownHosts ?? '', { mode: 0o600 });
  const strict = source.knownHosts ? 'yes' : 'accept-new';
  return { GIT_SSH_COMMAND: `ssh -i ${keyFile} -o IdentitiesOnly=yes -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=${strict} -o BatchMode=yes` };
}

export async function checkout(input: CheckoutInput): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'kiln-checkout-'));
  try {
    const credentials = await mkdtemp(join(tmpdir(), 'kiln-ssh-'));
    try {
      const env = await sshCommand(credentials, input.source);
      const repo = join(work, 'repo');
      input.log(`Cloning ${input.source.repoUrl.replace(/\/\/[^@/]*@/, '//***@')} at ${input.source.revision.slice(0, 12)}`);
      await runGit(['clone', '--quiet', '--no-checkout', '--', input.source.repoUrl, repo], { env, timeoutMs: 600_000 });
      const checkoutArgs = input.source.branch
        ? ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '-B', input.source.branch, input.source.revision]
        : ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', input.source.revision];
      await runGit(checkoutArgs, { cwd: repo });
      await copyIntoSandbox({ from: repo, sandbox: input.sandbox, directory: input.directory });
      input.log(`Checked out ${input.source.revision}${input.source.branch ? ` (${input.source.branch})` : ''} into ${input.directory}`);
    } finally {
      await rm(credentials, { recursive: true, force: true });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Tars a host directory (owned by the sandbox user) into the sandbox. */
export async function copyIntoSandbox(input: { from: string; sandbox: JobSandbox; directory: string }): Promise<void> {
  const { uid, gid } = input.sandbox.owner;
  const tar = spawn('tar', ['-C', input.from, '-cf', '-', `--owner=${uid}`, `--group=${gid}`, '--numeric-owner', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  // The Engine API needs the whole archive as the request body; a PassThrough gives it a
  // proper readable stream (a child's stdout socket is sent empty by docker-modem).
  const body = new PassThrough();
  tar.stdout.pipe(body);
  await input.sandbox.putArchive(input.directory, body);
  if ((await exited) !== 0) throw new Error(`tar failed: ${stderr.trim()}`);
}
