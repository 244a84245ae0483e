/**
 * @module A small History-API router: the current path as state, `navigate()`, `<Link>`, and
 * `matchRoute()` for `/:param` patterns. Enough for a dozen pages without a dependency.
 */
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

const listeners = new Set<() => void>();

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

/** The current location (path + search), re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

/** Matches `/a/:b/c` against a path; returns the decoded params or null. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(have[i]!);
      } catch {
        return null;
      }
    } else if (part !== have[i]) return null;
  }
  return params;
}

export function Link(props: { to: string; className?: string; children: ReactNode; title?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return <a href={props.to} className={props.className} title={props.title} onClick={onClick}>{props.children}</a>;
}

/** Web paths for API resources (job pages match the API's `web_url`: `/<slug>/jobs/<n>`). */
export const paths = {
  projects: () => '/',
  project: (slug: string) => `/${slug}`,
  pipeline: (slug: string, id: string) => `/${slug}/pipelines/${id}`,
  job: (slug: string, number: number) => `/${slug}/jobs/${number}`,
  projectSettings: (slug: string) => `/${slug}/settings`,
};
