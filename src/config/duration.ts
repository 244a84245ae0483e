/**
 * @module CircleCI durations (`no_output_timeout`): a decimal with an `s`, `m` or `h` unit.
 */

/** `10m` → 600, `1.25h` → 4500, `30s` → 30; a bare number is minutes. Undefined if malformed. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 60;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([smh])?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'm';
  return Math.round(n * (unit === 's' ? 1 : unit === 'm' ? 60 : 3600));
}
