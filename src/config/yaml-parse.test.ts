import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYaml } from './yaml-parse.js';

function value(src: string): unknown {
  const r = parseYaml(src);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('parseYaml (YAML 1.1 like SnakeYAML)', () => {
  it('merges several << keys in one map and lets later keys win', () => {
    const v = value('a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: *a\n  <<: *b\n  z: 3\n') as Record<string, Record<string, number>>;
    assert.deepEqual(v.c, { x: 1, y: 1, z: 3 });
  });

  it('accepts a merge of a list of anchors', () => {
    const v = value('a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n') as Record<string, unknown>;
    assert.deepEqual(v.c, { x: 1, y: 2 });
  });

  it('lets an anchor be redefined; aliases use the latest definition', () => {
    const v = value('a: &e {v: 1}\nb: *e\nc: &e {v: 2}\nd: *e\n') as Record<string, unknown>;
    assert.deepEqual(v.b, { v: 1 });
    assert.deepEqual(v.d, { v: 2 });
  });

  it('reads yes/no/on/off in any case as booleans but y/n as strings', () => {
    const v = value('a: yes\nb: NO\nc: On\nd: OFF\ne: y\nf: n\ng: Y\nh: true\ni: "yes"\n');
    assert.deepEqual(v, { a: true, b: false, c: true, d: false, e: 'y', f: 'n', g: 'Y', h: true, i: 'yes' });
  });

  it('keeps dates as strings and reads numbers', () => {
    assert.deepEqual(value('d: 2024-01-02\nn: 3.10\ni: 42\np: .\nq: .5\nr: 1e3\ns: 1.\n'), { d: '2024-01-02', n: 3.1, i: 42, p: '.', q: 0.5, r: 1000, s: 1 });
  });

  it('reports a syntax error with its 1-based line and column', () => {
    const r = parseYaml('version: 2.1\njobs:\n  build:\n    steps: [a, b\n');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.errors[0].line, 5);
    assert.ok(r.errors[0].message.startsWith('YAML syntax error'));
  });

  it('points at a bad indentation', () => {
    const r = parseYaml('a:\n  b: 1\n c: 2\n');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual([r.errors[0].line, r.errors[0].column], [3, 1]);
  });

  it('records positions of keys and list items', () => {
    const r = parseYaml('jobs:\n  build:\n    steps:\n      - checkout\n      - run: x\n');
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.deepEqual(r.positions.get('jobs.build'), { line: 2, column: 3 });
    assert.deepEqual(r.positions.get('jobs.build.steps[1]'), { line: 5, column: 9 });
    assert.deepEqual(r.positions.get('jobs.build.steps[1].run'), { line: 5, column: 9 });
  });
});
