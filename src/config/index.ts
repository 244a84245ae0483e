/**
 * @module Public face of the config module. Pure: no I/O. Orbs arrive through an {@link OrbSource}
 * supplied by the caller (server: the orb store; CLI: `--orb-dir`, via {@link orbSourceFromFiles}).
 */
export type * from './plan.js';
export { freezePlan } from './plan.js';
export { processConfig, type ProcessConfigInput, type ProcessConfigResult, type OrbSource } from './process-config.js';
export { orbSourceFromFiles, type OrbRequest, type OrbResolution } from './orb-source.js';
export { expandConfig, validateConfig, defaultPipelineValues, type ExpandConfigInput, type ExpandConfigResult } from './expand-config.js';
export { scheduledWorkflows, type ScheduledWorkflow } from './schedules.js';
export { parseOrbRef, type OrbRef } from './orbs.js';
