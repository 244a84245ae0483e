/**
 * @module YAML 1.1 parsing the way CircleCI's compiler (SnakeYAML) reads configs, with positions.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Node } from 'yaml';
import { childPath } from './problems.js';
import type { PositionMap } from './problems.js';

/** A syntax error with a 1-based location. */
export interface YamlSyntaxError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type ParsedYaml =
  | { readonly ok: true; readonly value: unknown; readonly positions: PositionMap }
  | { readonly ok: false; readonly errors: readonly YamlSyntaxError[] };

const TRUE_RE = /^(?:yes|true|on)$/i;
/**
 * SnakeYAML booleans: yes/no/true/false/on/off in any case, but not `y`/`n` (the `yaml`
 * package's 1.1 schema treats those as booleans too, which CircleCI does not).
 */
const boolTag = {
  identify: (v: unknown) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:yes|no|true|false|on|off)$/i,
  resolve: (s: string) => new Scalar(TRUE_RE.test(s)),
};

/**
 * SnakeYAML's float: digits are required on one side of the point (the `yaml` package's 1.1
 * float also takes a lone `.`, which configs use as a path and must stay a string).
 */
const floatTag = {
  identify: (v: unknown) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$/,
  resolve: (s: string) => new Scalar(parseFloat(s.replace(/_/g, ''))),
};

const DROPPED_TAGS = new Set(['tag:yaml.org,2002:bool', 'tag:yaml.org,2002:timestamp']);

type Tag = { tag: string; test?: RegExp };

function keepTag(t: Tag): boolean {
  if (DROPPED_TAGS.has(t.tag)) return false;
  return !(t.tag === 'tag:yaml.org,2002:float' && t.test?.test('.'));
}

/**
 * Parses one YAML document with merge keys (several `<<` per map allowed), redefined
 * anchors and YAML 1.1 scalars. Timestamps stay strings (they end up in env vars).
 * Never throws: syntax errors come back with line and column.
 */
export function parseYaml(source: string): ParsedYaml {
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(source, {
      version: '1.1',
      merge: true,
      uniqueKeys: false,
      lineCounter,
      prettyErrors: true,
      customTags: (tags) => [...tags.filter((t) => keepTag(t as Tag)), boolTag, floatTag],
    });
  } catch (err) {
    return { ok: false, errors: [{ line: 1, column: 1, message: `YAML could not be parsed: ${(err as Error).message}` }] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, message: `YAML syntax error: ${firstLine(e.message)}` };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    return { ok: false, errors: [{ line: 1, column: 1, message: `YAML could not be read: ${firstLine((err as Error).message)}` }] };
  }
  const positions = new Map<string, { line: number; column: number }>();
  if (doc.contents) collectPositions(doc.contents, { path: '', positions, lineCounter });
  return { ok: true, value, positions };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

interface Walk {
  readonly path: string;
  readonly positions: Map<string, { line: number; column: number }>;
  readonly lineCounter: LineCounter;
}

function record(node: Node | null | undefined, walk: Walk): void {
  const start = node?.range?.[0];
  if (start === undefined || walk.positions.has(walk.path)) return;
  const pos = walk.lineCounter.linePos(start);
  walk.positions.set(walk.path, { line: pos.line, column: pos.col });
}

function collectPositions(node: Node, walk: Walk): void {
  record(node, walk);
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const key = String(item.key.value);
      if (key === '<<') continue;
      const sub = { ...walk, path: childPath(walk.path, key) };
      record(item.key as Node, sub);
      if (item.value) collectPositions(item.value as Node, sub);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (item) collectPositions(item as Node, { ...walk, path: childPath(walk.path, i) });
    });
  }
}

const cache = new Map<string, ParsedYaml>();
const CACHE_SIZE = 32;

/**
 * {@link parseYaml} with a small LRU keyed by the exact source text: the server processes the
 * same config for many pipelines, and YAML parsing is most of the cost. Cached values are
 * deeply frozen; nothing downstream mutates them.
 */
export function parseYamlCached(source: string): ParsedYaml {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const parsed = parseYaml(source);
  if (parsed.ok) deepFreeze(parsed.value);
  cache.set(source, parsed);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return parsed;
}

function deepFreeze(v: unknown): void {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
}
