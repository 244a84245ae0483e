/**
 * Rotation on both databases: values written under v1 still decrypt after rotation to v2 and are
 * rewrapped online; with the minimum decryption version at 2, a v1 ciphertext is refused with
 * Vault's "too old" error; retiring a version still in use is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, createTestDatabase, skipReason, type TestDatabase } from '../../test/support/databases.js';
import { buildOrg, buildProject } from '../../test/support/factories.js';
import { nowIso } from '../shared/time.js';
import { createRepositories, type Repositories } from '../store/index.js';
import { loadMasterKey } from './master-key.js';
import { projectVarOwner } from './owners.js';
import { rotateSecrets } from './rotation.js';
import { ciphertextVersion } from './vault-format.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: key rotation`, async () => {
    const skip = await skipReason(dialect);
    let database: TestDatabase;
    let repos: Repositories;
    let dir: string;
    before(async () => {
      if (skip) return;
      database = await createTestDatabase(dialect);
      repos = createRepositories(database.store);
      dir = mkdtempSync(join(tmpdir(), 'kiln-rotate-'));
    });
    after(async () => { await database?.drop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('rewraps v1 values to v2 online, then refuses v1 once retired', { skip }, async () => {
      const { keys, created } = await loadMasterKey({ dataDir: dir, hasEncryptedData: async () => false });
      assert.equal(created, true);
      assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
      const org = await repos.orgs.create(buildOrg());
      const project = await repos.projects.create(buildProject(org.id));
      const base = { project_id: project.id, org_id: org.id, name: 'API_KEY', created_at: nowIso(), updated_at: nowIso() };
      const v1 = keys.encrypt('value-under-v1-1234', projectVarOwner(base));
      assert.equal(ciphertextVersion(v1), 1);
      await repos.envVars.upsert({ ...base, ciphertext: v1 });

      const result = await rotateSecrets({ repos, keys });
      assert.deepEqual({ keyVersion: result.keyVersion, rewrapped: result.rewrapped }, { keyVersion: 2, rewrapped: 1 });
      const row = (await repos.envVars.get(project.id, 'API_KEY'))!;
      assert.equal(ciphertextVersion(row.ciphertext), 2);
      assert.equal(await keys.decrypt(row.ciphertext, projectVarOwner(row)), 'value-under-v1-1234');
      assert.equal(await keys.decrypt(v1, projectVarOwner(row)), 'value-under-v1-1234', 'a v1 ciphertext still decrypts after rotation');

      // Another replica that loaded the ring before rotation reloads the file on a "too new" ciphertext.
      const { keys: other } = await loadMasterKey({ dataDir: dir, hasEncryptedData: async () => true });
      assert.equal(await other.decrypt(row.ciphertext, projectVarOwner(row)), 'value-under-v1-1234');

      const retired = await rotateSecrets({ repos, keys }, { rotate: false, minDecryptionVersion: 2 });
      assert.equal(retired.minDecryptionVersion, 2);
      await assert.rejects(keys.decrypt(v1, projectVarOwner(row)), /disallowed by policy \(too old\)/);
      assert.equal(await keys.decrypt(row.ciphertext, projectVarOwner(row)), 'value-under-v1-1234');
      const reloaded = await loadMasterKey({ dataDir: dir, hasEncryptedData: async () => true });
      assert.equal(reloaded.keys.minDecryptionVersion, 2, 'the retirement is persisted in the key file');
    });

    it('refuses to retire a version that a stored value still uses', { skip }, async () => {
      const local = mkdtempSync(join(tmpdir(), 'kiln-rotate-'));
      try {
        const { keys } = await loadMasterKey({ dataDir: local, hasEncryptedData: async () => false });
        const org = await repos.orgs.create(buildOrg());
        const project = await repos.projects.create(buildProject(org.id));
        const base = { project_id: project.id, org_id: org.id, name: 'OLD', created_at: nowIso(), updated_at: nowIso() };
        await keys.rotate();
        await repos.envVars.upsert({ ...base, ciphertext: 'vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
        await assert.rejects(rotateSecrets({ repos, keys }, { rotate: false, minDecryptionVersion: 2 }), /still uses version 1|authentication failed/);
        await repos.envVars.delete(project.id, 'OLD');
      } finally {
        rmSync(local, { recursive: true, force: true });
      }
    });

    it('refuses to start when the key file is missing but encrypted values exist, or the file is unreadable', { skip }, async () => {
      const local = mkdtempSync(join(tmpdir(), 'kiln-rotate-'));
      try {
        await assert.rejects(loadMasterKey({ dataDir: local, hasEncryptedData: async () => true }), /missing but the database holds encrypted values/);
        await assert.rejects(loadMasterKey({ dataDir: local, file: join(local, 'nope.key'), hasEncryptedData: async () => false }), /does not exist/);
        await assert.rejects(loadMasterKey({ dataDir: local, value: 'not-a-key', hasEncryptedData: async () => false }), /KILN_MASTER_KEY/);
      } finally {
        rmSync(local, { recursive: true, force: true });
      }
    });
  });
}
