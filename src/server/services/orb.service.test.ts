/** Orb reference resolution and orb source checks (pure). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkOrbSource, compareOrbVersions, resolveOrbVersion } from './orb.service.js';

describe('resolveOrbVersion', () => {
  const published = ['1.2.3', '1.10.0', '1.2.10', '2.0.0', 'dev:alpha', '0.9.9'];
  it('resolves exact, X, X.Y, volatile and dev: references', () => {
    assert.equal(resolveOrbVersion(published, '1.2.3'), '1.2.3');
    assert.equal(resolveOrbVersion(published, '1.2.4'), undefined, 'exact versions are exact');
    assert.equal(resolveOrbVersion(published, '1'), '1.10.0', 'numeric, not lexical, order');
    assert.equal(resolveOrbVersion(published, '1.2'), '1.2.10');
    assert.equal(resolveOrbVersion(published, '3'), undefined);
    assert.equal(resolveOrbVersion(published, 'volatile'), '2.0.0', 'dev versions are never volatile');
    assert.equal(resolveOrbVersion(published, 'dev:alpha'), 'dev:alpha');
    assert.equal(resolveOrbVersion(published, 'dev:beta'), undefined);
    assert.equal(resolveOrbVersion(['dev:x'], 'volatile'), undefined);
  });
  it('orders semver highest first, then dev versions', () => {
    assert.deepEqual([...published].sort(compareOrbVersions), ['2.0.0', '1.10.0', '1.2.10', '1.2.3', '0.9.9', 'dev:alpha']);
  });
});

describe('checkOrbSource', () => {
  it('accepts an orb, with YAML 1.1 merge keys', () => {
    checkOrbSource('version: 2.1\nexecutors:\n  e: &e { docker: [{ image: x }] }\n  f: { <<: *e }\ncommands:\n  c: { steps: [{ run: echo }] }\n');
  });
  it('refuses YAML errors, non-maps, configs and empty orbs', () => {
    for (const source of ['commands: [1, 2', '- a\n- b\n', 'version: 2.1\nworkflows: {}\njobs: {}\n', 'version: 2.1\ndescription: nothing\n', 'commands: [a]\n']) {
      assert.throws(() => checkOrbSource(source), (error: Error & { code?: string }) => error.code === 'validation_failed', source);
    }
  });
});
