/**
 * @module Orb loading: inline orbs, registry orbs through the caller's {@link OrbSource}, and
 * orbs imported by orbs. Produces the {@link Scope} tree that element names resolve in.
 */
import type { OrbSource } from './orb-source.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { interpolate } from './interpolate.js';
import { parseYaml } from './yaml-parse.js';
import { isRecord, scopeFromBody } from './scope.js';
import type { Scope } from './scope.js';

const REF_RE = /^([A-Za-z0-9_-]+)\/([A-Za-z0-9_.-]+)@(.+)$/;
const VERSION_RE = /^(?:\d+(?:\.\d+){0,2}|volatile|dev:[A-Za-z0-9_.:-]+)$/;
const MAX_DEPTH = 10;

/** A parsed `ns/name@version` orb reference. */
export interface OrbRef {
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
}

/** Parses `ns/name@X`, `@X.Y`, `@X.Y.Z`, `@volatile` and `@dev:label`; undefined if malformed. */
export function parseOrbRef(ref: string): OrbRef | undefined {
  const m = REF_RE.exec(ref.trim());
  if (!m || !VERSION_RE.test(m[3])) return undefined;
  return { namespace: m[1], name: m[2], version: m[3] };
}

export interface LoadOrbsOptions {
  readonly config: Record<string, unknown>;
  readonly source?: OrbSource;
  readonly sink: ProblemSink;
  readonly pipeline: ReadonlyMap<string, unknown>;
}

/** Loads every orb the config imports and returns the config's root scope. Never throws. */
export async function loadRootScope(opts: LoadOrbsOptions): Promise<Scope> {
  const orbs = new Map<string, Scope>();
  const failed = new Set<string>();
  const root = scopeFromBody(opts.config, { label: '', orbs, failedOrbs: failed });
  await loadImports(opts.config.orbs, { opts, root, into: { orbs, failed }, path: 'orbs', label: '', depth: 0, loaded: new Map() });
  return root;
}

interface ImportContext {
  readonly opts: LoadOrbsOptions;
  readonly root: Scope;
  readonly into: { orbs: Map<string, Scope>; failed: Set<string> };
  readonly path: string;
  readonly label: string;
  readonly depth: number;
  /** Parsed orb bodies by reference, shared across one config. */
  readonly loaded: Map<string, Promise<Record<string, unknown> | string>>;
}

async function loadImports(imports: unknown, ctx: ImportContext): Promise<void> {
  if (imports === undefined || imports === null) return;
  const { sink } = ctx.opts;
  const where = ctx.label ? ` (imported by orb ${ctx.label})` : '';
  if (!isRecord(imports)) {
    sink.error(ctx.path, 'orbs must be a map of alias to orb reference (namespace/name@version) or inline orb');
    return;
  }
  if (ctx.depth > MAX_DEPTH) {
    sink.error(ctx.path, `orbs import each other more than ${MAX_DEPTH} levels deep`);
    return;
  }
  await Promise.all(Object.entries(imports).map(async ([alias, ref]) => {
    const path = ctx.label ? ctx.path : childPath(ctx.path, alias);
    const label = ctx.label ? `${ctx.label}/${alias}` : alias;
    let body: Record<string, unknown> | string;
    if (isRecord(ref)) {
      body = ref;
    } else if (typeof ref === 'string') {
      const text = interpolate(ref, { scope: ctx.opts.pipeline, onError: (p, m) => sink.error(p, m) }, path);
      body = await fetchOrb(String(text), { ctx, alias });
    } else {
      body = `orb "${alias}" must be a reference like circleci/node@5.0 or an inline orb map`;
    }
    if (typeof body === 'string') {
      sink.error(path, body + where);
      ctx.into.failed.add(alias);
      return;
    }
    const orbs = new Map<string, Scope>();
    const failed = new Set<string>();
    const scope = scopeFromBody(body, { label, orbs, failedOrbs: failed, root: ctx.root });
    ctx.into.orbs.set(alias, scope);
    await loadImports(body.orbs, { ...ctx, into: { orbs, failed }, path, label, depth: ctx.depth + 1 });
  }));
}

function fetchOrb(text: string, at: { ctx: ImportContext; alias: string }): Promise<Record<string, unknown> | string> {
  const cached = at.ctx.loaded.get(text);
  if (cached) return cached;
  const p = fetchOrbUncached(text, at);
  at.ctx.loaded.set(text, p);
  return p;
}

async function fetchOrbUncached(text: string, at: { ctx: ImportContext; alias: string }): Promise<Record<string, unknown> | string> {
  if (/^https?:\/\//.test(text)) return `orb ${text} is not available: orbs by URL are not supported by Kiln; use namespace/name@version with an orb directory`;
  const ref = parseOrbRef(text);
  if (!ref) return `orb reference "${text}" for alias "${at.alias}" is not valid: use namespace/name@version (X, X.Y, X.Y.Z, volatile or dev:label)`;
  const full = `${ref.namespace}/${ref.name}@${ref.version}`;
  const source = at.ctx.opts.source;
  if (!source) return `orb ${full} is not available: no orb source is configured`;
  let got;
  try {
    got = await source.resolve(ref);
  } catch (err) {
    return `orb ${full} is not available: ${(err as Error).message}`;
  }
  if ('error' in got) return `orb ${full} is not available: ${got.error}`;
  if (got.warning) at.ctx.opts.sink.warn(childPath('orbs', at.alias), got.warning);
  const parsed = parseOrbSource(got.source);
  if (typeof parsed === 'string') return `orb ${full} (${got.file}) could not be read: ${parsed}`;
  return parsed;
}

const orbCache = new Map<string, Record<string, unknown> | string>();

/** Parses orb YAML; bodies are cached by source text (orbs are immutable and shared). */
function parseOrbSource(source: string): Record<string, unknown> | string {
  const hit = orbCache.get(source);
  if (hit !== undefined) return hit;
  const r = parseYaml(source);
  let out: Record<string, unknown> | string;
  if (!r.ok) out = r.errors.map((e) => `line ${e.line}, column ${e.column}: ${e.message}`).join('; ');
  else if (!isRecord(r.value)) out = 'an orb must be a YAML map';
  else out = deepFreeze(r.value);
  if (orbCache.size > 64) orbCache.clear();
  orbCache.set(source, out);
  return out;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
