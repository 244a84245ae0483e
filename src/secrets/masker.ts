/**
 * @module Streaming secret masker for job output.
 *
 * The runner masks output before it leaves the job host, and the server masks again before storing
 * it, both with this file, so it imports nothing but Node built-ins (the runner may import only
 * `src/secrets/masker.ts` from the secrets module).
 *
 * Contract:
 * - Every "form" of every secret (see {@link maskingForms}) is found wherever it occurs, also across
 *   chunk boundaries: the concatenation of `push()` results and `flush()` equals
 *   `maskAll(whole output)` for any split of the output into chunks.
 * - Overlapping or adjacent occurrences merge into one span, shown as a single {@link MASK}.
 * - `push()` holds back only the shortest suffix that could still grow into an occurrence, so live
 *   output is delayed no more than necessary. One Aho-Corasick automaton covers all forms: time is
 *   linear in the output plus the total length of the forms.
 */

/** What a masked span is replaced with. */
export const MASK = '****';

/** Values (and lines) shorter than this, after trimming whitespace, are not masked (CircleCI behaviour). */
export const MIN_SECRET_LENGTH = 4;

/** A stateful masker for one output stream. */
export interface Masker {
  /** Consumes the next chunk and returns the output that is now final (possibly ''). */
  push(chunk: string): string;
  /** Ends the stream: returns everything held back and resets, so the masker can serve a new stream. */
  flush(): string;
  /**
   * Returns everything held back now but keeps the match state: an occurrence that started in text
   * already returned still has its remainder masked when it completes in a later chunk (its start
   * was already emitted). For a consumer that cannot delay output, such as the server re-masking
   * chunks the runner has already masked.
   */
  drain(): string;
}

/**
 * Whether a value is too weak to mask: shorter than {@link MIN_SECRET_LENGTH} characters (code points)
 * after trimming, or `true`/`false` in any case. Masking those would hide ordinary words and, by
 * doing so, reveal the value.
 */
export function isExemptFromMasking(value: string): boolean {
  const trimmed = value.trim();
  return [...trimmed].length < MIN_SECRET_LENGTH || /^(?:true|false)$/i.test(trimmed);
}

/**
 * The strings masked for one secret value, deduplicated: the value; each line of a multi-line value
 * (lines that are not exempt); and for each of those, its `encodeURIComponent` form, its JSON-escaped
 * form (`JSON.stringify` without the quotes, also with non-ASCII as `\uXXXX` as Python writes it), and its base64 forms: for each of the 3 byte alignments
 * at which the value can sit inside a longer base64-encoded text, the characters that depend only on
 * the value's bytes, plus the same run extended to the end (and padding) for when the value ends the
 * encoded text. Returns [] for an exempt value.
 */
export function maskingForms(value: string): string[] {
  if (isExemptFromMasking(value)) return [];
  const bases = [value];
  if (/[\r\n]/.test(value)) {
    bases.push(...value.split(/\r\n|\r|\n/).filter((line) => !isExemptFromMasking(line)));
  }
  const forms = new Set<string>();
  for (const base of bases) {
    forms.add(base);
    const json = JSON.stringify(base).slice(1, -1);
    forms.add(json);
    forms.add(json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
    const url = urlEncode(base);
    if (url !== undefined) forms.add(url);
    for (const encoded of base64Forms(base)) forms.add(encoded);
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/** Masks a whole text at once; equal to pushing it through {@link createMasker} in any chunks. */
export function maskAll(text: string, secrets: readonly string[]): string {
  const masker = createMasker(secrets);
  return masker.push(text) + masker.flush();
}

/** Creates a masker for one output stream, masking every form of every secret. Building is O(total form length). */
export function createMasker(secrets: readonly string[]): Masker {
  const patterns = new Set<string>();
  for (const secret of secrets) {
    for (const form of maskingForms(secret)) patterns.add(form);
  }
  if (patterns.size === 0) {
    return { push: (chunk) => chunk, flush: () => '', drain: () => '' };
  }
  return new StreamMasker(buildAutomaton([...patterns]));
}

function urlEncode(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    return undefined; // lone surrogate: no URL-encoded form exists
  }
}

function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (const shift of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const unpadded = padded.replace(/=+$/, '');
    // Character j encodes bits [6j, 6j+6) of the input; keep those made only of the value's bits.
    const first = Math.ceil((8 * shift) / 6);
    const stableEnd = Math.floor((8 * (shift + bytes.length)) / 6);
    out.push(unpadded.slice(first, stableEnd), unpadded.slice(first), padded.slice(first));
  }
  return out;
}

/** A compiled Aho-Corasick automaton over character classes (chars that occur in no pattern share class 0). */
interface Automaton {
  /** UTF-16 code unit → class (0: in no pattern). */
  readonly classOf: Uint32Array;
  readonly classCount: number;
  /** (node * classCount + class) → child node. */
  readonly edges: Map<number, number>;
  readonly fail: Int32Array;
  /** Longest pattern that ends at this node (a suffix of its string), or 0. */
  readonly matchLength: Int32Array;
  /** Length of the longest suffix of this node's string that can still be extended into a pattern. */
  readonly holdLength: Int32Array;
}

function buildAutomaton(patterns: readonly string[]): Automaton {
  const classOf = new Uint32Array(65536);
  let classCount = 1;
  for (const pattern of patterns) {
    for (let i = 0; i < pattern.length; i++) {
      const code = pattern.charCodeAt(i);
      if (classOf[code] === 0) classOf[code] = classCount++;
    }
  }
  const edges = new Map<number, number>();
  const children: number[][] = [[]];
  const depth: number[] = [0];
  const terminal: number[] = [0];
  for (const pattern of patterns) {
    let node = 0;
    for (let i = 0; i < pattern.length; i++) {
      const key = node * classCount + classOf[pattern.charCodeAt(i)];
      let next = edges.get(key);
      if (next === undefined) {
        next = depth.length;
        edges.set(key, next);
        children[node].push(key);
        children.push([]);
        depth.push(depth[node] + 1);
        terminal.push(0);
      }
      node = next;
    }
    terminal[node] = pattern.length;
  }
  const size = depth.length;
  const fail = new Int32Array(size);
  const matchLength = new Int32Array(size);
  const holdLength = new Int32Array(size);
  const queue: number[] = [0];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    matchLength[node] = Math.max(terminal[node], matchLength[fail[node]]);
    holdLength[node] = children[node].length > 0 ? depth[node] : holdLength[fail[node]];
    for (const key of children[node]) {
      const child = edges.get(key) as number;
      const cls = key - node * classCount;
      fail[child] = node === 0 ? 0 : step({ edges, fail, classCount }, fail[node], cls);
      queue.push(child);
    }
  }
  return { classOf, classCount, edges, fail, matchLength, holdLength };
}

