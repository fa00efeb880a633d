/** Values derived from byte strings, found again by the exact bytes only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BytesMemo, deepFreeze } from './bytes-memo.ts';

test('found by the exact bytes only, from a private copy; the last hit and the others alike', () => {
  const memo = new BytesMemo<{ first: number; view: Buffer }>();
  const a = Buffer.from('0102030405', 'hex');
  const va = memo.add(a, (copy) => ({ first: copy[0]!, view: copy.subarray(1, 3) }));
  const vb = memo.add(Buffer.from('ff', 'hex'), (copy) => ({ first: copy[0]!, view: copy }));
  assert.equal(memo.find(Buffer.from('0102030405', 'hex')), va, 'not the last one added');
  assert.equal(memo.find(Buffer.from('0102030405', 'hex')), va, 'now the last one found');
  assert.equal(memo.find(Buffer.from('ff', 'hex')), vb);
  assert.equal(memo.find(Buffer.from('0102030406', 'hex')), undefined, 'one byte differs');
  assert.equal(memo.find(Buffer.from('01020304', 'hex')), undefined, 'a prefix');
  assert.equal(memo.find(Buffer.from('010203040500', 'hex')), undefined, 'longer');
  a.fill(0);
  assert.deepEqual(va.view, Buffer.from('0203', 'hex'), 'the value points into the memo’s copy, not the caller’s buffer');
  assert.equal(memo.find(Buffer.from('0102030405', 'hex')), va);
});

test('at most `limit` entries, the oldest dropped first; nothing kept when the derivation throws', () => {
  const memo = new BytesMemo<number>(2);
  for (const b of ['01', '02', '03']) memo.add(Buffer.from(b, 'hex'), (c) => c[0]!);
  assert.equal(memo.size, 2);
  assert.equal(memo.find(Buffer.from('01', 'hex')), undefined);
  assert.equal(memo.find(Buffer.from('02', 'hex')), 2);
  assert.throws(() =>
    memo.add(Buffer.from('04', 'hex'), () => {
      throw new RangeError('undecodable');
    }),
  );
  assert.equal(memo.size, 2);
  assert.equal(memo.find(Buffer.from('04', 'hex')), undefined);
  assert.equal(memo.find(Buffer.from('03', 'hex')), 3, 'a failed derivation evicts nothing');
});

test('deepFreeze freezes objects and arrays at any depth, and leaves byte arrays writable', () => {
  const v = deepFreeze({ a: [{ b: 1 }], bytes: Buffer.from([1]) });
  assert.throws(() => ((v.a[0] as { b: number }).b = 2), TypeError);
  assert.throws(() => (v.a as unknown[]).push(1), TypeError);
  v.bytes[0] = 9;
  assert.equal(v.bytes[0], 9);
});
