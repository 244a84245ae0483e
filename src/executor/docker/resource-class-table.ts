/**
 * @module The operator's resource-class table (`--resource-classes FILE`, JSON):
 *
 *   { "medium": { "memory": "4GiB", "cpus": 2, "pids": 2048 },
 *     "docker-build": { "memory": "8GiB", "cpus": 2, "pids": 4096, "privileged": true } }
 *
 * `memory` takes a number of bytes or a string with KiB/MiB/GiB (or k/m/g); `cpus` may be
 * fractional. A class marked `privileged` runs only on runners that opt in.
 */
import { ExecutorError } from '../executor.js';
import { validateResourceClasses, type ResourceClassPolicy } from './docker-executor.js';

const UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

function parseMemory(value: unknown, where: string): number {
  if (typeof value === 'number') return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new ExecutorError(`${where}: memory must be bytes or a size like "4GiB", got ${JSON.stringify(value)}`, false);
  return Math.round(Number(match[1]) * unit);
}

/** Parses and checks a resource-class table; throws with the file and class named. */
export function parseResourceClassTable(text: string, source: string): Record<string, ResourceClassPolicy> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ExecutorError(`${source}: not valid JSON (${(error as Error).message.split('\n')[0]})`, false);
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new ExecutorError(`${source}: expected an object of resource classes`, false);
  const table: Record<string, ResourceClassPolicy> = {};
  for (const [name, raw] of Object.entries(document as Record<string, unknown>)) {
    const where = `${source}: resource class "${name}"`;
    if (!/^[a-z0-9][a-z0-9._/-]{0,99}$/i.test(name)) throw new ExecutorError(`${where}: invalid name`, false);
    const entry = (raw ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(entry).filter((k) => !['memory', 'cpus', 'pids', 'privileged'].includes(k));
    if (unknown.length) throw new ExecutorError(`${where}: unknown field(s) ${unknown.join(', ')} (allowed: memory, cpus, pids, privileged)`, false);
    const cpus = Number(entry.cpus);
    table[name] = {
      limits: { memoryBytes: parseMemory(entry.memory, where), nanoCpus: Math.round(cpus * 1e9), pidsLimit: Number(entry.pids) },
      ...(entry.privileged === true ? { privileged: true } : {}),
    };
  }
  validateResourceClasses(table);
  return table;
}
