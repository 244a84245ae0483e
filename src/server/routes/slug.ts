/** @module Project slugs (`<vcs>/<org>/<name>`) arrive as three path segments. */
export interface SlugParams {
  vcs: string;
  org: string;
  name: string;
}

export const SLUG_PATH = '/api/v2/project/:vcs/:org/:name';

export function slugOf(params: SlugParams): string {
  return `${params.vcs}/${params.org}/${params.name}`;
}