function step(automaton: Pick<Automaton, 'edges' | 'fail' | 'classCount'>, from: number, cls: number): number {
  const { edges, fail, classCount } = automaton;
  let node = from;
  for (;;) {
    const next = edges.get(node * classCount + cls);
    if (next !== undefined) return next;
    if (node === 0) return 0;
    node = fail[node];
  }
}

/** A merged masked span [start, end) in absolute stream positions; `shown` once its MASK was emitted. */
interface Span {
  start: number;
  end: number;
  shown: boolean;
}

class StreamMasker implements Masker {
  readonly #automaton: Automaton;
  #state = 0;
  /** Absolute position of pending[0]; everything before it has been emitted. */
  #base = 0;
  #pending = '';
  /** Sorted, disjoint, non-adjacent spans touching the pending text (the last one is kept for adjacency). */
  #spans: Span[] = [];

  constructor(automaton: Automaton) {
    this.#automaton = automaton;
  }

  push(chunk: string): string {
    if (chunk.length === 0) return '';
    const { classOf, classCount, edges, fail, matchLength, holdLength } = this.#automaton;
    const offset = this.#base + this.#pending.length;
    let state = this.#state;
    for (let i = 0; i < chunk.length; i++) {
      const cls = classOf[chunk.charCodeAt(i)];
      if (cls === 0) {
        state = 0;
        continue;
      }
      for (;;) {
        const next = edges.get(state * classCount + cls);
        if (next !== undefined) {
          state = next;
          break;
        }
        if (state === 0) break;
        state = fail[state];
      }
      const length = matchLength[state];
      if (length > 0) this.#addSpan(offset + i + 1 - length, offset + i + 1);
    }
    this.#state = state;
    this.#pending += chunk;
    return this.#emit(offset + chunk.length - holdLength[state]);
  }

  drain(): string {
    return this.#emit(this.#base + this.#pending.length);
  }

  flush(): string {
    const out = this.#emit(this.#base + this.#pending.length);
    this.#state = 0;
    this.#spans = [];
    return out;
  }

  #addSpan(start: number, end: number): void {
    const span: Span = { start, end, shown: false };
    const spans = this.#spans;
    // Matches arrive in order of their end, so only the tail can overlap or touch the new one.
    while (spans.length > 0 && spans[spans.length - 1].end >= span.start) {
      const last = spans.pop() as Span;
      span.start = Math.min(span.start, last.start);
      span.end = Math.max(span.end, last.end);
      span.shown ||= last.shown;
    }
    spans.push(span);
  }

  /** Emits pending text up to absolute position `limit`, masking spans. */
  #emit(limit: number): string {
    const base = this.#base;
    if (limit <= base) return '';
    const parts: string[] = [];
    let pos = base;
    for (const span of this.#spans) {
      if (span.start >= limit) break;
      if (span.end <= pos) continue;
      if (span.start > pos) parts.push(this.#pending.slice(pos - base, span.start - base));
      if (!span.shown) {
        parts.push(MASK);
        span.shown = true;
      }
      pos = Math.min(span.end, limit);
    }
    if (pos < limit) parts.push(this.#pending.slice(pos - base, limit - base));
    this.#pending = this.#pending.slice(limit - base);
    this.#base = limit;
    let drop = 0;
    // A span ending exactly at the limit stays: a match starting there touches it and must merge.
    while (drop < this.#spans.length - 1 && this.#spans[drop].end < limit) drop++;
    if (drop > 0) this.#spans.splice(0, drop);
    return parts.join('');
  }
}
