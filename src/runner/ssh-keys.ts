/**
 * @module The `add_ssh_keys` step: writes the project's SSH keys the step asks for (by
 * fingerprint; all of them when it names none) into the job user's `~/.ssh` as
 * `id_rsa_<fingerprint>` (mode 0600, CircleCI's naming) and lists them in `~/.ssh/config`,
 * so `ssh` and `git` in later steps use them.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { JobSandbox } from '../executor/executor.js';
import type { TaskAssignment } from '../protocol/runner-protocol.js';

export type SshKey = NonNullable<TaskAssignment['sshKeys']>[number];

/** `SHA256:abc+/=` or `aa:bb:…` → a safe file-name suffix. */
export function keyFileSuffix(fingerprint: string): string {
  return fingerprint.replace(/^SHA256:/, '').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

/** The keys a step selects: every requested fingerprint must be known. */
export function selectKeys(keys: readonly SshKey[], fingerprints: readonly string[] | undefined): { keys: SshKey[] } | { missing: string } {
  if (!fingerprints?.length) return { keys: [...keys] };
  const chosen: SshKey[] = [];
  for (const wanted of fingerprints) {
    const key = keys.find((k) => k.fingerprint === wanted || k.fingerprint === `SHA256:${wanted}` || keyFileSuffix(k.fingerprint) === keyFileSuffix(wanted));
    if (!key) return { missing: wanted };
    chosen.push(key);
  }
  return { keys: chosen };
}

/** Writes the keys into `<home>/.ssh` of the sandbox; returns the files written. */
export async function installSshKeys(input: { sandbox: JobSandbox; keys: readonly SshKey[] }): Promise<string[]> {
  const { sandbox } = input;
  const { uid, gid } = sandbox.owner;
  const archive = pack();
  const names = input.keys.map((k) => `id_rsa_${keyFileSuffix(k.fingerprint)}`);
  archive.entry({ name: '.ssh', type: 'directory', mode: 0o700, uid, gid });
  input.keys.forEach((key, i) => {
    const body = key.privateKey.endsWith('\n') ? key.privateKey : `${key.privateKey}\n`;
    archive.entry({ name: `.ssh/${names[i]}`, mode: 0o600, uid, gid }, body);
  });
  const config = `# Written by Kiln's add_ssh_keys step\nHost *\n${names.map((n) => `  IdentityFile ${posix.join(sandbox.homeDir, '.ssh', n)}`).join('\n')}\n`;
  archive.entry({ name: '.ssh/kiln_identities', mode: 0o600, uid, gid }, config);
  archive.finalize();
  await sandbox.putArchive(sandbox.homeDir, Readable.from(archive as AsyncIterable<Buffer>));
  // Keep any ~/.ssh/config the image has; include ours first so its IdentityFile lines apply.
  await sandbox.run({
    script: 'cd ~/.ssh && { [ -f config ] && grep -q "^Include ~/.ssh/kiln_identities" config || { { echo "Include ~/.ssh/kiln_identities"; cat config 2>/dev/null; } > config.kiln && mv config.kiln config; }; } && chmod 600 config',
    shell: '/bin/sh -e', env: { HOME: sandbox.homeDir }, workingDirectory: sandbox.homeDir, onOutput: () => undefined, noOutputTimeoutMs: 30_000,
  });
  return names.map((n) => posix.join(sandbox.homeDir, '.ssh', n));
}
