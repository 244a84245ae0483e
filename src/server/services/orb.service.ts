/**
 * @module The orb store (issue #3): publish immutable orb versions, list and read them, and the
 * server-side {@link OrbSource} that resolves a config's `ns/name@ref` against an organisation's
 * published versions (`X.Y.Z` exact; `X`, `X.Y` highest match; `volatile` highest; `dev:label`).
 */
import { parse as parseYamlText } from 'yaml';
import { parseOrbRef, type OrbSource } from '../../config/index.js';
import { AppError, errors } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { nowIso } from '../../shared/time.js';
import type { OrbTable, Repositories } from '../../store/index.js';
import type { UserPrincipal } from '../http/principal.js';

/** Why an orb could not be resolved; the compiler prefixes `orb ns/name@ref is not available: `. */
export const ORB_NOT_IN_STORE = "not in this server's orb store (publish it with kiln orb publish or import it with kiln orb import)";

const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;
const DEV = /^dev:[A-Za-z0-9_.-]{1,100}$/;
const ORB_KEYS = new Set(['version', 'description', 'display', 'orbs', 'commands', 'executors', 'jobs', 'examples']);
export const MAX_ORB_BYTES = 4 * 1024 * 1024;

/** What the API shows of a version (never the source, except from the single-version endpoint). */
export interface OrbVersionView {
  namespace: string;
  name: string;
  version: string;
  published_at: string;
  publisher: string;
}

export interface OrbView {
  namespace: string;
  name: string;
  /** Published versions: semver ones highest first, then `dev:` ones. */
  versions: OrbVersionView[];
}

