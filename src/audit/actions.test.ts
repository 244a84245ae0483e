import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AUDIT_ACTIONS, type AuditAction } from './actions.js';
import { SAMPLE_AUDIT_PAYLOADS } from './audit-samples.js';
import { canonicalJson } from './canonical.js';

const CIRCLECI_ACTIONS = [
  'context.create', 'context.delete', 'context.env_var.delete', 'context.env_var.store', 'project.env_var.create',
  'project.env_var.delete', 'project.settings.update', 'project.ssh_key.create', 'project.ssh_key.delete',
  'project.api_token.create', 'schedule.create', 'schedule.update', 'schedule.delete', 'user.create', 'user.logged_in',
  'user.logged_out', 'workflow.job.approve', 'workflow.job.finish', 'workflow.job.scheduled', 'workflow.job.start',
];

describe('audit action catalogue', () => {
  it("covers every action in CircleCI's list, and every name is dot-separated lowercase words", () => {
    for (const action of CIRCLECI_ACTIONS) assert.ok(action in AUDIT_ACTIONS, action);
    for (const action of Object.keys(AUDIT_ACTIONS)) assert.match(action, /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/);
  });

  it('has a valid sample payload for every action', () => {
    for (const [action, spec] of Object.entries(AUDIT_ACTIONS)) {
      const problems: string[] = [];
      spec.payload.check(SAMPLE_AUDIT_PAYLOADS[action as AuditAction], 'payload', problems);
      assert.deepEqual(problems, [], action);
    }
  });

  it('is documented in docs/audit-events.md with each payload schema, and nothing undocumented', () => {
    const doc = readFileSync(new URL('../../docs/audit-events.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^### `([a-z_.]+)`$/gm)].map((m) => m[1]);
    assert.deepEqual(documented, Object.keys(AUDIT_ACTIONS));
    for (const [action, spec] of Object.entries(AUDIT_ACTIONS)) {
      const section = doc.slice(doc.indexOf(`### \`${action}\`\n`)).split('\n### ')[0];
      assert.ok(section.includes(`Payload: \`${spec.payload.describe}\``), `${action} payload schema`);
      assert.ok(section.includes(`Target type: ${spec.targetTypes.map((t) => `\`${t}\``).join(', ')}`), `${action} target type`);
    }
  });
});

describe('canonical JSON', () => {
  it('sorts keys, drops undefined, and is stable through a parse', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: 1, y: '2' } }), '{"a":[true,null,"x"],"b":1,"d":{"y":"2","z":1}}');
    const text = canonicalJson({ s: 'é\n"', n: 1.5e-7 });
    assert.equal(canonicalJson(JSON.parse(text)), text);
    assert.throws(() => canonicalJson({ n: Number.NaN }), /finite/);
  });
});
