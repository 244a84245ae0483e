/**
 * @module Name resolution for reusable elements. The config and every orb form a {@link Scope};
 * `alias/element` reaches into an imported orb, and a name not found in an orb's own scope
 * falls back to the config root (values passed in from the user's config).
 */

export type ElementKind = 'commands' | 'executors' | 'jobs';

/** One config or orb: its elements and the orbs it imports. */
export interface Scope {
  /** `` for the config, else the orb alias path (`node`, `node/slack`). */
  readonly label: string;
  readonly commands: Readonly<Record<string, unknown>>;
  readonly executors: Readonly<Record<string, unknown>>;
  readonly jobs: Readonly<Record<string, unknown>>;
  readonly orbs: ReadonlyMap<string, Scope>;
  /** Aliases whose orb failed to load (already reported); references to them stay quiet. */
  readonly failedOrbs: ReadonlySet<string>;
  readonly root?: Scope;
}

/** A resolved command, executor or job with the scope its body must be resolved in. */
export interface Element {
  readonly kind: ElementKind;
  /** As a user would write it from the config root, e.g. `node/install-packages`. */
  readonly qualifiedName: string;
  readonly def: unknown;
  readonly scope: Scope;
}

export type Lookup = { found: Element } | { missing: 'unknown' | 'failed-orb' };

/** Resolves `name` (plain or `alias/element`) from `scope`, then from the config root. */
export function lookup(scope: Scope, opts: { kind: ElementKind; name: string }): Lookup {
  const here = lookupIn(scope, opts);
  if ('found' in here || !scope.root || scope.root === scope) return here;
  const there = lookupIn(scope.root, opts);
  if ('found' in there) return there;
  return here.missing === 'failed-orb' ? here : there;
}

function lookupIn(scope: Scope, opts: { kind: ElementKind; name: string }): Lookup {
  const slash = opts.name.indexOf('/');
  if (slash === -1) {
    const table = scope[opts.kind];
    if (!Object.prototype.hasOwnProperty.call(table, opts.name)) return { missing: 'unknown' };
    const qualifiedName = scope.label ? `${scope.label}/${opts.name}` : opts.name;
    return { found: { kind: opts.kind, qualifiedName, def: table[opts.name], scope } };
  }
  const alias = opts.name.slice(0, slash);
  const rest = opts.name.slice(slash + 1);
  if (scope.failedOrbs.has(alias)) return { missing: 'failed-orb' };
  const orb = scope.orbs.get(alias);
  if (!orb || rest.includes('/')) return { missing: 'unknown' };
  return lookupIn(orb, { kind: opts.kind, name: rest });
}

/** Builds a scope from a config or orb body (its `commands`, `executors`, `jobs`). */
export function scopeFromBody(body: Record<string, unknown>, opts: { label: string; orbs: Map<string, Scope>; failedOrbs: Set<string>; root?: Scope }): Scope {
  return {
    label: opts.label,
    commands: asRecord(body.commands),
    executors: asRecord(body.executors),
    jobs: asRecord(body.jobs),
    orbs: opts.orbs,
    failedOrbs: opts.failedOrbs,
    root: opts.root,
  };
}

/** A plain object (not array/null) or `{}`. */
export function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** True for plain mappings. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
