/**
 * @module The expression language inside `<< … >>`, job `filters:` strings and workflow
 * `when`/`unless` strings: and/or (short-circuit, returning an operand), ==, !=, starts-with,
 * matches /re/, < <= > >=, not (binds tighter than comparisons) and parentheses.
 */
import { javaRegex } from './regex.js';

/** Values visible to an expression: `pipeline.*`, `parameters.*`, `matrix.*` as flat dotted keys. */
export type ExpressionScope = ReadonlyMap<string, unknown>;

export type ExpressionResult = { ok: true; value: unknown } | { ok: false; error: string };

type Tok =
  | { t: 'id'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 're'; v: string }
  | { t: 'op'; v: string };

type Ast =
  | { k: 'lit'; v: unknown }
  | { k: 'ref'; name: string }
  | { k: 'not'; e: Ast }
  | { k: 'bin'; op: string; l: Ast; r: Ast };

const OPS = ['==', '!=', '<=', '>=', '<', '>', '(', ')'];
const WORD_OPS = new Set(['and', 'or', 'not', 'starts-with', 'matches']);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) { s += src[j + 1]; j += 2; continue; }
        s += src[j++];
      }
      if (j >= src.length) throw new Error(`unterminated string in "${src}"`);
      out.push({ t: 'str', v: s });
      i = j + 1;
      continue;
    }
    if (c === '/' && out.length > 0 && out[out.length - 1].t === 'op' && out[out.length - 1].v === 'matches') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '/') {
        if (src[j] === '\\' && src[j + 1] === '/') { s += '/'; j += 2; continue; }
        s += src[j++];
      }
      if (j >= src.length) throw new Error(`unterminated regular expression in "${src}"`);
      out.push({ t: 're', v: s });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) { out.push({ t: 'op', v: op }); i += op.length; continue; }
    const num = /^-?\d+(?:\.\d+)?(?![\w.-])/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const word = /^[A-Za-z_][\w.-]*/.exec(src.slice(i));
    if (word) {
      const w = word[0];
      out.push(WORD_OPS.has(w) ? { t: 'op', v: w } : { t: 'id', v: w });
      i += w.length;
      continue;
    }
    throw new Error(`unexpected "${c}" in "${src}"`);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly src: string) {}

  parse(): Ast {
    const e = this.or();
    if (this.i < this.toks.length) throw new Error(`unexpected "${String(this.toks[this.i].v)}" in "${this.src}"`);
    return e;
  }

  private peekOp(v: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  private or(): Ast {
    let l = this.and();
    while (this.peekOp('or')) { this.i++; l = { k: 'bin', op: 'or', l, r: this.and() }; }
    return l;
  }

  private and(): Ast {
    let l = this.cmp();
    while (this.peekOp('and')) { this.i++; l = { k: 'bin', op: 'and', l, r: this.cmp() }; }
    return l;
  }

  private cmp(): Ast {
    const l = this.unary();
    for (const op of ['==', '!=', '<=', '>=', '<', '>', 'starts-with']) {
      if (this.peekOp(op)) { this.i++; return { k: 'bin', op, l, r: this.unary() }; }
    }
    if (this.peekOp('matches')) {
      this.i++;
      const t = this.toks[this.i++];
      if (!t || t.t !== 're') throw new Error(`"matches" needs a /regex/ in "${this.src}"`);
      return { k: 'bin', op: 'matches', l, r: { k: 'lit', v: t.v } };
    }
    return l;
  }

  private unary(): Ast {
    if (this.peekOp('not')) { this.i++; return { k: 'not', e: this.unary() }; }
    return this.primary();
  }

  private primary(): Ast {
    const t = this.toks[this.i++];
    if (!t) throw new Error(`expression "${this.src}" ends too early`);
    if (t.t === 'op' && t.v === '(') {
      const e = this.or();
      if (!this.peekOp(')')) throw new Error(`missing ")" in "${this.src}"`);
      this.i++;
      return e;
    }
    if (t.t === 'str' || t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t === 'id') {
      if (t.v === 'true') return { k: 'lit', v: true };
      if (t.v === 'false') return { k: 'lit', v: false };
      if (t.v === 'null') return { k: 'lit', v: null };
      return { k: 'ref', name: t.v };
    }
    throw new Error(`unexpected "${String(t.v)}" in "${this.src}"`);
  }
}

/** Truthiness used by expressions and logic statements: false, null, 0, NaN and "" are false. */
export function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return false;
  if (typeof v === 'number' && Number.isNaN(v)) return false;
  return true;
}

function evaluate(ast: Ast, scope: ExpressionScope): unknown {
  switch (ast.k) {
    case 'lit': return ast.v;
    case 'ref': {
      if (!scope.has(ast.name)) throw new Error(`unknown value "${ast.name}"`);
      return scope.get(ast.name);
    }
    case 'not': return !isTruthy(evaluate(ast.e, scope));
    case 'bin': {
      const l = evaluate(ast.l, scope);
      if (ast.op === 'and') return isTruthy(l) ? evaluate(ast.r, scope) : l;
      if (ast.op === 'or') return isTruthy(l) ? l : evaluate(ast.r, scope);
      const r = evaluate(ast.r, scope);
      return binary(ast.op, l, r);
    }
  }
}

function binary(op: string, l: unknown, r: unknown): unknown {
  switch (op) {
    case '==': return typeof l === typeof r && l === r;
    case '!=': return !(typeof l === typeof r && l === r);
    case 'starts-with':
      if (typeof l !== 'string' || typeof r !== 'string') return false;
      return l.startsWith(r);
    case 'matches':
      if (typeof l !== 'string') return false;
      return javaRegex(String(r)).test(l);
    default: {
      const bothNum = typeof l === 'number' && typeof r === 'number';
      const bothStr = typeof l === 'string' && typeof r === 'string';
      if (!bothNum && !bothStr) throw new Error(`"${op}" compares numbers, got ${JSON.stringify(l)} and ${JSON.stringify(r)}`);
      const a = l as number, b = r as number;
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
  }
}

const cache = new Map<string, Ast | Error>();

/** Parses and evaluates `src` against `scope`. Errors are returned, never thrown. */
export function evaluateExpression(src: string, scope: ExpressionScope): ExpressionResult {
  let ast = cache.get(src);
  if (ast === undefined) {
    try {
      ast = new Parser(tokenize(src), src).parse();
    } catch (err) {
      ast = err as Error;
    }
    if (cache.size > 5000) cache.clear();
    cache.set(src, ast);
  }
  if (ast instanceof Error) return { ok: false, error: ast.message };
  try {
    return { ok: true, value: evaluate(ast, scope) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
