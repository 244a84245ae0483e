/**
 * `add_ssh_keys`: the keys a step names by fingerprint land in the job user's `~/.ssh` (0600),
 * usable by ssh, while the private key never appears in the log; an unknown fingerprint fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../src/shared/time.js';
import { createRepo, ensureTestImages, startKiln, type TestKiln } from '../support/kiln.js';

describe('add_ssh_keys', { timeout: 120_000 }, () => {
  let kiln: TestKiln;
  before(async () => { ensureTestImages(); kiln = await startKiln(); });
  after(async () => { await kiln?.stop(); });

  async function runToEnd(slug: string): Promise<{ status: string; log: string }> {
    const pipeline = await kiln.client.triggerPipeline(slug, {});
    for (;;) {
      const workflow = (await kiln.client.pipelineWorkflows(pipeline.id)).items[0]!;
      if (['success', 'failed', 'unauthorized', 'error', 'canceled'].includes(workflow.status)) {
        const job = (await kiln.client.workflowJobs(workflow.id)).items[0]!;
        await sleep(200);
        const log = (await kiln.client.jobLog(slug, job.job_number!)).chunks.map((c) => c.data).join('');
        return { status: job.status, log };
      }
      await sleep(200);
    }
  }

  it('installs the selected key for the job user and keeps it out of the log', async () => {
    const repo = createRepo('version: 2.1\n');
    await kiln.client.createProject({ name: 'sshkeys', repo_url: repo.url });
    const key = await kiln.client.http.call<{ fingerprint: string; public_key: string }>('POST', '/api/v2/project/git/default/sshkeys/checkout-key', { body: { type: 'additional' } });
    assert.match(key.fingerprint, /^SHA256:/);
    repo.commit(`version: 2.1
jobs:
  deploy:
    docker: [{ image: kiln-test/bash:1 }]
    steps:
      - add_ssh_keys:
          fingerprints: ["${key.fingerprint}"]
      - run: |
          f=$(ls ~/.ssh/id_rsa_*)
          echo "mode $(stat -c %a "$f") lines $(wc -l < "$f")"
          head -1 "$f" | cut -c1-15
          cat "$f"
          grep -c IdentityFile ~/.ssh/kiln_identities
workflows:
  w: { jobs: [deploy] }
`);
    const { status, log } = await runToEnd('git/default/sshkeys');
    assert.equal(status, 'success', log);
    assert.match(log, /Added 1 SSH key\(s\)/);
    assert.match(log, /mode 600 lines [1-9]/);
    assert.match(log, /-----BEGIN OPE/);
    assert.doesNotMatch(log, /PRIVATE KEY-----\n[A-Za-z0-9+/]{20,}/, 'the key body is masked');
    assert.match(log, /\*\*\*\*/);

    repo.commit(`version: 2.1
jobs:
  deploy:
    docker: [{ image: kiln-test/sh:1 }]
    steps:
      - add_ssh_keys: { fingerprints: ["SHA256:doesnotexist"] }
      - run: echo SHOULD-NOT-RUN
workflows:
  w: { jobs: [deploy] }
`);
    const missing = await runToEnd('git/default/sshkeys');
    assert.notEqual(missing.status, 'success');
    assert.doesNotMatch(missing.log, /SHOULD-NOT-RUN/);
    repo.remove();
  });
});
