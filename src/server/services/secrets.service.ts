/**
 * @module Key ring administration: online rotation (new key version, every stored value rewrapped)
 * and retiring old versions with a minimum decryption version. Server-wide, admins only, audited as
 * `secrets.key.rotate`.
 */
import { rotateSecrets, type RotationResult, type SecretKeys } from '../../secrets/index.js';
import type { Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';
import { auditRequest, orgScope, userActor, withAudit, type RequestInfo } from './auth.service.js';
import { requireKeys } from './envvar.service.js';

export class SecretsService {
  constructor(private readonly deps: { repos: Repositories; keys?: SecretKeys }) {}

  status() {
    const keys = requireKeys(this.deps.keys);
    return { latest_version: keys.latestVersion, min_decryption_version: keys.minDecryptionVersion, rotatable: keys.rotatable };
  }

  async rotate(principal: UserPrincipal, input: { rotate: boolean; minDecryptionVersion?: number; info: RequestInfo }): Promise<RotationResult> {
    const keys = requireKeys(this.deps.keys);
    const result = await rotateSecrets({ repos: this.deps.repos, keys }, { rotate: input.rotate, minDecryptionVersion: input.minDecryptionVersion });
    await withAudit(this.deps.repos, async () => ({ result: undefined, events: [{
      action: 'secrets.key.rotate', actor: userActor(principal), target: { id: 'master', type: 'keyring' }, scope: orgScope(principal.orgId),
      success: true, request: auditRequest(input.info), payload: { key_version: result.keyVersion, min_decryption_version: result.minDecryptionVersion },
    }] }));
    return result;
  }
}
