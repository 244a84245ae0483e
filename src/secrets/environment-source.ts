/**
 * @module Delivers project and context secrets to a job at claim time (the server's
 * `SecretEnvironmentSource`), after checking every context restriction. Every check fails closed:
 * a missing context, an unknown restriction type, an actor that cannot be determined or a value that
 * cannot be decrypted ends the job `unauthorized` with the reason, and nothing is delivered.
 *
 * Precedence (lowest first): project variables, then contexts in the order the job lists them;
 * built-ins are applied above these by the caller. Pipelines from fork pull requests receive no
 * secrets unless the project opted in.
 */
import { isAppError } from '../shared/errors.js';
import type { JobTable, PipelineTable, ProjectTable, Repositories } from '../store/index.js';
import { contextVarOwner, projectVarOwner, sshKeyOwner } from './owners.js';
import type { SecretKeys } from './secret-keys.js';
import type { TaskMaskers } from './task-masker.js';

/** What a job receives (structurally the server's `ResolvedEnvironment`). */
export interface JobSecrets {
  environment: Record<string, string>;
  maskValues: string[];
  unauthorized?: string;
  /** The project's checkout key, for ssh remotes. */
  checkout?: { sshPrivateKey: string; knownHosts: string };
  /** Keys requested by `add_ssh_keys`. */
  sshKeys?: Array<{ fingerprint: string; privateKey: string }>;
}

export interface JobInput {
  job: JobTable;
  project: ProjectTable;
  pipeline: PipelineTable;
}

const SSH_REMOTE = /^(ssh:\/\/|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)/;

/** Creates the source; `maskers` (optional) learns each task's values for server-side re-masking. */
export function secretsEnvironmentSource(deps: { repos: Repositories; keys: SecretKeys; maskers?: TaskMaskers }) {
  return {
    async forJob(input: JobInput): Promise<JobSecrets> {
      const result = await resolveJobSecrets(deps, input);
      if (!result.unauthorized && deps.maskers) {
        const tasks = await deps.repos.tasks.listByJob(input.job.id);
        for (const task of tasks) deps.maskers.register(task.id, result.maskValues);
      }
      return result;
    },
  };
}

/** Resolves a job's secrets (also used to rebuild mask values on another replica). */
export async function resolveJobSecrets(deps: { repos: Repositories; keys: SecretKeys }, input: JobInput): Promise<JobSecrets> {
  const { repos, keys } = deps;
  const { job, project, pipeline } = input;
  const denied = (reason: string): JobSecrets => ({ environment: {}, maskValues: [], unauthorized: reason });
  const contextNames = parseNames(job.contexts);
  if (contextNames === undefined) return denied('The job\'s context list is unreadable');

  const origin = await repos.pipelineOrigins.get(pipeline.id);
  const settings = await repos.projectSettings.get(project.id);
  if (origin?.from_fork === 1 && settings.fork_pr_secrets !== 1) {
    // Fork pull requests get no secrets at all unless the project opted in.
    return { environment: {}, maskValues: [] };
  }

  const environment: Record<string, string> = {};
  const maskValues = new Set<string>();
  const open = async (ciphertext: string, owner: Parameters<SecretKeys['decrypt']>[1], label: string): Promise<string | JobSecrets> => {
    try {
      return await keys.decrypt(ciphertext, owner);
    } catch (error) {
      return denied(`${label} could not be decrypted: ${isAppError(error) ? error.message : 'unknown error'}`);
    }
  };

  for (const row of await repos.envVars.listByProject(project.id)) {
    const value = await open(row.ciphertext, projectVarOwner(row), `Project variable ${row.name}`);
    if (typeof value !== 'string') return value;
    environment[row.name] = value;
    maskValues.add(value);
  }

  if (contextNames.length > 0) {
    const actors = await actorsToCheck(repos, job, pipeline);
    for (const name of contextNames) {
      const context = await repos.contexts.getByName(job.org_id, name);
      if (!context) return denied(`Context "${name}" does not exist in this organisation`);
      const refusal = await checkRestrictions(repos, { contextId: context.id, contextName: name, projectId: project.id, orgId: job.org_id, actors });
      if (refusal) return denied(refusal);
      for (const row of await repos.contexts.listVars(context.id)) {
        const value = await open(row.ciphertext, contextVarOwner(row), `Context "${name}" variable ${row.name}`);
        if (typeof value !== 'string') return value;
        environment[row.name] = value;
        maskValues.add(value);
      }
    }
  }

  const result: JobSecrets = { environment, maskValues: [] };
  const keysResult = await sshKeys(deps, input, settings.known_hosts);
  if ('unauthorized' in keysResult) return denied(keysResult.unauthorized);
  if (keysResult.checkout) {
    result.checkout = keysResult.checkout;
    maskValues.add(keysResult.checkout.sshPrivateKey);
  }
  if (keysResult.sshKeys.length > 0) {
    result.sshKeys = keysResult.sshKeys;
    for (const key of keysResult.sshKeys) maskValues.add(key.privateKey);
  }
  result.maskValues = [...maskValues];
  return result;
}

