import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createNanoClock, formatEpochNanos, isAuditTimestamp, timestampKey } from './clock.js';

describe('nanosecond audit clock', () => {
  it('produces increasing nine-digit UTC timestamps close to wall time', () => {
    const clock = createNanoClock();
    const values = Array.from({ length: 1000 }, () => clock.now());
    for (const v of values) assert.match(v, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], 'strictly increasing');
    assert.ok(Math.abs(Date.parse(values[999]) - Date.now()) < 1000);
  });

  it('formats epoch nanoseconds without losing digits', () => {
    assert.equal(formatEpochNanos(1_767_323_045_123_456_789n), '2026-01-02T03:04:05.123456789Z');
    assert.equal(formatEpochNanos(0n), '1970-01-01T00:00:00.000000000Z');
  });

  it('validates timestamps and turns them into lexically sortable keys', () => {
    assert.equal(timestampKey('2026-01-02T03:04:05.1Z'), '2026-01-02T03:04:05.100000000Z');
    assert.equal(timestampKey('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05.000000000Z');
    assert.equal(timestampKey('2026-01-02'), '2026-01-02T00:00:00.000000000Z');
    assert.ok(timestampKey('2026-01-02T03:04:05.1Z') > timestampKey('2026-01-02T03:04:05.099999999Z'));
    for (const bad of ['2026-13-01T00:00:00Z', '2026-02-29T00:00:00Z', '2026-01-02T03:04:05.1234567890Z', '2026-01-02T03:04:05+01:00', '2026-01-02 03:04:05Z']) {
      assert.equal(isAuditTimestamp(bad), false, bad);
      assert.throws(() => timestampKey(bad), /UTC ISO-8601/);
    }
    assert.equal(isAuditTimestamp('2028-02-29T23:59:59.999999999Z'), true);
  });
});