/** Orders `X.Y.Z` versions highest first; `dev:` versions after them. */
export function compareOrbVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  if (!pa || !pb) return Number(!pa) - Number(!pb) || a.localeCompare(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pb[i]) - Number(pa[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/** Picks the published version a reference means, or undefined. Pure. */
export function resolveOrbVersion(published: readonly string[], ref: string): string | undefined {
  if (ref.startsWith('dev:')) return published.includes(ref) ? ref : undefined;
  const semver = published.filter((v) => SEMVER.test(v)).sort(compareOrbVersions);
  if (ref === 'volatile') return semver[0];
  const want = ref.split('.');
  if (want.length === 3) return published.includes(ref) ? ref : undefined;
  return semver.find((v) => v.split('.').slice(0, want.length).every((part, i) => Number(part) === Number(want[i])));
}

/** Checks that `source` is YAML for an orb: a map of orb keys whose element sections are maps. */
export function checkOrbSource(source: string): void {
  if (Buffer.byteLength(source) > MAX_ORB_BYTES) throw new AppError('payload_too_large', `An orb is at most ${MAX_ORB_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = parseYamlText(source, { version: '1.1', merge: true, uniqueKeys: false });
  } catch (error) {
    throw new AppError('validation_failed', `The orb source is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AppError('validation_failed', 'The orb source must be a YAML map (an orb)');
  const map = doc as Record<string, unknown>;
  const unknown = Object.keys(map).filter((k) => !ORB_KEYS.has(k));
  if (unknown.length > 0) throw new AppError('validation_failed', `Not an orb: unknown top-level key(s) ${unknown.join(', ')}`);
  for (const section of ['orbs', 'commands', 'executors', 'jobs', 'examples']) {
    const value = map[section];
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new AppError('validation_failed', `Not an orb: "${section}" must be a map`);
    }
  }
  if (!['commands', 'executors', 'jobs'].some((k) => map[k] && Object.keys(map[k] as object).length > 0)) {
    throw new AppError('validation_failed', 'Not an orb: it defines no commands, executors or jobs');
  }
}

function present(row: Omit<OrbTable, 'source'>): OrbVersionView {
  return { namespace: row.namespace, name: row.name, version: row.version, published_at: row.published_at, publisher: row.publisher };
}

function checkName(namespace: string, name: string): void {
  if (!SEGMENT.test(namespace) || !SEGMENT.test(name)) {
    throw new AppError('validation_failed', 'Orb namespaces and names are 1-64 letters, digits, "_" or "-", starting with a letter or digit');
  }
}

export class OrbService {
  constructor(private readonly deps: { repos: Repositories }) {}

  /** Publishes a version. Versions are immutable: publishing an existing one answers 409. */
  async publish(principal: UserPrincipal, input: { namespace: string; name: string; version: string; source: string }): Promise<OrbVersionView> {
    checkName(input.namespace, input.name);
    if (!SEMVER.test(input.version) && !DEV.test(input.version)) {
      throw new AppError('validation_failed', 'An orb version is X.Y.Z (semantic version) or dev:<label>');
    }
    if (!parseOrbRef(`${input.namespace}/${input.name}@${input.version}`)) throw new AppError('validation_failed', 'Not a valid orb reference');
    checkOrbSource(input.source);
    const row: OrbTable = {
      id: newId(), org_id: principal.orgId, namespace: input.namespace, name: input.name, version: input.version,
      source: input.source, published_at: nowIso(), publisher: principal.email,
    };
    if (!(await this.deps.repos.orbs.publish(row))) {
      throw errors.conflict(`${input.namespace}/${input.name}@${input.version} is already published; orb versions are immutable`);
    }
    return present(row);
  }

  async list(principal: UserPrincipal): Promise<OrbView[]> {
    const byOrb = new Map<string, OrbView>();
    for (const row of await this.deps.repos.orbs.listByOrg(principal.orgId)) {
      const key = `${row.namespace}/${row.name}`;
      const view = byOrb.get(key) ?? { namespace: row.namespace, name: row.name, versions: [] };
      view.versions.push(present(row));
      byOrb.set(key, view);
    }
    for (const view of byOrb.values()) view.versions.sort((a, b) => compareOrbVersions(a.version, b.version));
    return [...byOrb.values()];
  }

  async versions(principal: UserPrincipal, input: { namespace: string; name: string }): Promise<OrbView> {
    const rows = await this.deps.repos.orbs.listVersions({ orgId: principal.orgId, ...input });
    if (rows.length === 0) throw errors.notFound(`Orb ${input.namespace}/${input.name}`);
    return { namespace: input.namespace, name: input.name, versions: rows.map(present).sort((a, b) => compareOrbVersions(a.version, b.version)) };
  }

  /** One version with its source; `version` may also be a reference (`1`, `1.2`, `volatile`). */
  async get(principal: UserPrincipal, input: { namespace: string; name: string; version: string }): Promise<OrbVersionView & { source: string }> {
    const resolved = await this.resolve(principal.orgId, input);
    if (!resolved) throw errors.notFound(`Orb ${input.namespace}/${input.name}@${input.version}`);
    return { ...present(resolved), source: resolved.source };
  }

  private async resolve(orgId: string, ref: { namespace: string; name: string; version: string }): Promise<OrbTable | undefined> {
    const exact = await this.deps.repos.orbs.get({ orgId, ...ref });
    if (exact) return exact;
    const published = (await this.deps.repos.orbs.listVersions({ orgId, namespace: ref.namespace, name: ref.name })).map((r) => r.version);
    const version = resolveOrbVersion(published, ref.version);
    return version === undefined ? undefined : this.deps.repos.orbs.get({ orgId, namespace: ref.namespace, name: ref.name, version });
  }

  /** The OrbSource pipelines of `orgId` compile with. Never throws: a store failure is reported as the reason. */
  sourceFor(orgId: string): OrbSource {
    return {
      resolve: async (ref) => {
        try {
          const row = await this.resolve(orgId, ref);
          if (!row) return { error: ORB_NOT_IN_STORE };
          return { source: row.source, file: `${row.namespace}/${row.name}@${row.version}` };
        } catch (error) {
          return { error: `the orb store could not be read (${(error as Error).message})` };
        }
      },
    };
  }
}
