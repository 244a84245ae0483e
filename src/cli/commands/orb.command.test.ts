/** `kiln orb import` planning: versions from file names or --version, all-or-nothing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { planOrbImport } from './orb.command.js';

const FIXTURES = new URL('../../../test/fixtures/config/orbs/', import.meta.url).pathname;

describe('planOrbImport', () => {
  it('imports the four fixture orbs in one command with per-orb versions', () => {
    const plan = planOrbImport(readdirSync(FIXTURES), [
      'circleci/node=7.2.1', 'circleci/browser-tools=2.3.1', 'circleci/docker=4.0.1', 'circleci/slack=6.1.3',
    ]);
    assert.deepEqual(plan.map((p) => `${p.namespace}/${p.name}@${p.version}`), [
      'circleci/browser-tools@2.3.1', 'circleci/docker@4.0.1', 'circleci/node@7.2.1', 'circleci/slack@6.1.3',
    ]);
  });
  it('takes the version from the file name first, then the per-orb --version, then a bare --version', () => {
    const plan = planOrbImport(['acme__a@1.0.0.orb.yml', 'acme__b.orb.yml', 'acme__c.orb.yml', 'README.md'], ['acme/b=2.0.0', '3.0.0']);
    assert.deepEqual(plan.map((p) => p.version), ['1.0.0', '2.0.0', '3.0.0']);
  });
  it('refuses the whole import when a file has no version, naming every such file', () => {
    assert.throws(() => planOrbImport(['acme__a.orb.yml', 'acme__b.orb.yml', 'acme__c@1.0.0.orb.yml'], []), /No version for acme__a\.orb\.yml, acme__b\.orb\.yml/);
    assert.throws(() => planOrbImport(['acme__a.orb.yml'], ['1.2']), /not a publishable version/);
  });
});
