/** @module Project environment variables as CircleCI lists them: the value only as `xxxx` (+ last 4 of long values). */
import type { ProjectEnvVarTable } from '../../store/index.js';

export interface EnvVarView {
  name: string;
  value: string;
  created_at: string;
}

/** `display` is the masked form computed by the service; the row's ciphertext never leaves. */
export function presentEnvVar(row: ProjectEnvVarTable, display: string): EnvVarView {
  return { name: row.name, value: display, created_at: row.created_at };
}
