/** @module Checkout keys as CircleCI lists them: public key, type, fingerprint; never the private key. */
import type { CheckoutKeyTable } from '../../store/index.js';

export function presentCheckoutKey(row: CheckoutKeyTable) {
  return { public_key: row.public_key, type: row.type, fingerprint: row.fingerprint, preferred: row.preferred === 1, created_at: row.created_at };
}
