/**
 * @module Table types of issue #3: the orb store, scheduled triggers and setup-pipeline
 * continuations (migrations 0004-orbs and 0005-schedules).
 */

/** One published orb version. Versions are immutable: a (namespace, name, version) is written once per organisation. */
export interface OrbTable {
  id: string;
  /** Orbs are private to an organisation: its pipelines resolve only its own orbs. */
  org_id: string;
  namespace: string;
  name: string;
  /** `X.Y.Z` or `dev:<label>`. */
  version: string;
  /** The orb's YAML, as published. */
  source: string;
  published_at: string;
  /** Email of the user who published it. */
  publisher: string;
}

/**
 * A scheduled trigger. `kind: 'api'` rows are CircleCI scheduled pipelines (`/project/{slug}/schedule`);
 * `kind: 'config'` rows mirror a legacy `triggers: schedule` of the default branch's config
 * (kept in sync by the scheduler; never exposed by the schedule API).
 */
export interface ScheduleTable {
  id: string;
  org_id: string;
  project_id: string;
  kind: 'api' | 'config';
  /** Unique per project and kind. Config rows: `<workflow>@<branch> <cron>`. */
  name: string;
  description: string;
  /** JSON CircleCI timetable, or null when the schedule was given as a cron expression. */
  timetable: string | null;
  /** Five-field UTC cron (computed from the timetable when one was given). */
  cron: string;
  /** The user pipelines are attributed to (`attribution-actor: current`), or null (`system`). */
  actor_id: string | null;
  /** JSON: `branch` or `tag`, plus pipeline parameters. */
  parameters: string;
  /** Config rows: the workflow to run. */
  workflow: string | null;
  /** When it fires next; claimed with a guarded update so one replica fires each time. */
  next_run_at: string;
  last_run_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A setup pipeline (`setup: true`) that may be continued once, until `expires_at`. */
export interface PipelineContinuationTable {
  pipeline_id: string;
  org_id: string;
  /** JSON string[]: pipeline parameters the setup config declares. */
  setup_parameters: string;
  expires_at: string;
  /** Set (once, guarded) when the pipeline is continued. */
  continued_at: string | null;
  created_at: string;
}

/** A continuation key handed to one task of a setup workflow; only its SHA-256 is stored. */
export interface ContinuationKeyTable {
  key_hash: string;
  pipeline_id: string;
  task_id: string;
  created_at: string;
}

export interface TriggersDatabase {
  orbs: OrbTable;
  schedules: ScheduleTable;
  pipeline_continuations: PipelineContinuationTable;
  continuation_keys: ContinuationKeyTable;
}
