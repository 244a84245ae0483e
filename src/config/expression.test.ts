import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateExpression, isTruthy } from './expression.js';

const scope = new Map<string, unknown>([
  ['pipeline.git.branch', 'main'],
  ['pipeline.git.tag', null],
  ['pipeline.number', 12],
  ['parameters.flag', false],
  ['parameters.name', 'release/1.2'],
]);

function ev(src: string): unknown {
  const r = evaluateExpression(src, scope);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('expressions', () => {
  it('and/or short-circuit and return an operand', () => {
    assert.equal(ev('pipeline.git.branch == "main" and 10 or 1'), 10);
    assert.equal(ev('pipeline.git.branch == "dev" and 10 or 1'), 1);
    assert.equal(ev('parameters.flag or "fallback"'), 'fallback');
    assert.equal(ev('pipeline.git.tag and "x"'), null);
    assert.equal(ev('parameters.name or "x"'), 'release/1.2');
  });

  it('== and != treat different types as unequal', () => {
    assert.equal(ev('pipeline.number == "12"'), false);
    assert.equal(ev('pipeline.number != "12"'), true);
    assert.equal(ev('pipeline.number == 12'), true);
  });

  it('starts-with and matches (whole value, Java-style)', () => {
    assert.equal(ev('parameters.name starts-with "release/"'), true);
    assert.equal(ev('parameters.name matches /release\\/\\d+\\.\\d+/'), true);
    assert.equal(ev('parameters.name matches /release/'), false, 'must match the whole value');
  });

  it('orders numbers', () => {
    assert.equal(ev('pipeline.number > 10'), true);
    assert.equal(ev('pipeline.number <= 11'), false);
    assert.equal(ev('pipeline.number >= 12 and pipeline.number < 13'), true);
  });

  it('not binds tighter than comparisons; parentheses group', () => {
    assert.equal(ev('not parameters.flag'), true);
    assert.equal(ev('not (pipeline.git.branch == "main")'), false);
    assert.equal(ev('not pipeline.git.branch == false'), true, '(not "main") == false');
    assert.equal(ev('(parameters.flag or pipeline.number > 1) and "y"'), 'y');
  });

  it('reports unknown names and syntax errors as data', () => {
    const a = evaluateExpression('pipeline.nope == 1', scope);
    assert.equal(a.ok, false);
    const b = evaluateExpression('(pipeline.number == 1', scope);
    assert.equal(b.ok, false);
    const c = evaluateExpression('pipeline.number < "x"', scope);
    assert.equal(c.ok, false);
  });

  it('treats false, null, 0, NaN and "" as falsy', () => {
    for (const v of [false, null, 0, NaN, '', undefined]) assert.equal(isTruthy(v), false, String(v));
    for (const v of [true, 1, 'a', [], {}]) assert.equal(isTruthy(v), true, JSON.stringify(v));
  });
});
