/** A provider's named timers on a fake clock: made on first use, 0 disables, expiry names the timer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../clock/fake-clock.ts';
import { ProviderTimers } from './provider-timers.ts';
import type { TimerName } from './timers.ts';

function setup() {
  const clock = new FakeClock();
  const expired: TimerName[] = [];
  const reports: string[] = [];
  const timers = new ProviderTimers(clock, (n) => expired.push(n), (n, phase, ms) => reports.push(`${n} ${phase}${ms === undefined ? '' : ` ${ms}`}`));
  return { clock, expired, reports, timers };
}

test('a timeout of 0 starts nothing; a restart replaces the running timer; expiry reports and names it', () => {
  const { clock, expired, reports, timers } = setup();
  timers.start('idle', 0);
  assert.equal(clock.pendingCount, 0);
  timers.start('ARTIM', 100);
  clock.advance(60);
  timers.start('ARTIM', 100);
  assert.equal(clock.pendingCount, 1);
  clock.advance(60);
  assert.deepEqual(expired, []);
  clock.advance(40);
  assert.deepEqual(expired, ['ARTIM']);
  assert.deepEqual(reports, ['ARTIM started 100', 'ARTIM started 100', 'ARTIM expired 100']);
});

test('stopAssociationTimers leaves ARTIM running; stopAll stops it too; stopping a stopped timer reports nothing', () => {
  const { clock, expired, reports, timers } = setup();
  timers.start('release', 50);
  timers.start('ARTIM', 50);
  timers.stopAssociationTimers();
  timers.stop('release');
  clock.advance(30);
  timers.stopAll();
  clock.advance(100);
  assert.deepEqual(expired, []);
  assert.deepEqual(reports, ['release started 50', 'ARTIM started 50', 'release stopped', 'ARTIM stopped']);
});

test('a stopped timer keeps its clock timer for the next start, which it serves when due no later; dispose leaves nothing scheduled', () => {
  const { clock, expired, reports, timers } = setup();
  timers.start('ARTIM', 100);
  timers.stop('ARTIM');
  timers.start('ARTIM', 100);
  assert.equal(clock.pendingCount, 1);
  // Due at 100, before the new deadline of 100 + 40: re-armed for the 40 left, not expired early.
  clock.advance(40);
  timers.stop('ARTIM');
  timers.start('ARTIM', 100);
  clock.advance(60);
  assert.deepEqual(expired, []);
  clock.advance(39);
  assert.deepEqual(expired, []);
  clock.advance(1);
  assert.deepEqual(expired, ['ARTIM']);
  // A shorter timeout than the clock timer still held: that one is cancelled, a new one made.
  timers.start('release', 1000);
  timers.stop('release');
  timers.start('release', 10);
  assert.equal(clock.pendingCount, 1);
  clock.advance(10);
  assert.deepEqual(expired, ['ARTIM', 'release']);
  // A stale clock timer of a stopped timer comes due silently; dispose cancels what is left.
  timers.start('idle', 20);
  timers.stop('idle');
  clock.advance(20);
  timers.start('idle', 50);
  timers.start('ARTIM', 50);
  timers.dispose();
  assert.equal(clock.pendingCount, 0);
  clock.advance(100);
  assert.deepEqual(expired, ['ARTIM', 'release']);
  assert.deepEqual(reports.slice(-4), ['idle started 50', 'ARTIM started 50', 'idle stopped', 'ARTIM stopped']);
});
