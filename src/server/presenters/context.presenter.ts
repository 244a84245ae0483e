/** @module Contexts, their variables (names and times only) and restrictions, as CircleCI's v2 API shows them. */
import type { ContextEnvVarTable, ContextRestrictionTable, ContextTable } from '../../store/index.js';

export function presentContext(context: ContextTable) {
  return { id: context.id, name: context.name, created_at: context.created_at };
}

export function presentContextVar(row: ContextEnvVarTable) {
  return { variable: row.name, context_id: row.context_id, created_at: row.created_at, updated_at: row.updated_at };
}

export function presentRestriction(row: ContextRestrictionTable) {
  return { id: row.id, context_id: row.context_id, restriction_type: row.restriction_type, restriction_value: row.restriction_value, created_at: row.created_at };
}
