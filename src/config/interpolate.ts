/**
 * @module `<< … >>` interpolation: parameter, pipeline and matrix references and expressions,
 * with `\<<` as an escaped literal `<<`. Each definition body is interpolated exactly once, and
 * substituted values are never rescanned, so escapes survive nesting.
 */
import { evaluateExpression } from './expression.js';
import type { ExpressionScope } from './expression.js';

/** What interpolation sees and where it reports problems. */
export interface InterpolationContext {
  readonly scope: ExpressionScope;
  /** Called once per bad reference; interpolation continues with an empty value. */
  readonly onError: (path: string, message: string) => void;
}

const ROOT_RE = /(?:^|[^\w.-])(?:pipeline|parameters|matrix)\.[A-Za-z0-9_]/;

/** A string that is exactly one `<< … >>`: its value keeps its type (steps, booleans, maps). */
const WHOLE_RE = /^<<\s*((?:(?!<<|>>)[\s\S])*?)\s*>>$/;

/**
 * Deep-copies `value`, replacing `<< … >>` in every string. `path` names where `value` sits,
 * for problems. Map keys are not interpolated.
 */
export function interpolate(value: unknown, ctx: InterpolationContext, path = ''): unknown {
  if (typeof value === 'string') return interpolateString(value, ctx, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, ctx, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, ctx, path === '' ? k : `${path}.${k}`);
    return out;
  }
  return value;
}

/** True if `s` contains anything interpolation would change. */
export function needsInterpolation(s: string): boolean {
  return s.includes('<<');
}

/** Interpolates one string; a string that is exactly `<< x >>` yields x's own value and type. */
export function interpolateString(input: string, ctx: InterpolationContext, path: string): unknown {
  if (!input.includes('<<')) return input;
  const s = input.includes('<<#') || input.includes('<<^') || /<<\s*[#^]/.test(input) ? sections(input, { ctx, path }) : input;
  const whole = WHOLE_RE.exec(s);
  if (whole && isReference(whole[1])) return resolve(whole[1], ctx, path);
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('\\<<', i)) { out += '<<'; i += 3; continue; }
    if (s.startsWith('<<', i)) {
      const end = s.indexOf('>>', i + 2);
      const next = s.indexOf('<<', i + 2);
      if (end !== -1 && (next === -1 || next > end)) {
        const inner = s.slice(i + 2, end).trim();
        if (isReference(inner)) {
          out += stringify(resolve(inner, ctx, path), { ctx, path, inner });
          i = end + 2;
          continue;
        }
      }
      out += '<<';
      i += 2;
      continue;
    }
    out += s[i++];
  }
  return out;
}

const SECTION_RE = /<<\s*([#^])\s*([A-Za-z][\w.-]*)\s*>>([\s\S]*?)<<\s*\/\s*\2\s*>>/g;

/**
 * Mustache-style sections used by packed orbs: `<<# parameters.x >>text<</ parameters.x >>`
 * keeps `text` when x is truthy, `<<^ … >>` when it is falsy.
 */
function sections(s: string, at: { ctx: InterpolationContext; path: string }): string {
  let prev;
  let out = s;
  do {
    prev = out;
    out = out.replace(SECTION_RE, (...m: string[]) => {
      const [, kind, ref, body] = m;
      const v = resolve(ref, at.ctx, at.path);
      const truthy = v !== undefined && v !== null && v !== false && v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0);
      return truthy === (kind === '#') ? body : '';
    });
  } while (out !== prev);
  return out;
}

function isReference(inner: string): boolean {
  return ROOT_RE.test(inner);
}

function resolve(inner: string, ctx: InterpolationContext, path: string): unknown {
  if (ctx.scope.has(inner)) return ctx.scope.get(inner);
  const r = evaluateExpression(inner, ctx.scope);
  if (r.ok) return r.value;
  ctx.onError(path, describe(inner, r.error));
  return '';
}

function describe(inner: string, error: string): string {
  const m = /^unknown value "(.*)"$/.exec(error);
  if (m) {
    const ref = m[1];
    if (ref.startsWith('parameters.')) return `<< ${inner} >>: parameter "${ref.slice(11)}" is not declared here (declare it under parameters: of this job, command or executor)`;
    if (ref.startsWith('pipeline.parameters.')) return `<< ${inner} >>: pipeline parameter "${ref.slice(20)}" is not declared under the top-level parameters:`;
    if (ref.startsWith('matrix.')) return `<< ${inner} >>: "${ref.slice(7)}" is not a matrix parameter of this job`;
    return `<< ${inner} >>: unknown value "${ref}"`;
  }
  return `<< ${inner} >>: ${error}`;
}

function stringify(v: unknown, at: { ctx: InterpolationContext; path: string; inner: string }): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  at.ctx.onError(at.path, `<< ${at.inner} >> is a list or map and cannot be put inside a longer string`);
  return '';
}
