/**
 * @module The associated data (AAD) that binds an encrypted secret to its owner.
 *
 * The AAD is authenticated by AES-GCM but not stored: a ciphertext copied to another project,
 * context, org or variable name fails to decrypt. The string must be byte-for-byte stable,
 * so it is built only here.
 */
import { AppError } from '../shared/errors.js';

/** Who owns a secret: an org plus exactly one of a project or a context, and the variable name. */
export interface SecretOwner {
  readonly orgId: string;
  readonly projectId?: string;
  readonly contextId?: string;
  readonly name: string;
}

const ID = /^[A-Za-z0-9._-]{1,128}$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

/**
 * Canonical AAD for a secret:
 * `org:<orgId>|project:<projectId>|name:<NAME>` or `org:<orgId>|context:<contextId>|name:<NAME>`.
 * Ids must match `[A-Za-z0-9._-]+` and the name must be an environment variable name, so no
 * component can contain the `|`/`:` separators and two different owners never share a string.
 * Throws `bad_request` when both or neither of `projectId`/`contextId` are given, or a part is malformed.
 */
export function secretBinding(owner: SecretOwner): string {
  const { orgId, projectId, contextId, name } = owner;
  if ((projectId === undefined) === (contextId === undefined)) {
    throw new AppError('bad_request', 'A secret belongs to exactly one project or one context');
  }
  checkId('orgId', orgId);
  if (!NAME.test(name)) {
    throw new AppError('bad_request', 'Secret name must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)');
  }
  if (projectId !== undefined) {
    checkId('projectId', projectId);
    return `org:${orgId}|project:${projectId}|name:${name}`;
  }
  checkId('contextId', contextId as string);
  return `org:${orgId}|context:${contextId as string}|name:${name}`;
}

function checkId(field: string, value: string): void {
  if (!ID.test(value)) {
    throw new AppError('bad_request', `${field} must match [A-Za-z0-9._-]{1,128}`);
  }
}
