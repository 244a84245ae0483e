/**
 * @module Public face of the config module. Pure: no I/O. Orbs arrive through an {@link OrbSource}
 * supplied by the caller (server: the orb store; CLI: `--orb-dir`).
 */
export type * from './plan.js';
export { freezePlan } from './plan.js';
export { processConfig, type ProcessConfigInput, type ProcessConfigResult, type OrbSource } from './process-config.js';
