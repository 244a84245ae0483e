/**
 * @module The ordered list of migrations. Add new ones at the end with the next number;
 * never edit one that has shipped.
 */
import type { Migration } from 'kysely';
import * as core from './0001-core.js';
import * as secrets from './0002-secrets.js';
import * as audit from './0003-audit.js';
import * as orbs from './0004-orbs.js';
import * as schedules from './0005-schedules.js';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-core': core,
  '0002-secrets': secrets,
  '0003-audit': audit,
  '0004-orbs': orbs,
  '0005-schedules': schedules,
};
