/** @module Data-loading hooks shared by the pages. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { live, type LiveStatus } from './api/live.js';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change and on `reload()`; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** The live connection's status. */
export function useLiveStatus(): LiveStatus {
  const [status, setStatus] = useState(live.getStatus());
  useEffect(() => live.onStatus(setStatus), []);
  return status;
}

/** Calls `fn` every `ms` while `active`. */
export function useInterval(fn: () => void, ms: number, active: boolean): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => ref.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}

/**
 * Keeps a view fresh: reloads on any event of `topic` (debounced) while the WebSocket is open,
 * and polls every `pollMs` while it is not (token sign-in, or no live support).
 */
export function useLiveReload(topic: string | undefined, reload: () => void, options: { pollMs: number; active: boolean }): LiveStatus {
  const status = useLiveStatus();
  const ref = useRef(reload);
  ref.current = reload;
  useEffect(() => {
    if (!topic) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = live.subscribe(topic, {
      onMessage: (message) => {
        if (message.type !== 'event') return;
        clearTimeout(timer);
        timer = setTimeout(() => ref.current(), 150);
      },
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [topic]);
  useInterval(() => ref.current(), options.pollMs, options.active && status !== 'open');
  return status;
}
