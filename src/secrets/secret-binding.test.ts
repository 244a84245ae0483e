import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../shared/errors.js';
import { secretBinding } from './secret-binding.js';

describe('secretBinding', () => {
  test('builds the canonical project and context strings', () => {
    assert.equal(secretBinding({ orgId: 'o1', projectId: 'p1', name: 'NPM_TOKEN' }), 'org:o1|project:p1|name:NPM_TOKEN');
    assert.equal(secretBinding({ orgId: 'o1', contextId: 'c-9', name: 'AWS_KEY' }), 'org:o1|context:c-9|name:AWS_KEY');
  });

  test('different owners never share a binding', () => {
    const a = secretBinding({ orgId: 'o1', projectId: 'p1', name: 'X_1' });
    assert.notEqual(a, secretBinding({ orgId: 'o1', projectId: 'p2', name: 'X_1' }));
    assert.notEqual(a, secretBinding({ orgId: 'o1', contextId: 'p1', name: 'X_1' }));
    assert.notEqual(a, secretBinding({ orgId: 'o2', projectId: 'p1', name: 'X_1' }));
    assert.notEqual(a, secretBinding({ orgId: 'o1', projectId: 'p1', name: 'x_1' }));
  });

  test('refuses ambiguous owners and separator characters', () => {
    const bad = [
      { orgId: 'o', name: 'N' },
      { orgId: 'o', projectId: 'p', contextId: 'c', name: 'N' },
      { orgId: 'o|project:x', projectId: 'p', name: 'N' },
      { orgId: 'o', projectId: 'p|name:Y', name: 'N' },
      { orgId: 'o', projectId: 'p', name: 'N|x' },
      { orgId: '', projectId: 'p', name: 'N' },
      { orgId: 'o', projectId: 'p', name: '1ABC' },
    ];
    for (const owner of bad) {
      assert.throws(() => secretBinding(owner), (error: unknown) => error instanceof AppError && error.code === 'bad_request', JSON.stringify(owner));
    }
  });
});
