import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateLogic } from './logic.js';

const scope = new Map<string, unknown>([['pipeline.git.branch', 'main']]);
const ev = (s: unknown, expressions = false) => evaluateLogic(s, { scope, expressions });

describe('logic statements', () => {
  it('and/or/not/equal', () => {
    assert.deepEqual(ev({ and: [true, 'x', 1] }), { ok: true, value: true });
    assert.deepEqual(ev({ or: [false, 0, ''] }), { ok: true, value: false });
    assert.deepEqual(ev({ not: { equal: ['a', 'a'] } }), { ok: true, value: false });
    assert.deepEqual(ev({ equal: [{ docker: [1] }, { docker: [1] }] }), { ok: true, value: true });
  });

  it('matches uses a whole-value Java regex', () => {
    assert.deepEqual(ev({ matches: { pattern: '^release-.*$', value: 'release-1' } }), { ok: true, value: true });
    assert.deepEqual(ev({ matches: { pattern: 'rel', value: 'release' } }), { ok: true, value: false });
  });

  it('falsy values: false, null, 0, NaN, "", statements without arguments', () => {
    for (const v of [false, null, 0, NaN, '', { and: null }, { or: null }, { not: null }]) assert.deepEqual(ev(v), { ok: true, value: false }, JSON.stringify(v));
  });

  it('an empty list is an error', () => {
    assert.equal(ev({ and: [] }).ok, false);
    assert.equal(ev({ or: [] }).ok, false);
  });

  it('nesting deeper than 100 is an error, 100 is fine', () => {
    let ok: unknown = true;
    for (let i = 0; i < 99; i++) ok = { not: { not: ok } };
    assert.equal(ev(ok).ok, false);
    let fine: unknown = true;
    for (let i = 0; i < 50; i++) fine = { not: fine };
    assert.equal(ev(fine).ok, true);
  });

  it('bare strings are expressions only where allowed', () => {
    assert.deepEqual(ev('pipeline.git.branch == "dev"', true), { ok: true, value: false });
    assert.deepEqual(ev('pipeline.git.branch == "dev"', false), { ok: true, value: true });
  });
});
