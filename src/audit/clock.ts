/**
 * @module Nanosecond timestamps for `occurred_at`. A JS Date holds milliseconds, so the clock reads
 * the monotonic `process.hrtime.bigint()` anchored once to wall time, and timestamps stay strings
 * from then on: they are stored as text and never parsed back into a Date.
 */
import { AppError } from '../shared/errors.js';

/** Produces `occurred_at` values: UTC ISO-8601 with exactly nine fractional digits. */
export interface AuditClock {
  now(): string;
}

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
/** Re-anchor when wall time and the monotonic clock drift apart by more than this (NTP step, suspend). */
const MAX_DRIFT_MS = 1000;

/** A wall-anchored monotonic clock with nanosecond resolution; never goes backwards. */
export function createNanoClock(): AuditClock {
  let anchorWallNs = BigInt(Date.now()) * NS_PER_MS;
  let anchorHr = process.hrtime.bigint();
  let last = 0n;
  return {
    now() {
      let ns = anchorWallNs + (process.hrtime.bigint() - anchorHr);
      const wallMs = Date.now();
      if (Math.abs(Number(ns / NS_PER_MS) - wallMs) > MAX_DRIFT_MS) {
        anchorWallNs = BigInt(wallMs) * NS_PER_MS;
        anchorHr = process.hrtime.bigint();
        ns = anchorWallNs;
      }
      if (ns <= last) ns = last + 1n;
      last = ns;
      return formatEpochNanos(ns);
    },
  };
}

/** Formats nanoseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
export function formatEpochNanos(ns: bigint): string {
  const seconds = ns / NS_PER_S;
  const fraction = (ns % NS_PER_S).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `value` is a valid UTC ISO-8601 timestamp ending in Z with 0–9 fractional digits. */
export function isAuditTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
}

/**
 * The sort key of a timestamp: the same instant with exactly nine fractional digits, so keys
 * compare lexically in time order on every database. Accepts `YYYY-MM-DD` (midnight UTC) too.
 * Throws a `validation_failed` AppError naming `field` for anything else.
 */
export function timestampKey(value: string, field = 'timestamp'): string {
  const full = DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value;
  if (!isAuditTimestamp(full)) throw new AppError('validation_failed', `${field} must be a UTC ISO-8601 timestamp like 2026-01-02T03:04:05.123456789Z`, { field });
  const dot = full.indexOf('.');
  const fraction = dot === -1 ? '' : full.slice(dot + 1, -1);
  return `${full.slice(0, 19)}.${fraction.padEnd(9, '0')}Z`;
}
