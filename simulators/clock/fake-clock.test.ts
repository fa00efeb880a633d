import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './fake-clock.ts';

test('fires due timers in time order and not before', () => {
  const c = new FakeClock();
  const seen: string[] = [];
  c.setTimeout(() => seen.push('b'), 20);
  c.setTimeout(() => seen.push('a'), 10);
  const h = c.setTimeout(() => seen.push('x'), 15);
  h.cancel();
  c.advance(9);
  assert.deepEqual(seen, []);
  c.advance(11);
  assert.deepEqual(seen, ['a', 'b']);
  assert.equal(c.now(), 20);
  assert.equal(c.pendingCount, 0);
});

test('a timer set by a firing timer fires within the same advance when due', () => {
  const c = new FakeClock();
  const seen: number[] = [];
  c.setTimeout(() => {
    seen.push(c.now());
    c.setTimeout(() => seen.push(c.now()), 5);
  }, 5);
  c.advance(10);
  assert.deepEqual(seen, [5, 10]);
});
