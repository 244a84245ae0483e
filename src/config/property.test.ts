/**
 * Property tests: random mutations of corpus configs never make processing throw (problems
 * only, no "internal error"), and the same input always gives the same output.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { processConfig, orbSourceFromFiles } from './index.js';
import { parseYaml } from './yaml-parse.js';
import { corpusFiles, corpusPipelineValues, orbFiles } from '../../test/fixtures/config/corpus-fixtures.js';

const corpus = [...corpusFiles().values()];
const orbs = orbSourceFromFiles(orbFiles());
const TOKENS = ['<<', '>>', '<< parameters.x >>', '<< pipeline.git.branch == >>', '*', '&a', ': ', '- ', '{', '[', '"', "'", '\t', 'when:', 'steps: 3', '<<: *nope', '\\<<', 'matrix: {}', '- steps: << parameters.s >>', 'requires: [x]'];

async function processTwice(source: string) {
  const input = { source, pipelineValues: corpusPipelineValues(), orbs };
  const a = await processConfig(input);
  const b = await processConfig(input);
  return { a, b };
}

function check({ a, b }: Awaited<ReturnType<typeof processTwice>>): void {
  const problems = a.ok ? a.warnings : a.problems;
  assert.ok(!problems.some((p) => p.message.startsWith('internal error')), problems.map((p) => p.message).join('\n'));
  for (const p of problems) assert.ok(Number.isInteger(p.line) && p.line >= 1 && p.column >= 1);
  assert.deepEqual(b, a);
}

describe('property: mutated corpus files', () => {
  it('text mutations give problems or plans, never exceptions, deterministically', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(corpus.length - 1),
        fc.array(fc.tuple(fc.constantFrom('delete', 'duplicate', 'insert', 'indent', 'truncate'), fc.nat(), fc.constantFrom(...TOKENS)), { minLength: 1, maxLength: 4 }),
        async (fileIndex, edits) => {
          let lines = corpus[fileIndex].split('\n');
          for (const [op, at, token] of edits) {
            const i = at % lines.length;
            if (op === 'delete') lines.splice(i, 1);
            else if (op === 'duplicate') lines.splice(i, 0, lines[i]);
            else if (op === 'insert') lines[i] = lines[i].slice(0, at % (lines[i].length + 1)) + token + lines[i].slice(at % (lines[i].length + 1));
            else if (op === 'indent') lines[i] = ` ${lines[i]}`;
            else lines = lines.slice(0, Math.max(1, i));
            if (lines.length === 0) lines = [''];
          }
          check(await processTwice(lines.join('\n')));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('structural mutations (any value anywhere) give problems or plans, never exceptions', async () => {
    const parsed = corpus.map((src) => {
      const r = parseYaml(src);
      return r.ok ? r.value : {};
    });
    await fc.assert(
      fc.asyncProperty(fc.nat(corpus.length - 1), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.anything({ maxDepth: 2 }), async (fileIndex, route, replacement) => {
        const doc = structuredClone(parsed[fileIndex]) as unknown;
        let node = doc as Record<string, unknown>;
        for (let depth = 0; depth < route.length; depth++) {
          const keys = node && typeof node === 'object' ? Object.keys(node) : [];
          if (keys.length === 0) break;
          const key = keys[route[depth] % keys.length];
          if (depth === route.length - 1 || typeof node[key] !== 'object' || node[key] === null) {
            node[key] = replacement;
            break;
          }
          node = node[key] as Record<string, unknown>;
        }
        let text: string;
        try {
          text = stringify(doc);
        } catch {
          return;
        }
        check(await processTwice(text));
      }),
      { numRuns: 150 },
    );
  });
});
