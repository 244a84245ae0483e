/**
 * @module Per-project ed25519 SSH keys (CircleCI v2 `/project/{slug}/checkout-key`): the public key
 * is shown in OpenSSH form to add to the git host; the private key is stored encrypted and only
 * ever leaves in a runner's task assignment or a server-side git fetch.
 *
 * {@link CheckoutKeyGitMirrors} makes the server's own mirror fetches (config reading) use the
 * project's deploy key for `ssh://` and scp-style remotes, with strict host-key checking against
 * the project's pinned `known_hosts` (no pinned key: the fetch is refused, never trust-on-first-use).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSshKeyPair, sshKeyOwner, type SecretKeys } from '../../secrets/index.js';
import { GitMirrors, type GitAuth } from '../../scm/git-mirror.js';
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { CheckoutKeyTable, Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { presentCheckoutKey } from '../presenters/checkout-key.presenter.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import { requireKeys } from './envvar.service.js';
import type { ProjectService } from './project.service.js';

export const SSH_REMOTE = /^(ssh:\/\/|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/;

export class CheckoutKeyService {
  constructor(private readonly deps: { repos: Repositories; projects: ProjectService; keys?: SecretKeys }) {}

  async list(principal: UserPrincipal, slug: string) {
    const project = await this.deps.projects.getForUser(principal, slug);
    return (await this.deps.repos.checkoutKeys.listByProject(project.id)).map(presentCheckoutKey);
  }

  async get(principal: UserPrincipal, slug: string, fingerprint: string) {
    const project = await this.deps.projects.getForUser(principal, slug);
    return presentCheckoutKey(await this.find(project.id, fingerprint));
  }

  /** Creates a key: `deploy-key` (used for checkout; replaces the preferred one) or `additional` (`add_ssh_keys` only). */
  async create(principal: UserPrincipal, input: { slug: string; type: string; info: RequestInfo }) {
    const keys = requireKeys(this.deps.keys);
    const project = await this.deps.projects.getForUser(principal, input.slug);
    const type = input.type === 'user-key' || input.type === 'github-user-key' ? 'additional' : input.type;
    if (type !== 'deploy-key' && type !== 'additional') throw new AppError('validation_failed', 'type must be "deploy-key" or "additional"');
    const pair = generateSshKeyPair(`kiln ${project.slug}`);
    const base = { id: newId(), project_id: project.id, org_id: project.org_id };
    const row: CheckoutKeyTable = {
      ...base, type, fingerprint: pair.fingerprint, public_key: pair.publicKey, private_key_ciphertext: keys.encrypt(pair.privateKey, sshKeyOwner(base)),
      hostname: null, preferred: type === 'deploy-key' ? 1 : 0, created_at: nowIso(),
    };
    await withAudit(this.deps.repos, async (trx) => {
      await trx.checkoutKeys.create(row);
      return { result: undefined, events: [{
        action: 'project.ssh_key.create', actor: userActor(principal), target: { id: project.id, type: 'project', name: project.slug }, scope: orgScope(project.org_id),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, key_type: type === 'deploy-key' ? 'checkout' : 'additional', fingerprint: row.fingerprint },
      }] };
    });
    return presentCheckoutKey(row);
  }

  async delete(principal: UserPrincipal, input: { slug: string; fingerprint: string; info: RequestInfo }): Promise<void> {
    const project = await this.deps.projects.getForUser(principal, input.slug);
    const row = await this.find(project.id, input.fingerprint);
    await withAudit(this.deps.repos, async (trx) => {
      await trx.checkoutKeys.delete(row.id);
      return { result: undefined, events: [{
        action: 'project.ssh_key.delete', actor: userActor(principal), target: { id: project.id, type: 'project', name: project.slug }, scope: orgScope(project.org_id),
        success: true, request: auditRequest(input.info), payload: { project_slug: project.slug, fingerprint: row.fingerprint },
      }] };
    });
  }

  private async find(projectId: string, fingerprint: string): Promise<CheckoutKeyTable> {
    const row = await this.deps.repos.checkoutKeys.getByFingerprint(projectId, fingerprint)
      ?? await this.deps.repos.checkoutKeys.getByFingerprint(projectId, `SHA256:${fingerprint}`);
    if (!row) throw errors.notFound('Checkout key');
    return row;
  }
}

/** Git mirrors that authenticate ssh remotes with the project's deploy key and pinned host keys. */
export class CheckoutKeyGitMirrors extends GitMirrors {
  #secrets: { repos: Repositories; keys: SecretKeys } | undefined;

  /** Connects the key store once it is available (the mirrors are built before the services). */
  useSecrets(secrets: { repos: Repositories; keys: SecretKeys }): void {
    this.#secrets = secrets;
  }

  override async fetch(options: { projectId: string; repoUrl: string; auth?: GitAuth }): Promise<string> {
    if (options.auth || !SSH_REMOTE.test(options.repoUrl) || !this.#secrets) return super.fetch(options);
    const { repos, keys } = this.#secrets;
    const deploy = (await repos.checkoutKeys.listByProject(options.projectId)).find((k) => k.type === 'deploy-key');
    const settings = await repos.projectSettings.get(options.projectId);
    if (!settings.known_hosts.trim()) {
      throw new AppError('bad_request', 'This project uses an ssh remote but has no pinned host key: set known_hosts in the project settings');
    }
    const dir = await mkdtemp(join(tmpdir(), 'kiln-git-ssh-'));
    try {
      const knownHosts = join(dir, 'known_hosts');
      await writeFile(knownHosts, settings.known_hosts.endsWith('\n') ? settings.known_hosts : `${settings.known_hosts}\n`, { mode: 0o600 });
      const parts = ['ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`];
      if (deploy) {
        const keyFile = join(dir, 'id_checkout');
        const privateKey = await keys.decrypt(deploy.private_key_ciphertext, sshKeyOwner(deploy));
        await writeFile(keyFile, privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`, { mode: 0o600 });
        parts.push('-i', keyFile, '-o', 'IdentitiesOnly=yes');
      }
      return await super.fetch({ ...options, auth: { sshCommand: parts.join(' ') } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
