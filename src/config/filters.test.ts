import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobFiltersPass } from './filters.js';

const scope = new Map<string, unknown>([['pipeline.git.branch', 'main'], ['pipeline.git.tag', null]]);
const branch = (b: string, f: unknown) => jobFiltersPass(f, { branch: b, scope });
const tag = (t: string, f: unknown) => jobFiltersPass(f, { tag: t, scope });

describe('job filters', () => {
  it('no filter runs on every branch but on no tag', () => {
    assert.deepEqual(branch('x', undefined), { ok: true, runs: true });
    assert.deepEqual(tag('v1', undefined), { ok: true, runs: false });
  });

  it('only/ignore take a string or a list; regexes match the whole name', () => {
    assert.deepEqual(branch('main', { branches: { only: 'main' } }), { ok: true, runs: true });
    assert.deepEqual(branch('main2', { branches: { only: ['main', '/dev-.*/'] } }), { ok: true, runs: false });
    assert.deepEqual(branch('dev-1', { branches: { only: ['main', '/dev-.*/'] } }), { ok: true, runs: true });
    assert.deepEqual(branch('xdev-1', { branches: { only: '/dev-.*/' } }), { ok: true, runs: false });
    assert.deepEqual(branch('gh-pages', { branches: { ignore: 'gh-pages' } }), { ok: true, runs: false });
  });

  it('only is checked before ignore', () => {
    const f = { branches: { only: '/release-.*/', ignore: 'release-bad' } };
    assert.deepEqual(branch('release-1', f), { ok: true, runs: true });
    assert.deepEqual(branch('release-bad', f), { ok: true, runs: false });
    assert.deepEqual(branch('main', f), { ok: true, runs: false });
  });

  it('tags need a tags filter; branch filters do not apply to tags', () => {
    assert.deepEqual(tag('v1.0', { branches: { only: 'main' } }), { ok: true, runs: false });
    assert.deepEqual(tag('v1.0', { tags: { only: '/^v.*/' }, branches: { ignore: '/.*/' } }), { ok: true, runs: true });
    assert.deepEqual(tag('x1.0', { tags: { only: '/^v.*/' } }), { ok: true, runs: false });
    assert.deepEqual(branch('main', { tags: { only: '/^v.*/' } }), { ok: true, runs: true });
    assert.deepEqual(branch('main', { tags: { only: '/.*/' }, branches: { ignore: '/.*/' } }), { ok: true, runs: false });
  });

  it('expression-string filters', () => {
    assert.deepEqual(branch('main', 'pipeline.git.branch == "main" or pipeline.git.tag starts-with "v"'), { ok: true, runs: true });
    assert.deepEqual(jobFiltersPass('pipeline.git.branch == "x"', { branch: 'main', scope }), { ok: true, runs: false });
    assert.equal(branch('main', 'pipeline.git.branch ==').ok, false);
  });
});
