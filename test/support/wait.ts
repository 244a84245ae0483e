/** Polling for tests: waits until `probe` returns something other than undefined. */

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Treat a throwing probe as "not yet" (e.g. while a server restarts). */
  ignoreErrors?: boolean;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!options.ignoreErrors) throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
