import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolate } from './interpolate.js';

function ctx(entries: [string, unknown][]) {
  const errors: string[] = [];
  return { errors, ctx: { scope: new Map(entries), onError: (_p: string, m: string) => errors.push(m) } };
}

describe('interpolate', () => {
  it('keeps the type of a value that is the whole string', () => {
    const { ctx: c } = ctx([['parameters.steps', [{ run: 'x' }]], ['parameters.flag', true]]);
    assert.deepEqual(interpolate({ s: '<< parameters.steps >>', b: '<<parameters.flag>>' }, c), { s: [{ run: 'x' }], b: true });
  });

  it('substitutes inside longer strings', () => {
    const { ctx: c } = ctx([['parameters.v', 18], ['pipeline.git.branch', 'main']]);
    assert.equal(interpolate('node:<< parameters.v >>-<<pipeline.git.branch>>', c), 'node:18-main');
  });

  it('turns \\<< into a literal << and never rescans substituted values', () => {
    const { ctx: c } = ctx([['parameters.x', '<< parameters.y >>']]);
    assert.equal(interpolate('echo \\<< parameters.x >> and << parameters.x >>', c), 'echo << parameters.x >> and << parameters.y >>');
  });

  it('leaves shell heredocs alone', () => {
    const { ctx: c, errors } = ctx([]);
    assert.equal(interpolate('cat <<EOF > f\nhi\nEOF\necho a >> log', c), 'cat <<EOF > f\nhi\nEOF\necho a >> log');
    assert.deepEqual(errors, []);
  });

  it('evaluates expressions', () => {
    const { ctx: c } = ctx([['pipeline.git.branch', 'main']]);
    assert.equal(interpolate('<< pipeline.git.branch == "main" and 10 or 1 >>', c), 10);
  });

  it('supports mustache sections from packed orbs', () => {
    const { ctx: c } = ctx([['parameters.on', true], ['parameters.off', false]]);
    assert.equal(interpolate('a-<<#parameters.on>>X-<</parameters.on>><<^parameters.off>>Y-<</parameters.off>><<#parameters.off>>Z<</parameters.off>>b', c), 'a-X-Y-b');
  });

  it('reports undeclared parameters', () => {
    const { ctx: c, errors } = ctx([]);
    interpolate('<< parameters.nope >>', c);
    assert.match(errors[0], /parameter "nope" is not declared/);
  });

  it('refuses a list inside a longer string', () => {
    const { ctx: c, errors } = ctx([['parameters.s', [1]]]);
    interpolate('x << parameters.s >>', c);
    assert.equal(errors.length, 1);
  });
});
