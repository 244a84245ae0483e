import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourceClassTable } from './resource-class-table.js';

describe('resource-class table', () => {
  it('reads sizes, fractional CPUs and the privileged flag', () => {
    const table = parseResourceClassTable(JSON.stringify({
      small: { memory: '512MiB', cpus: 0.5, pids: 256 },
      'docker-build': { memory: '8g', cpus: 2, pids: 4096, privileged: true },
      raw: { memory: 104857600, cpus: 1, pids: 64 },
    }), 'classes.json');
    assert.deepEqual(table.small, { limits: { memoryBytes: 512 * 1024 ** 2, nanoCpus: 5e8, pidsLimit: 256 } });
    assert.equal(table['docker-build']!.privileged, true);
    assert.equal(table['docker-build']!.limits.memoryBytes, 8 * 1024 ** 3);
    assert.equal(table.raw!.limits.memoryBytes, 104857600);
  });

  it('names the file and class in every error', () => {
    assert.throws(() => parseResourceClassTable('{', 'classes.json'), /classes\.json: not valid JSON/);
    assert.throws(() => parseResourceClassTable('{"m": {"memory": "lots", "cpus": 1, "pids": 10}}', 'c.json'), /c\.json: resource class "m": memory must be/);
    assert.throws(() => parseResourceClassTable('{"m": {"memory": "1g", "cpus": 1, "pids": 10, "gpu": 1}}', 'c.json'), /unknown field\(s\) gpu/);
    assert.throws(() => parseResourceClassTable('{"m": {"memory": "1g", "cpus": 1}}', 'c.json'), /pidsLimit must be an integer/);
    assert.throws(() => parseResourceClassTable('{}', 'c.json'), /No resource classes/);
  });
});
