/**
 * @module Secrets: the key ring (Vault transit format), the live key ring the server uses, online
 * rotation, delivery of project/context secrets and SSH keys to jobs, and output masking.
 */
export { KeyRing, generateKeyRing } from './keyring.js';
export { createMasker, maskAll, MASK, type Masker } from './masker.js';
export { loadMasterKey, MASTER_KEY_FILE_NAME, type MasterKeyOptions } from './master-key.js';
export { SecretKeys } from './secret-keys.js';
export { contextVarOwner, maskedDisplay, projectVarOwner, sshKeyOwner } from './owners.js';
export { hasEncryptedData, oldestVersionInUse, rewrapAll, rotateSecrets, type RotationResult } from './rotation.js';
export { resolveJobSecrets, secretsEnvironmentSource, type JobSecrets } from './environment-source.js';
export { TaskMaskers } from './task-masker.js';
export { generateSshKeyPair, sshFingerprint, type SshKeyPair } from './ssh-key.js';
export { secretBinding, type SecretOwner } from './secret-binding.js';
