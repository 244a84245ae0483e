/**
 * @module Server-side re-masking of job output, per task (defence in depth behind the runner's masker).
 *
 * The values are those delivered to the task (registered at claim time). Each task keeps one
 * streaming masker in memory, so an occurrence that completes in a later chunk still has its
 * remainder masked; output is never delayed (the server stores what it receives). A replica that
 * did not hand out the task rebuilds the values through `load` on its first chunk; when nothing
 * can be loaded it masks with what it has. Step names go through {@link TaskMaskers.maskText}.
 */
import { createMasker, maskAll, type Masker } from './masker.js';

interface Entry {
  values: readonly string[];
  masker: Masker;
}

export interface TaskMaskersOptions {
  /** Rebuilds a task's mask values (another replica claimed it, or this process restarted). */
  load(taskId: string): Promise<readonly string[]>;
  /** Tasks kept in memory before the least recently used is dropped (it reloads on demand). */
  capacity?: number;
}

export class TaskMaskers {
  readonly #entries = new Map<string, Entry>();
  readonly #capacity: number;

  constructor(private readonly options: TaskMaskersOptions) {
    this.#capacity = options.capacity ?? 2000;
  }

  /** Records the values delivered to a task (replaces earlier state for it). */
  register(taskId: string, values: readonly string[]): void {
    this.#entries.delete(taskId);
    this.#entries.set(taskId, { values: [...values], masker: createMasker(values) });
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Masks the next chunk of a task's log stream. */
  async maskChunk(taskId: string, data: string): Promise<string> {
    const entry = await this.#entry(taskId);
    return entry.masker.push(data) + entry.masker.drain();
  }

  /** Masks a standalone text of a task (a step name, a test result) without touching the stream state. */
  async maskText(taskId: string, text: string): Promise<string> {
    return maskAll(text, (await this.#entry(taskId)).values);
  }

  /** Forgets a finished task. */
  forget(taskId: string): void {
    this.#entries.delete(taskId);
  }

  async #entry(taskId: string): Promise<Entry> {
    const existing = this.#entries.get(taskId);
    if (existing) {
      this.#entries.delete(taskId);
      this.#entries.set(taskId, existing);
      return existing;
    }
    this.register(taskId, await this.options.load(taskId));
    return this.#entries.get(taskId) as Entry;
  }
}
