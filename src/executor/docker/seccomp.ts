/**
 * @module The seccomp profile sent inline with every job container: Docker's default profile
 * with user-namespace creation allowed (see docs/SANDBOX.md for the variant chosen and why).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROFILE_FILE = fileURLToPath(new URL('./profiles/seccomp-userns.json', import.meta.url));

let cached: string | undefined;

/** Compact JSON text of the profile (the daemon parses the text after `seccomp=`). */
export function seccompProfileJson(): string {
  cached ??= JSON.stringify(JSON.parse(readFileSync(PROFILE_FILE, 'utf8')));
  return cached;
}

export function defaultSecurityOpt(): string[] {
  return [`seccomp=${seccompProfileJson()}`, 'no-new-privileges=true'];
}
