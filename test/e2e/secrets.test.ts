/**
 * Issue #4 acceptance, with a real server (runEmbedded, plain HTTP, temp data dir) and the built-in
 * Docker runner:
 * - masking: a job echoes a context secret plainly, as base64, split across two writes and through
 *   `set -x`; the live WebSocket stream and the stored log show `****` every time;
 * - no plaintext at rest: the SQLite file (with WAL), the blob folder and the server's own logs
 *   contain none of the stored values;
 * - no API returns a value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ServerMessage } from '../../src/api/live-events.js';
import { runEmbedded } from '../../src/bin/server-command.js';
import { KilnClient } from '../../src/client/index.js';
import { createLogger } from '../../src/shared/logger.js';
import { sleep } from '../../src/shared/time.js';
import { createRepo, ensureTestImages } from '../support/kiln.js';

const TOKEN = 'e2e-secrets-admin-token';
const CONTEXT_SECRET = 'ctx-S3cr3t-Value-4f9a2b7c1d';
const PROJECT_SECRET = 'proj-Hidden-Value-8e1d3c5a0b';

const CONFIG = `version: 2.1
jobs:
  leak:
    docker: [{ image: kiln-test/bash:1 }]
    steps:
      - run:
          name: try to leak
          # stdout and stderr (the set -x trace) are separate pipes with no order between them, so the
          # split write is followed by a pause before tracing starts.
          command: |
            echo "plain: $CTX_SECRET"
            echo "b64: $(printf %s "$CTX_SECRET" | base64)"
            printf 'split: %s' "\${CTX_SECRET:0:10}"; sleep 1; printf '%s|\\n' "\${CTX_SECRET:10}"; sleep 1
            set -x
            : "trace $CTX_SECRET"
            set +x
            echo "project: $PROJ_SECRET"
workflows:
  w:
    jobs:
      - leak:
          context: [deploy]
`;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

describe('secrets end to end', { timeout: 240_000 }, () => {
  let dataDir: string;
  let logs = '';
  let stop: () => Promise<void>;
  let client: KilnClient;
  let repo: ReturnType<typeof createRepo>;

  before(async () => {
    ensureTestImages();
    dataDir = mkdtempSync(join(tmpdir(), 'kiln-secrets-e2e-'));
    const stream = new Writable({ write(chunk, _enc, done) { logs += chunk.toString(); done(); } });
    const embedded = await runEmbedded({
      settings: { port: 0, host: '127.0.0.1', dataDir, insecureHttp: true, bootstrapToken: TOKEN, logLevel: 'debug' },
      logger: createLogger({ level: 'debug', destination: stream }),
    });
    stop = embedded.stop;
    client = new KilnClient({ baseUrl: embedded.server.url, token: TOKEN });
    repo = createRepo(CONFIG);
  });
  after(async () => {
    await client?.close();
    await stop?.();
    repo?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('masks a context secret in every form, live and stored, and keeps every value out of the database, blobs and logs', async () => {
    const master = statSync(join(dataDir, 'master.key'));
    assert.equal(master.mode & 0o777, 0o600, 'the master key file is created 0600');

    await client.createProject({ name: 'leaky', repo_url: repo.url });
    const slug = 'git/default/leaky';
    const created = await client.http.call<{ name: string; value: string }>('POST', `/api/v2/project/${slug}/envvar`, { body: { name: 'PROJ_SECRET', value: PROJECT_SECRET } });
    assert.deepEqual(created.name, 'PROJ_SECRET');
    assert.equal(created.value, `xxxx${PROJECT_SECRET.slice(-4)}`);
    const context = await client.http.call<{ id: string }>('POST', '/api/v2/context', { body: { name: 'deploy' } });
    await client.http.call('PUT', `/api/v2/context/${context.id}/environment-variable/CTX_SECRET`, { body: { value: CONTEXT_SECRET } });
    const listed = JSON.stringify([
      await client.http.call('GET', `/api/v2/project/${slug}/envvar`),
      await client.http.call('GET', `/api/v2/project/${slug}/envvar/PROJ_SECRET`),
      await client.http.call('GET', `/api/v2/context/${context.id}/environment-variable`),
    ]);
    assert.ok(!listed.includes(PROJECT_SECRET) && !listed.includes(CONTEXT_SECRET), 'no API returns a value');

    const pipeline = await client.triggerPipeline(slug, {});
    let jobId = '';
    for (let i = 0; i < 400 && !jobId; i++) {
      const workflow = (await client.pipelineWorkflows(pipeline.id)).items[0];
      const job = workflow && (await client.workflowJobs(workflow.id)).items[0];
      if (job?.id && job.job_number) jobId = job.id;
      else await sleep(50);
    }
    assert.ok(jobId, 'the job was queued');
    const live = await client.live();
    const streamed: string[] = [];
    const ended = new Promise<void>((resolve) => live.onMessage((message: ServerMessage) => {
      if (message.type === 'log') streamed.push(message.data);
      if (message.type === 'log_end') resolve();
    }));
    live.subscribe(`log:${jobId}:0`, 0);
    await ended;
    live.close();

    let details = await client.jobDetails(slug, 1);
    for (let i = 0; i < 100 && !['success', 'failed', 'unauthorized', 'infrastructure_fail'].includes(details.status); i++) {
      await sleep(100);
      details = await client.jobDetails(slug, 1);
    }
    assert.equal(details.status, 'success', JSON.stringify(details));

    const stored = (await client.jobLog(slug, 1, { fromSeq: 0 })).chunks.map((c) => c.data).join('');
    const liveText = streamed.join('');
    const base64 = Buffer.from(CONTEXT_SECRET).toString('base64');
    for (const [where, text] of [['live stream', liveText], ['stored log', stored]] as const) {
      for (const form of [CONTEXT_SECRET, base64, base64.replace(/=+$/, ''), PROJECT_SECRET]) {
        assert.ok(!text.includes(form), `${where} does not contain ${form}`);
      }
      assert.match(text, /plain: \*\*\*\*/, `${where}: plain echo masked`);
      assert.match(text, /b64: \*\*\*\*/, `${where}: base64 masked`);
      assert.match(text, /split: \*\*\*\*\|/, `${where}: value split across two writes masked: ${JSON.stringify(text)}`);
      assert.match(text, /\+ : 'trace \*\*\*\*'/, `${where}: set -x trace masked`);
      assert.match(text, /project: \*\*\*\*/, `${where}: project variable masked`);
    }

    // No plaintext at rest: every file of the database and the blob store, and the server's logs.
    const files = [...filesUnder(dataDir).filter((f) => f.includes('kiln.db')), ...filesUnder(join(dataDir, 'blobs'))];
    assert.ok(files.some((f) => f.endsWith('kiln.db')), 'the database file was searched');
    assert.ok(files.some((f) => f.includes('logs')), 'the log blobs were searched');
    for (const secret of [CONTEXT_SECRET, PROJECT_SECRET]) {
      for (const file of files) {
        const bytes = readFileSync(file);
        assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${file} holds no plaintext ${secret}`);
        assert.equal(bytes.indexOf(Buffer.from(secret, 'utf16le')), -1, `${file} holds no UTF-16 plaintext`);
      }
      assert.ok(!logs.includes(secret), 'the server logs hold no plaintext value');
    }
    assert.ok(logs.length > 0, 'server logs were captured');
  });
});
