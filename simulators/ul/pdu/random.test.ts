/** Random and mutated bytes never crash the decoders: they decode, or fail with a typed DecodeError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../wire/errors.ts';
import { decodeCommand } from '../../dimse/command-set.ts';
import { pduFixtures } from './pdu.fixtures.ts';
import { decodePdu } from './registry.ts';

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mustBeTyped(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DecodeError, `${what}: ${(e as Error).stack}`);
  }
}

test('100,000 random PDUs (valid header, random body) decode or fail with DecodeError', () => {
  const r = rng(1);
  for (let i = 0; i < 100_000; i++) {
    const length = Math.floor(r() * 300);
    const b = Buffer.alloc(6 + length);
    b[0] = 1 + Math.floor(r() * 8);
    b.writeUInt32BE(length, 2);
    for (let j = 6; j < b.length; j++) b[j] = Math.floor(r() * 256);
    mustBeTyped(() => decodePdu(b), `seed 1 case ${i}`);
  }
});

test('every fixture with each byte flipped to random values decodes or fails with DecodeError', () => {
  const r = rng(2);
  for (const f of pduFixtures) {
    for (let at = 6; at < f.bytes.length; at++) {
      for (let k = 0; k < 8; k++) {
        const b = Buffer.from(f.bytes);
        b[at] = Math.floor(r() * 256);
        mustBeTyped(() => decodePdu(b), `${f.name} byte ${at}`);
      }
    }
  }
});

test('random command sets decode or fail with DecodeError', () => {
  const r = rng(3);
  for (let i = 0; i < 50_000; i++) {
    const b = Buffer.alloc(Math.floor(r() * 120));
    for (let j = 0; j < b.length; j++) b[j] = r() < 0.6 ? 0 : Math.floor(r() * 256);
    mustBeTyped(() => decodeCommand(b), `command case ${i}`);
  }
});
