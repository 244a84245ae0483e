/**
 * @module Built-in steps (after expansion) → StepPlan, with validation of their arguments.
 */
import type { GenericStepKind, StepCondition, StepPlan } from './plan.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { isRecord } from './scope.js';
import { parseDuration } from './duration.js';
import { toEnvironment } from './environment.js';
import type { ExpandedStep } from './expand-steps.js';

const DEFAULT_NAMES: Readonly<Record<string, string>> = {
  checkout: 'Checkout code',
  save_cache: 'Saving cache',
  restore_cache: 'Restoring cache',
  persist_to_workspace: 'Persisting to workspace',
  attach_workspace: 'Attaching workspace',
  store_artifacts: 'Uploading artifacts',
  store_test_results: 'Uploading test results',
  add_ssh_keys: 'Installing SSH keys',
  setup_remote_docker: 'Setting up remote Docker engine',
  deploy: 'Deploy',
};

const GENERIC = new Set<GenericStepKind>([
  'save_cache', 'restore_cache', 'persist_to_workspace', 'attach_workspace', 'store_artifacts',
  'store_test_results', 'add_ssh_keys', 'setup_remote_docker', 'deploy',
]);

const DEFAULT_TIMEOUT = 600;

/** Compiles expanded steps; bad steps become problems and are left out. */
export function compileSteps(steps: readonly ExpandedStep[], at: { sink: ProblemSink; path: string }): StepPlan[] {
  const out: StepPlan[] = [];
  steps.forEach((step, i) => {
    const plan = compileStep(step, { sink: at.sink, path: childPath(at.path, i) });
    if (plan) out.push(plan);
  });
  return out;
}

function condition(v: unknown, at: { sink: ProblemSink; path: string }): StepCondition {
  if (v === undefined || v === null) return 'on_success';
  if (v === 'on_success' || v === 'on_fail' || v === 'always') return v;
  at.sink.error(childPath(at.path, 'when'), `when must be on_success, on_fail or always, got ${JSON.stringify(v)}`);
  return 'on_success';
}

function compileStep(step: ExpandedStep, at: { sink: ProblemSink; path: string }): StepPlan | undefined {
  const kind = Object.keys(step)[0];
  const raw = step[kind];
  const path = childPath(at.path, kind);
  if (kind === 'run') return compileRun(raw, { sink: at.sink, path });
  const args = isRecord(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isRecord(raw)) {
    at.sink.error(path, `${kind} takes a map of arguments`);
    return undefined;
  }
  const name = typeof args.name === 'string' ? args.name : DEFAULT_NAMES[kind] ?? kind;
  const when = condition(args.when, { sink: at.sink, path });
  if (kind === 'checkout') {
    return { kind: 'checkout', name, when, ...(typeof args.path === 'string' ? { path: args.path } : {}) };
  }
  const rest = Object.fromEntries(Object.entries(args).filter(([k]) => k !== 'name' && k !== 'when'));
  checkGeneric(kind, { args: rest, sink: at.sink, path });
  return { kind: GENERIC.has(kind as GenericStepKind) ? (kind as GenericStepKind) : 'unsupported', name, when, args: rest };
}

function checkGeneric(kind: string, at: { args: Record<string, unknown>; sink: ProblemSink; path: string }): void {
  const need = (key: string): void => {
    if (at.args[key] === undefined || at.args[key] === null) at.sink.error(childPath(at.path, key), `${kind} needs ${key}:`);
  };
  if (kind === 'save_cache') { need('key'); need('paths'); }
  if (kind === 'restore_cache' && at.args.key === undefined && at.args.keys === undefined) at.sink.error(at.path, 'restore_cache needs key: or keys:');
  if (kind === 'persist_to_workspace') { need('root'); need('paths'); }
  if (kind === 'attach_workspace') need('at');
  if (kind === 'store_artifacts' || kind === 'store_test_results') need('path');
}

function compileRun(raw: unknown, at: { sink: ProblemSink; path: string }): StepPlan | undefined {
  if (typeof raw === 'string') {
    return { kind: 'run', name: raw, when: 'on_success', command: raw, environment: {}, background: false, noOutputTimeoutSeconds: DEFAULT_TIMEOUT };
  }
  if (!isRecord(raw) || typeof raw.command !== 'string') {
    at.sink.error(at.path, 'run needs a command: a string, or a map with command:');
    return undefined;
  }
  const command = raw.command;
  let timeout = DEFAULT_TIMEOUT;
  if (raw.no_output_timeout !== undefined && raw.no_output_timeout !== null) {
    const t = parseDuration(raw.no_output_timeout);
    if (t === undefined) at.sink.error(childPath(at.path, 'no_output_timeout'), `no_output_timeout must be a number with a unit s, m or h (e.g. 10m, 1.25h), got ${JSON.stringify(raw.no_output_timeout)}`);
    else timeout = t;
  }
  const background = raw.background === undefined || raw.background === null ? false : raw.background;
  if (typeof background !== 'boolean') at.sink.error(childPath(at.path, 'background'), 'background must be true or false');
  const plan: StepPlan = {
    kind: 'run',
    name: typeof raw.name === 'string' ? raw.name : command,
    when: condition(raw.when, at),
    command,
    environment: toEnvironment(raw.environment, { sink: at.sink, path: childPath(at.path, 'environment') }),
    background: background === true,
    noOutputTimeoutSeconds: timeout,
    ...(typeof raw.working_directory === 'string' ? { workingDirectory: raw.working_directory } : {}),
    ...(typeof raw.shell === 'string' ? { shell: raw.shell } : {}),
  };
  return plan;
}
