import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMix, defaultMix, mixFingerprint, sessionPicker } from './mix.ts';
import type { LoadMix } from './types.ts';

const mix = (weights: number[]): LoadMix => ({ name: 'm', sessions: weights.map((weight, i) => ({ name: `s${i}`, weight, steps: [{ echo: true }] })) });

test('sessions are picked by weight, spread out, the same for the same arrival index', () => {
  const pick = sessionPicker(mix([5, 1, 1]));
  assert.deepEqual(Array.from({ length: 7 }, (_, i) => pick(i).name), ['s0', 's0', 's1', 's0', 's2', 's0', 's0']);
  assert.equal(pick(7).name, pick(0).name);
  const again = sessionPicker(mix([5, 1, 1]));
  for (let i = 0; i < 50; i++) assert.equal(again(i).name, pick(i).name);
  const counts = new Map<string, number>();
  const d = sessionPicker(defaultMix());
  for (let i = 0; i < 13 * 10; i++) counts.set(d(i).name, (counts.get(d(i).name) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(counts), Object.fromEntries(defaultMix().sessions.map((s) => [s.name, s.weight * 10])));
});

test('a mix is refused when a weight is not a whole number ≥ 1 or a step would change the traffic unseen', () => {
  assert.throws(() => checkMix(mix([1, 0])), { code: 'LOAD_INVALID_MIX', message: /session "s1" of mix "m" has weight 0/ });
  assert.throws(() => checkMix({ name: 'x', sessions: [] }), { code: 'LOAD_INVALID_MIX', message: /has no sessions/ });
  const paused: LoadMix = { name: 'p', sessions: [{ name: 'slow', weight: 1, steps: [{ echo: true }, { find: { model: 'study', level: 'STUDY', pauseReadingMs: 100 } }] }] };
  assert.throws(() => checkMix(paused), { code: 'LOAD_INVALID_MIX', message: /session "slow", step 2: find.pauseReadingMs is not supported by load/ });
});

test('the fingerprint follows the content of the mix, not its name', () => {
  assert.equal(mixFingerprint(mix([1, 2])), mixFingerprint({ ...mix([1, 2]), name: 'other' }));
  assert.notEqual(mixFingerprint(mix([1, 2])), mixFingerprint(mix([2, 1])));
});
