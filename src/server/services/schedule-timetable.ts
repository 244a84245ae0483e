/**
 * @module CircleCI schedule timetables and cron, pure: validation, the equivalent five-field UTC
 * cron of a timetable, and the next firing time.
 */
import { CronExpressionParser } from 'cron-parser';
import { AppError } from '../../shared/errors.js';

/** CircleCI's timetable (`per-hour` times per hour, in the given hours, days and months; UTC). */
export interface Timetable {
  'per-hour': number;
  'hours-of-day': number[];
  'days-of-week'?: string[];
  'days-of-month'?: number[];
  months?: string[];
}

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function ints(values: unknown, what: string, range: { min: number; max: number }): number[] {
  if (!Array.isArray(values) || values.length === 0) throw new AppError('validation_failed', `timetable.${what} must be a non-empty list`);
  for (const v of values) {
    if (!Number.isInteger(v) || (v as number) < range.min || (v as number) > range.max) {
      throw new AppError('validation_failed', `timetable.${what} values are integers from ${range.min} to ${range.max}`);
    }
  }
  return [...new Set(values as number[])].sort((a, b) => a - b);
}

function names(values: unknown, what: string, allowed: string[]): string[] {
  if (!Array.isArray(values) || values.length === 0) throw new AppError('validation_failed', `timetable.${what} must be a non-empty list`);
  for (const v of values) {
    if (typeof v !== 'string' || !allowed.includes(v)) throw new AppError('validation_failed', `timetable.${what} values are ${allowed.join(', ')}`);
  }
  return allowed.filter((a) => values.includes(a));
}

/** Validates a timetable and returns it normalised (sorted, deduplicated). */
export function checkTimetable(input: unknown): Timetable {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new AppError('validation_failed', 'timetable must be an object');
  const t = input as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !['per-hour', 'hours-of-day', 'days-of-week', 'days-of-month', 'months'].includes(k));
  if (unknown.length) throw new AppError('validation_failed', `Unknown timetable field(s): ${unknown.join(', ')}`);
  const perHour = t['per-hour'];
  if (!Number.isInteger(perHour) || (perHour as number) < 1 || (perHour as number) > 60) throw new AppError('validation_failed', 'timetable.per-hour must be an integer from 1 to 60');
  if (t['days-of-week'] !== undefined && t['days-of-month'] !== undefined) {
    throw new AppError('validation_failed', 'timetable.days-of-week and timetable.days-of-month are mutually exclusive');
  }
  if (t['days-of-week'] === undefined && t['days-of-month'] === undefined) throw new AppError('validation_failed', 'timetable needs days-of-week or days-of-month');
  return {
    'per-hour': perHour as number,
    'hours-of-day': ints(t['hours-of-day'], 'hours-of-day', { min: 0, max: 23 }),
    ...(t['days-of-week'] !== undefined ? { 'days-of-week': names(t['days-of-week'], 'days-of-week', DAYS) } : {}),
    ...(t['days-of-month'] !== undefined ? { 'days-of-month': ints(t['days-of-month'], 'days-of-month', { min: 1, max: 31 }) } : {}),
    ...(t.months !== undefined ? { months: names(t.months, 'months', MONTHS) } : {}),
  };
}

/** The cron a timetable means: `per-hour` firings spread evenly over each hour (minute 0, 60/n, ...). */
export function timetableToCron(t: Timetable): string {
  const n = t['per-hour'];
  const minutes = Array.from({ length: n }, (_, i) => Math.floor((i * 60) / n));
  const dom = t['days-of-month']?.join(',') ?? '*';
  const month = t.months ? t.months.map((m) => MONTHS.indexOf(m) + 1).join(',') : '*';
  const dow = t['days-of-week'] ? t['days-of-week'].map((d) => DAYS.indexOf(d)).join(',') : '*';
  return `${minutes.join(',')} ${t['hours-of-day'].join(',')} ${dom} ${month} ${dow}`;
}

/** Validates a five-field UTC cron expression; throws `validation_failed` with the reason. */
export function checkCron(cron: string): string {
  const trimmed = cron.trim().replace(/\s+/g, ' ');
  if (trimmed.split(' ').length !== 5) throw new AppError('validation_failed', 'cron must have five fields: minute hour day-of-month month day-of-week (UTC)');
  try {
    CronExpressionParser.parse(trimmed, { tz: 'UTC' });
  } catch (error) {
    throw new AppError('validation_failed', `Invalid cron "${cron}": ${(error as Error).message}`);
  }
  return trimmed;
}

/** The first firing of `cron` strictly after `after` (UTC), as ISO-8601. */
export function nextRun(cron: string, after: Date): string {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: 'UTC' }).next().toDate().toISOString();
}
