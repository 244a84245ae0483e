/**
 * Benchmark: time from the API trigger request to the pipeline's final state for a one-step
 * job (`echo ok`) on a local image, against plain `docker run --rm` of the same command on the
 * same image, in the same run. Prints each median and the ratio.
 *   node --import tsx bench/trigger-to-done.ts [runs]
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { ServerMessage } from '../src/api/live-events.js';
import { createRepo, ensureTestImages, startKiln } from '../test/support/kiln.js';

const RUNS = Number(process.argv[2] ?? 9);
const IMAGE = 'kiln-test/sh:1';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

ensureTestImages();
const kiln = await startKiln({ insecureHttp: false });
const repo = createRepo(`version: 2.1
jobs:
  ok:
    docker: [{ image: ${IMAGE} }]
    steps:
      - run: echo ok
workflows:
  w:
    jobs: [ok]
`);
const project = await kiln.client.createProject({ name: 'bench', repo_url: repo.url });
const live = await kiln.client.live();
live.subscribe(`project:${project.id}`);

async function kilnRun(): Promise<number> {
  const start = performance.now();
  let pipelineId = '';
  const done = new Promise<string>((resolve) => {
    const off = live.onMessage((message: ServerMessage) => {
      if (message.type !== 'event' || message.event.kind !== 'workflow') return;
      if (pipelineId && message.event.pipelineId !== pipelineId) return;
      if (['success', 'failed', 'error', 'canceled'].includes(message.event.status)) { off(); resolve(message.event.status); }
    });
  });
  pipelineId = (await kiln.client.triggerPipeline('git/default/bench', {})).id;
  const status = await done;
  if (status !== 'success') throw new Error(`pipeline ended ${status}`);
  return performance.now() - start;
}

function dockerRun(): number {
  const start = performance.now();
  execFileSync('docker', ['run', '--rm', IMAGE, 'sh', '-c', 'echo ok'], { stdio: 'ignore' });
  return performance.now() - start;
}

await kilnRun();
dockerRun();
const kilnTimes: number[] = [];
const dockerTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  kilnTimes.push(await kilnRun());
  dockerTimes.push(dockerRun());
}
live.close();
await kiln.stop();
repo.remove();
const k = median(kilnTimes);
const d = median(dockerTimes);
console.log(`runs: ${RUNS}`);
console.log(`kiln trigger→done median: ${k.toFixed(0)} ms  (all: ${kilnTimes.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`docker run --rm median:   ${d.toFixed(0)} ms  (all: ${dockerTimes.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`ratio: ${(k / d).toFixed(2)}`);
