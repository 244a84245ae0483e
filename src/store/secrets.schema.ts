/** @module Secret store tables (owned by the secrets module; created by migration 0002-secrets). */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SecretsDatabase {}
