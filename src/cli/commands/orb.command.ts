/**
 * @module `kiln orb publish|list|source|import`: the server's orb store.
 *
 * `kiln orb import DIR` publishes every `NAMESPACE__NAME[@VERSION].orb.yml` of a folder (the
 * `--orb-dir` naming rule) in one command. A file's version comes from its name; a file without
 * one takes `--version NAMESPACE/NAME=X.Y.Z` for that orb, else a bare `--version X.Y.Z`; a file
 * with no version at all stops the import before anything is published. A version that is
 * already published with the same source counts as done, so an import can be repeated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { KilnClient } from '../../client/index.js';
import { ApiError } from '../../client/http-client.js';
import { parseOrbRef } from '../../config/index.js';
import { CliError, clientFrom, type CliEnvironment, type Output } from '../cli-context.js';

interface OrbVersionView { namespace: string; name: string; version: string; published_at: string; publisher: string }
interface OrbView { namespace: string; name: string; versions: OrbVersionView[] }

/** One file of an import and the version it is published as. */
export interface PlannedOrb { file: string; namespace: string; name: string; version: string }

const FILE = /^([A-Za-z0-9_-]+)__([A-Za-z0-9_.-]+?)(?:@([^/]+))?\.orb\.yml$/;

/** Plans an import of `files` (names) with `--version` specs. Throws a CliError listing every file without a version. */
export function planOrbImport(files: readonly string[], specs: readonly string[]): PlannedOrb[] {
  const perOrb = new Map<string, string>();
  let fallback: string | undefined;
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 0) fallback = spec;
    else perOrb.set(spec.slice(0, eq).toLowerCase(), spec.slice(eq + 1));
  }
  const planned: PlannedOrb[] = [];
  const missing: string[] = [];
  for (const file of [...files].sort()) {
    const m = FILE.exec(file);
    if (!m) continue;
    const [, namespace, name, fromName] = m as unknown as [string, string, string, string | undefined];
    const version = fromName ?? perOrb.get(`${namespace}/${name}`.toLowerCase()) ?? fallback;
    if (!version) { missing.push(file); continue; }
    if (!parseOrbRef(`${namespace}/${name}@${version}`) || !/^(\d+\.\d+\.\d+|dev:.+)$/.test(version)) {
      throw new CliError(`${file}: "${version}" is not a publishable version (X.Y.Z or dev:label)`);
    }
    planned.push({ file, namespace, name, version });
  }
  if (missing.length > 0) {
    throw new CliError(`No version for ${missing.join(', ')}: name the file NAMESPACE__NAME@X.Y.Z.orb.yml, or pass --version NAMESPACE/NAME=X.Y.Z (or --version X.Y.Z for all)`);
  }
  return planned;
}

async function publish(client: KilnClient, orb: Omit<PlannedOrb, 'file'> & { source: string }): Promise<'published' | 'unchanged'> {
  try {
    await client.http.call('POST', '/api/v2/orbs', { body: orb });
    return 'published';
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    const existing = await client.http.call<{ source: string }>('GET', `/api/v2/orbs/${orb.namespace}/${orb.name}/${encodeURIComponent(orb.version)}`);
    if (existing.source === orb.source) return 'unchanged';
    throw new CliError(`${orb.namespace}/${orb.name}@${orb.version} is already published with a different source; orb versions are immutable`);
  }
}

export function registerOrbCommands(program: Command, env: () => CliEnvironment, output: Output): void {
  const orb = program.command('orb').description("The server's orb store (orbs your pipelines can use)");
  const run = async (work: (client: KilnClient) => Promise<void>) => {
    const client = clientFrom(env(), output);
    try { await work(client); } finally { await client.close(); }
  };
  orb.command('publish <ref> <file>').description('Publish FILE as NAMESPACE/NAME@X.Y.Z (or @dev:label); versions are immutable')
    .action((ref: string, file: string) => run(async (client) => {
      const parsed = parseOrbRef(ref);
      if (!parsed) throw new CliError(`"${ref}" is not NAMESPACE/NAME@VERSION`);
      await client.http.call('POST', '/api/v2/orbs', { body: { ...parsed, source: readFileSync(file, 'utf8') } });
      output.out(`Published ${parsed.namespace}/${parsed.name}@${parsed.version}`);
    }));
  orb.command('list').description('List published orbs and their versions').action(() => run(async (client) => {
    for (const o of (await client.http.call<{ items: OrbView[] }>('GET', '/api/v2/orbs')).items) {
      output.out(`${o.namespace}/${o.name}\t${o.versions.map((v) => v.version).join(', ')}`);
    }
  }));
  orb.command('source <ref>').description('Print the source of NAMESPACE/NAME@VERSION (X, X.Y and volatile resolve)')
    .action((ref: string) => run(async (client) => {
      const parsed = parseOrbRef(ref);
      if (!parsed) throw new CliError(`"${ref}" is not NAMESPACE/NAME@VERSION`);
      output.out((await client.http.call<{ source: string }>('GET', `/api/v2/orbs/${parsed.namespace}/${parsed.name}/${encodeURIComponent(parsed.version)}`)).source);
    }));
  orb.command('import <dir>').description('Publish every NAMESPACE__NAME[@VERSION].orb.yml of a folder')
    .option('--version <spec...>', 'version of files without @VERSION: NAMESPACE/NAME=X.Y.Z for one orb, or X.Y.Z for all', [])
    .action((dir: string, options: { version: string[] }) => run(async (client) => {
      const planned = planOrbImport(readdirSync(dir), options.version);
      if (planned.length === 0) throw new CliError(`No NAMESPACE__NAME[@VERSION].orb.yml files in ${dir}`);
      for (const p of planned) {
        const outcome = await publish(client, { namespace: p.namespace, name: p.name, version: p.version, source: readFileSync(join(dir, p.file), 'utf8') });
        output.out(`${outcome === 'published' ? 'Published' : 'Unchanged'} ${p.namespace}/${p.name}@${p.version}\t${p.file}`);
      }
    }));
}
