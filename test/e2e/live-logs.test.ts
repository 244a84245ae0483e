/**
 * Live logs over the WebSocket: a subscriber that joins in the middle of a job receives the
 * history and then the live lines, with no gap and no duplicate; the API serves the same log
 * by sequence and by byte offset. Also: API errors are JSON with a code, over HTTPS too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { ServerMessage } from '../../src/api/live-events.js';
import { KilnClient } from '../../src/client/index.js';
import { sleep } from '../../src/shared/time.js';
import { ADMIN_TOKEN, createRepo, ensureTestImages, startKiln, type TestKiln } from '../support/kiln.js';

describe('live logs', { timeout: 180_000 }, () => {
  let kiln: TestKiln;
  before(async () => { ensureTestImages(); kiln = await startKiln(); });
  after(async () => { await kiln?.stop(); });

  it('replays history then follows live, without gaps or duplicates, for a late subscriber', async () => {
    const repo = createRepo(`version: 2.1
jobs:
  count:
    docker: [{ image: kiln-test/bash:1 }]
    steps:
      - run: for i in $(seq 1 150); do echo "line-$i"; sleep 0.02; done
workflows:
  w:
    jobs: [count]
`);
    await kiln.client.createProject({ name: 'live', repo_url: repo.url });
    const pipeline = await kiln.client.triggerPipeline('git/default/live', {});
    let jobId = '';
    for (let i = 0; i < 200 && !jobId; i++) {
      const workflow = (await kiln.client.pipelineWorkflows(pipeline.id)).items[0];
      const job = workflow && (await kiln.client.workflowJobs(workflow.id)).items[0];
      if (job && job.job_number) {
        const page = await kiln.client.jobLog('git/default/live', job.job_number);
        if (page.chunks.some((c) => c.data.includes('line-20'))) jobId = job.id;
      }
      if (!jobId) await sleep(50);
    }
    assert.ok(jobId, 'the job printed some lines before the subscriber joined');
    const live = await kiln.client.live();
    const received: Array<Extract<ServerMessage, { type: 'log' }>> = [];
    const ended = new Promise<void>((resolve) => live.onMessage((message) => {
      if (message.type === 'log') received.push(message);
      if (message.type === 'log_end') resolve();
    }));
    live.subscribe(`log:${jobId}:0`, 0);
    await ended;
    live.close();
    assert.deepEqual(received.map((m) => m.seq), received.map((_, i) => i), 'sequence numbers 0..n with no gap or duplicate');
    const text = received.map((m) => m.data).join('');
    const lines = text.split('\n').filter((l) => l.startsWith('line-'));
    assert.deepEqual(lines, Array.from({ length: 150 }, (_, i) => `line-${i + 1}`));

    const all = await kiln.client.jobLog('git/default/live', 1, { fromSeq: 0 });
    assert.equal(all.chunks.map((c) => c.data).join(''), text, 'the stored log equals what was streamed');
    assert.equal(all.complete, true);
    const offset = Buffer.byteLength(text.slice(0, text.indexOf('line-100')));
    const tail = await kiln.client.jobLog('git/default/live', 1, { fromByte: offset });
    assert.ok(tail.chunks.map((c) => c.data).join('').startsWith('line-100\n'));
    repo.remove();
  });

  it('answers API errors as JSON with a code, never a stack trace', async () => {
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await request(`${kiln.url}${path}`, { headers });
      return { status: response.statusCode, body: (await response.body.json()) as { code: string; message: string } };
    };
    assert.deepEqual((await get('/api/v2/project')).body.code, 'unauthenticated');
    assert.equal((await get('/api/v2/project', { 'circle-token': 'wrong' })).status, 401);
    const auth = { 'circle-token': ADMIN_TOKEN };
    assert.equal((await get('/api/v2/pipeline/not-a-uuid', auth)).body.code, 'validation_failed');
    assert.equal((await get('/api/v2/pipeline/00000000-0000-4000-8000-000000000000', auth)).body.code, 'not_found');
    assert.equal((await get('/api/v2/nope', auth)).body.code, 'not_found');
    const bad = await kiln.client.triggerPipeline('git/default/none', {}).catch((e: { code: string; status: number }) => e);
    assert.equal((bad as { status: number }).status, 404);
    const wrongBody = await request(`${kiln.url}/api/v2/project`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name": 5' });
    const parsed = (await wrongBody.body.json()) as { code: string; message: string };
    assert.equal(wrongBody.statusCode, 400);
    assert.doesNotMatch(JSON.stringify(parsed), /at .*\.ts:\d+/);
  });
});

describe('HTTPS by default', { timeout: 60_000 }, () => {
  it('serves the API over TLS with a generated certificate that clients can pin', async () => {
    const kiln = await startKiln({ insecureHttp: false });
    try {
      assert.match(kiln.url, /^https:/);
      assert.equal((await kiln.client.listProjects()).items.length, 0);
      const untrusting = new KilnClient({ baseUrl: kiln.url, token: ADMIN_TOKEN });
      await assert.rejects(untrusting.listProjects(), /certificate|self.signed/i);
      await untrusting.close();
    } finally {
      await kiln.stop();
    }
  });
});
