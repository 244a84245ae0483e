/** Schedule timetables, cron and legacy trigger branches (pure). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCron, checkTimetable, nextRun, timetableToCron } from './schedule-timetable.js';
import { legacyTriggerBranches } from './schedule.service.js';

describe('schedule timetables', () => {
  it('turns a timetable into the equivalent UTC cron', () => {
    assert.equal(timetableToCron(checkTimetable({ 'per-hour': 1, 'hours-of-day': [0], 'days-of-week': ['SUN'] })), '0 0 * * 0');
    assert.equal(timetableToCron(checkTimetable({ 'per-hour': 4, 'hours-of-day': [13, 9], 'days-of-week': ['FRI', 'MON'], months: ['DEC', 'JAN'] })), '0,15,30,45 9,13 * 1,12 1,5');
    assert.equal(timetableToCron(checkTimetable({ 'per-hour': 60, 'hours-of-day': [1], 'days-of-month': [31, 1] })).split(' ')[0]!.split(',').length, 60);
    assert.equal(timetableToCron(checkTimetable({ 'per-hour': 1, 'hours-of-day': [5], 'days-of-month': [1, 15] })), '0 5 1,15 * *');
  });
  it('refuses invalid timetables', () => {
    for (const t of [
      { 'per-hour': 0, 'hours-of-day': [1], 'days-of-week': ['MON'] },
      { 'per-hour': 61, 'hours-of-day': [1], 'days-of-week': ['MON'] },
      { 'per-hour': 1, 'hours-of-day': [24], 'days-of-week': ['MON'] },
      { 'per-hour': 1, 'hours-of-day': [], 'days-of-week': ['MON'] },
      { 'per-hour': 1, 'hours-of-day': [1], 'days-of-week': ['MONDAY'] },
      { 'per-hour': 1, 'hours-of-day': [1] },
      { 'per-hour': 1, 'hours-of-day': [1], 'days-of-week': ['MON'], 'days-of-month': [1] },
      { 'per-hour': 1, 'hours-of-day': [1], 'days-of-week': ['MON'], minutes: [1] },
    ]) assert.throws(() => checkTimetable(t), (error: Error & { code?: string }) => error.code === 'validation_failed', JSON.stringify(t));
  });
  it('validates five-field cron and computes the next UTC firing', () => {
    assert.equal(checkCron(' 0  2 * * * '), '0 2 * * *');
    assert.throws(() => checkCron('0 0 2 * * *'), /five fields/);
    assert.throws(() => checkCron('61 * * * *'));
    assert.equal(nextRun('0 2 * * *', new Date('2026-03-01T02:00:00Z')), '2026-03-02T02:00:00.000Z', 'strictly after');
    assert.equal(nextRun('*/15 * * * *', new Date('2026-03-01T10:07:00Z')), '2026-03-01T10:15:00.000Z');
  });
});

describe('legacy trigger branches', () => {
  const t = (branches?: { only?: unknown; ignore?: unknown }) => ({ workflow: 'w', cron: '0 0 * * *', ...(branches ? { branches } : {}) });
  it('uses literal only-branches, the default branch for regexes that match it, minus ignore', () => {
    assert.deepEqual(legacyTriggerBranches(t({ only: ['main', 'release'] }), 'main'), ['main', 'release']);
    assert.deepEqual(legacyTriggerBranches(t({ only: 'develop' }), 'main'), ['develop']);
    assert.deepEqual(legacyTriggerBranches(t({ only: '/ma.*/' }), 'main'), ['main']);
    assert.deepEqual(legacyTriggerBranches(t({ only: '/rel.*/' }), 'main'), []);
    assert.deepEqual(legacyTriggerBranches(t(), 'main'), ['main']);
    assert.deepEqual(legacyTriggerBranches(t({ ignore: ['main'] }), 'main'), []);
  });
});
