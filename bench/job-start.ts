/**
 * Job start-up cost of Kiln's hardened sandbox vs a plain container, same host, same run.
 *
 *   node --import tsx bench/job-start.ts [runs=10]
 *
 * Kiln: DockerExecutor.start (per-job network with the kiln- bridge, hardened primary container,
 * shell probe) + sandbox.run('true') (the first step's command) + destroy (container, volume,
 * network removed). Plain: `docker run --rm kiln-test/bash:1 true`. Prints both medians and
 * the ratio. Needs the test images (bash scripts/build-test-images.sh).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DockerExecutor } from '../src/executor/docker/docker-executor.js';
import type { JobPlan } from '../src/config/plan.js';

const run = promisify(execFile);
const runs = Number(process.argv[2] ?? 10);
const image = 'kiln-test/bash:1';

const plan: JobPlan = {
  name: 'bench', executor: { kind: 'docker', images: [{ image, environment: {} }] },
  environment: {}, workingDirectory: '~/project', parallelism: 1, resourceClass: 'small', steps: [],
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const executor = new DockerExecutor({
    runnerId: `bench-${process.pid}`,
    resourceClasses: { small: { limits: { memoryBytes: 1024 ** 3, nanoCpus: 1e9, pidsLimit: 512 } } },
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  });
  await executor.prepare();
  await run('docker', ['run', '--rm', image, 'true']); // warm-up
  const kiln: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved so both see the same host conditions.
    let t0 = performance.now();
    const sandbox = await executor.start({ taskId: `bench-${process.pid}-${i}`, jobId: 'bench', plan, log: () => undefined });
    const result = await sandbox.run({ script: 'true', env: {}, workingDirectory: '/tmp', onOutput: () => undefined, noOutputTimeoutMs: 60_000 });
    await sandbox.destroy();
    if (result.exitCode !== 0) throw new Error(`the step failed: ${JSON.stringify(result)}`);
    kiln.push(performance.now() - t0);
    t0 = performance.now();
    await run('docker', ['run', '--rm', image, 'true']);
    plain.push(performance.now() - t0);
  }
  const k = median(kiln);
  const p = median(plain);
  console.log(`runs: ${runs}`);
  console.log(`kiln hardened start (network + container + first step + destroy): median ${k.toFixed(0)} ms`);
  console.log(`plain docker run --rm ${image} true: median ${p.toFixed(0)} ms`);
  console.log(`ratio kiln/plain: ${(k / p).toFixed(2)}`);
}

await main();