/**
 * Whose identity the group restrictions check: the approvers of every approval job this job
 * (transitively) waits for, or the pipeline's trigger actor when there is none. An approval job
 * without a recorded approver yields `null`, which no group admits.
 */
async function actorsToCheck(repos: Repositories, job: JobTable, pipeline: PipelineTable): Promise<Array<string | null>> {
  const jobs = await repos.jobs.listByWorkflow(job.workflow_id);
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const seen = new Set<string>();
  const approvers: Array<string | null> = [];
  const visit = (current: JobTable) => {
    for (const name of requirementNames(current.requires)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const upstream = byName.get(name);
      if (!upstream) continue;
      if (upstream.type === 'approval') approvers.push(upstream.approved_by);
      visit(upstream);
    }
  };
  visit(job);
  return approvers.length > 0 ? approvers : [pipeline.trigger_actor_id];
}

async function checkRestrictions(
  repos: Repositories,
  input: { contextId: string; contextName: string; projectId: string; orgId: string; actors: Array<string | null> },
): Promise<string | undefined> {
  const restrictions = await repos.contexts.listRestrictions(input.contextId);
  const groups = restrictions.filter((r) => r.restriction_type === 'group').map((r) => r.restriction_value);
  const projects = restrictions.filter((r) => r.restriction_type === 'project').map((r) => r.restriction_value);
  const unknown = restrictions.find((r) => r.restriction_type !== 'group' && r.restriction_type !== 'project');
  if (unknown) return `Context "${input.contextName}" has a restriction of unsupported type "${unknown.restriction_type}"`;
  if (projects.length > 0 && !projects.includes(input.projectId)) {
    return `Context "${input.contextName}" is restricted to other projects`;
  }
  if (groups.length > 0) {
    for (const actor of input.actors) {
      const user = actor ? await repos.users.getById(actor) : undefined;
      if (!user || user.org_id !== input.orgId) {
        return `Context "${input.contextName}" is restricted to security groups and the ${input.actors.length > 0 ? 'approver or trigger actor' : 'actor'} is unknown`;
      }
      const memberOf = new Set(await repos.groups.groupIdsOf(user.id));
      if (!groups.some((g) => memberOf.has(g))) {
        return `Context "${input.contextName}" is restricted to security groups that ${user.email} is not a member of`;
      }
    }
  }
  return undefined;
}

async function sshKeys(
  deps: { repos: Repositories; keys: SecretKeys },
  input: JobInput,
  knownHosts: string,
): Promise<{ unauthorized: string } | { checkout?: { sshPrivateKey: string; knownHosts: string }; sshKeys: Array<{ fingerprint: string; privateKey: string }> }> {
  const wanted = requestedFingerprints(input.job.plan);
  const needsCheckoutKey = SSH_REMOTE.test(input.project.repo_url);
  if (!needsCheckoutKey && wanted === undefined) return { sshKeys: [] };
  const rows = await deps.repos.checkoutKeys.listByProject(input.project.id);
  const open = async (row: (typeof rows)[number]) => deps.keys.decrypt(row.private_key_ciphertext, sshKeyOwner(row));
  try {
    let checkout: { sshPrivateKey: string; knownHosts: string } | undefined;
    const deploy = rows.find((r) => r.type === 'deploy-key');
    if (needsCheckoutKey && deploy) checkout = { sshPrivateKey: await open(deploy), knownHosts };
    const extra: Array<{ fingerprint: string; privateKey: string }> = [];
    if (wanted !== undefined) {
      const chosen = wanted.length === 0 ? rows : wanted.map((fp) => rows.find((r) => r.fingerprint === fp || r.fingerprint === `SHA256:${fp}`));
      for (const [i, row] of chosen.entries()) {
        if (!row) return { unauthorized: `add_ssh_keys: this project has no SSH key with fingerprint ${wanted[i]}` };
        extra.push({ fingerprint: row.fingerprint, privateKey: await open(row) });
      }
    }
    return { checkout, sshKeys: extra };
  } catch (error) {
    return { unauthorized: `An SSH key could not be decrypted: ${isAppError(error) ? error.message : 'unknown error'}` };
  }
}

/** Fingerprints named by `add_ssh_keys` steps; `[]` means "all keys"; undefined when there is no such step. */
function requestedFingerprints(planJson: string | null): string[] | undefined {
  if (!planJson) return undefined;
  let plan: { steps?: Array<{ kind?: string; args?: { fingerprints?: unknown } }> };
  try {
    plan = JSON.parse(planJson) as typeof plan;
  } catch {
    return undefined;
  }
  let found: string[] | undefined;
  for (const step of plan.steps ?? []) {
    if (step.kind !== 'add_ssh_keys') continue;
    found ??= [];
    const list = step.args?.fingerprints;
    if (Array.isArray(list)) for (const fp of list) if (typeof fp === 'string') found.push(fp);
  }
  return found;
}

function parseNames(json: string): string[] | undefined {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

function requirementNames(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    if (!Array.isArray(value)) return [];
    return value.map((r) => (typeof r === 'string' ? r : (r as { job?: string; name?: string })?.job ?? (r as { name?: string })?.name))
      .filter((n): n is string => typeof n === 'string');
  } catch {
    return [];
  }
}
