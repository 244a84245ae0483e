/**
 * @module Logic statements of `when`/`unless` steps and workflow `when`/`unless`:
 * `and`, `or`, `not`, `equal`, `matches: {pattern, value}`, literals and bare expression strings.
 */
import { evaluateExpression, isTruthy } from './expression.js';
import type { ExpressionScope } from './expression.js';
import { javaRegex } from './regex.js';
import { isRecord } from './scope.js';

export type LogicResult = { ok: true; value: boolean } | { ok: false; error: string };

const MAX_DEPTH = 100;
const OPERATORS = new Set(['and', 'or', 'not', 'equal', 'matches']);

/**
 * Evaluates a (already interpolated) logic statement at compile time.
 * `expressions` lets bare strings be expressions (workflow `when`); elsewhere a string is a literal.
 */
export function evaluateLogic(statement: unknown, opts: { scope: ExpressionScope; expressions?: boolean }): LogicResult {
  try {
    return { ok: true, value: isTruthy(evaluate(statement, { ...opts, depth: 0 })) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

interface Ctx {
  readonly scope: ExpressionScope;
  readonly expressions?: boolean;
  readonly depth: number;
}

function evaluate(s: unknown, ctx: Ctx): unknown {
  if (ctx.depth > MAX_DEPTH) throw new Error(`logic statement nested deeper than ${MAX_DEPTH} levels`);
  if (typeof s === 'string' && ctx.expressions) {
    const r = evaluateExpression(s, ctx.scope);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }
  if (!isRecord(s)) return s;
  const keys = Object.keys(s);
  // A map that is not an operator is a literal value (configs compare executor maps with equal).
  if (keys.length !== 1 || !OPERATORS.has(keys[0])) return s;
  const key = keys[0];
  const arg = s[key];
  const inner: Ctx = { ...ctx, depth: ctx.depth + 1, expressions: false };
  switch (key) {
    case 'and':
    case 'or': {
      const list = listArg(key, arg);
      if (list.length === 0) return false;
      if (key === 'and') return list.every((x) => isTruthy(evaluate(x, inner)));
      return list.some((x) => isTruthy(evaluate(x, inner)));
    }
    case 'not':
      if (arg === null || arg === undefined) return false;
      return !isTruthy(evaluate(arg, inner));
    case 'equal': {
      const list = listArg(key, arg);
      if (list.length === 0) return false;
      const vals = list.map((x) => evaluate(x, inner));
      return vals.every((v) => deepEqual(v, vals[0]));
    }
    case 'matches': {
      if (!isRecord(arg) || typeof arg.pattern !== 'string') throw new Error('matches needs pattern: and value:');
      const value = arg.value === null || arg.value === undefined ? '' : String(arg.value);
      return javaRegex(arg.pattern).test(value);
    }
    default:
      return s;
  }
}

function listArg(key: string, arg: unknown): unknown[] {
  if (arg === null || arg === undefined) return [];
  if (!Array.isArray(arg)) throw new Error(`${key} takes a list`);
  if (arg.length === 0) throw new Error(`${key} has an empty list; give it at least one argument`);
  return arg;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
