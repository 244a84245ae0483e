/** @module Whitelists the fields of an API token that leave the server: never the token or its digest. */
import type { ApiTokenTable } from '../../store/index.js';

export interface TokenView {
  id: string;
  name: string;
  scopes: string[];
  project_slug: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function presentToken(row: ApiTokenTable, projectSlug?: string): TokenView {
  return {
    id: row.id, name: row.name, scopes: JSON.parse(row.scopes) as string[], project_slug: projectSlug ?? null,
    created_at: row.created_at, last_used_at: row.last_used_at, revoked_at: row.revoked_at,
  };
}
