/**
 * @module An expanded job body → JobPlan: executor, environment, directories, parallelism,
 * resource class and steps, validated after expansion.
 */
import type { DockerImagePlan, ExecutorPlan, JobPlan } from './plan.js';
import type { ProblemSink } from './problems.js';
import { childPath } from './problems.js';
import { isRecord } from './scope.js';
import { toEnvironment } from './environment.js';
import { compileSteps } from './compile-steps.js';
import type { ExpandedStep } from './expand-steps.js';
import { FAILED_EXECUTOR } from './expand-job.js';

/** Compiles a job. Returns undefined (with problems recorded) when it cannot run. */
export function compileJob(body: Record<string | symbol, unknown>, at: { name: string; sink: ProblemSink; path: string }): JobPlan | undefined {
  const { sink, path } = at;
  const executor = compileExecutor(body, { sink, path });
  const steps = Array.isArray(body.steps) ? compileSteps(body.steps as ExpandedStep[], { sink, path: childPath(path, 'steps') }) : [];
  let parallelism = 1;
  if (body.parallelism !== undefined && body.parallelism !== null) {
    const p = typeof body.parallelism === 'string' && /^\d+$/.test(body.parallelism) ? Number(body.parallelism) : body.parallelism;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1) sink.error(childPath(path, 'parallelism'), `parallelism must be a whole number of at least 1, got ${JSON.stringify(body.parallelism)}`);
    else parallelism = p;
  }
  const wd = body.working_directory;
  if (wd !== undefined && typeof wd !== 'string') sink.error(childPath(path, 'working_directory'), 'working_directory must be a string');
  const rc = body.resource_class;
  if (rc !== undefined && typeof rc !== 'string') sink.error(childPath(path, 'resource_class'), 'resource_class must be a string');
  if (body.shell !== undefined && typeof body.shell !== 'string') sink.error(childPath(path, 'shell'), 'shell must be a string');
  if (!executor) return undefined;
  return {
    name: at.name,
    executor,
    environment: toEnvironment(body.environment, { sink, path: childPath(path, 'environment') }),
    workingDirectory: typeof wd === 'string' ? wd : '~/project',
    ...(typeof body.shell === 'string' ? { shell: body.shell } : {}),
    parallelism,
    resourceClass: typeof rc === 'string' ? rc : 'medium',
    steps,
  };
}

function compileExecutor(body: Record<string | symbol, unknown>, at: { sink: ProblemSink; path: string }): ExecutorPlan | undefined {
  const rc = typeof body.resource_class === 'string' ? body.resource_class : '';
  if (body.docker !== undefined) return compileDocker(body.docker, { sink: at.sink, path: childPath(at.path, 'docker') });
  if (body.macos !== undefined) {
    const m = isRecord(body.macos) ? body.macos : {};
    if (m.xcode === undefined || m.xcode === null) at.sink.error(childPath(at.path, 'macos'), 'macos needs xcode: (the Xcode version)');
    return { kind: 'macos', xcode: String(m.xcode ?? '') };
  }
  if (body.machine !== undefined) {
    const m = isRecord(body.machine) ? body.machine : {};
    if (body.machine !== true && !isRecord(body.machine)) at.sink.error(childPath(at.path, 'machine'), 'machine must be true or a map with image:');
    const image = typeof m.image === 'string' ? m.image : undefined;
    const windows = /windows/i.test(image ?? '') || rc.startsWith('windows.') || (typeof m.resource_class === 'string' && m.resource_class.startsWith('windows.'));
    if (windows) return { kind: 'windows', ...(image ? { image } : {}) };
    return { kind: 'machine', ...(image ? { image } : {}) };
  }
  if (body.windows !== undefined) {
    const w = isRecord(body.windows) ? body.windows : {};
    return { kind: 'windows', ...(typeof w.image === 'string' ? { image: w.image } : {}) };
  }
  if (!body[FAILED_EXECUTOR]) at.sink.error(at.path, 'job has no executor: give it docker:, machine:, macos: or executor:');
  return undefined;
}

function stringList(v: unknown, at: { sink: ProblemSink; path: string }): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  at.sink.error(at.path, 'must be a string or a list of strings');
  return undefined;
}

function compileDocker(v: unknown, at: { sink: ProblemSink; path: string }): ExecutorPlan | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    at.sink.error(at.path, 'docker must be a non-empty list of images');
    return undefined;
  }
  const images: DockerImagePlan[] = [];
  v.forEach((raw, i) => {
    const path = childPath(at.path, i);
    if (!isRecord(raw) || typeof raw.image !== 'string' || raw.image === '') {
      at.sink.error(path, 'each docker entry needs image:');
      return;
    }
    const entrypoint = stringList(raw.entrypoint, { sink: at.sink, path: childPath(path, 'entrypoint') });
    const command = stringList(raw.command, { sink: at.sink, path: childPath(path, 'command') });
    const auth = isRecord(raw.auth) ? Object.fromEntries(Object.entries(raw.auth).map(([k, x]) => [k, String(x)])) : undefined;
    images.push({
      image: raw.image,
      ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
      ...(entrypoint ? { entrypoint } : {}),
      ...(command ? { command } : {}),
      ...(raw.user !== undefined && raw.user !== null ? { user: String(raw.user) } : {}),
      environment: toEnvironment(raw.environment, { sink: at.sink, path: childPath(path, 'environment') }),
      ...(auth ? { auth } : {}),
    });
  });
  return { kind: 'docker', images };
}
