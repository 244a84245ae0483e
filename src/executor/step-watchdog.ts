/**
 * @module Shared by every executor: stops a step that printed nothing for too long, or whose
 * job was canceled, and remembers which of the two happened.
 */

export interface StepWatchdog {
  /** Call on every output: restarts the no-output timer. */
  activity(): void;
  readonly timedOut: boolean;
  readonly canceled: boolean;
  /** Stops the timer and the cancel listener; call once the step has ended. */
  dispose(): void;
}

export function watchStep(options: { noOutputTimeoutMs: number; signal?: AbortSignal; stop(): void }): StepWatchdog {
  let timer: NodeJS.Timeout | undefined;
  const state = { timedOut: false, canceled: false };
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { state.timedOut = true; options.stop(); }, options.noOutputTimeoutMs);
  };
  const onAbort = () => { state.canceled = true; options.stop(); };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  arm();
  return {
    activity: arm,
    get timedOut() { return state.timedOut; },
    get canceled() { return state.canceled; },
    dispose: () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}
