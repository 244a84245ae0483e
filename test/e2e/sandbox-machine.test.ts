/**
 * The `machine` executor (issue #6): steps run on the runner host as the unprivileged user
 * kiln-job, in a throwaway directory that is gone after the job.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { MachineExecutor } from '../../src/executor/machine/machine-executor.js';
import type { JobPlan } from '../../src/config/plan.js';
import { jobSpec, runIn } from '../support/netns.js';

const plan: JobPlan = { name: 'machine-test', executor: { kind: 'machine' }, environment: {}, workingDirectory: '~/project', parallelism: 1, resourceClass: 'medium', steps: [] };

function skipUnlessRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return false;
  if (process.env.CI === 'true') throw new Error('the machine executor tests need root');
  t.skip('needs root');
  return true;
}

describe('machine executor', () => {
  test('runs steps as kiln-job without privileges in a throwaway home, extracts archives, and removes everything after', async (t) => {
    if (skipUnlessRoot(t)) return;
    const executor = new MachineExecutor();
    await executor.prepare();
    const sandbox = await executor.start(jobSpec(plan, 'machine'));
    const home = sandbox.homeDir;
    try {
      assert.ok(existsSync(home));
      const who = await runIn(sandbox, 'id -un; grep -E "^(NoNewPrivs|CapEff|CapBnd):" /proc/self/status; echo "HOME=$HOME"; pwd');
      assert.equal(who.exitCode, 0, who.output);
      assert.match(who.output, /^kiln-job$/m);
      assert.match(who.output, /NoNewPrivs:\s+1/);
      assert.match(who.output, /CapEff:\s+0+$/m);
      assert.match(who.output, /CapBnd:\s+0+$/m);
      assert.ok(who.output.includes(`HOME=${home}`));
      assert.equal((await runIn(sandbox, 'touch /etc/kiln-machine-probe')).exitCode === 0, false, 'the job user cannot write system files');
      assert.ok(!(await runIn(sandbox, 'env')).output.includes('KILN_'), 'the runner environment does not leak');

      const tar = spawn('tar', ['-C', 'scripts', '-cf', '-', 'isolation-check.sh'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await sandbox.putArchive(`${home}/project`, tar.stdout);
      const listed = await runIn(sandbox, `stat -c '%U' ${home}/project/isolation-check.sh`);
      assert.match(listed.output, /kiln-job/);

      const timed = await sandbox.run({ script: 'sleep 30 & sleep 30', env: {}, workingDirectory: home, onOutput: () => undefined, noOutputTimeoutMs: 500 });
      assert.equal(timed.timedOut, true);
    } finally {
      await sandbox.destroy();
    }
    assert.equal(existsSync(home), false, 'the throwaway directory is removed');
  });
});
