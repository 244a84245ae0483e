import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from './errors.js';

describe('error codes', () => {
  it('are all documented in docs/errors.md with their status, and nothing else is', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const documented = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]));
    assert.deepEqual(Object.fromEntries(documented), { ...ERROR_CODES });
  });
});
