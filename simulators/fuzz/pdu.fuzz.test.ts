/**
 * The upper-layer decoders under fast-check: random and mutated bytes decode (and re-encode)
 * or fail with a DecodeError; the framer, fed any stream cut anywhere, frames exactly what
 * it frames when fed whole. FUZZ_RUNS sets the number of inputs (see fuzz-support.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteReader } from '../wire/byte-reader.ts';
import { ByteWriter } from '../wire/byte-writer.ts';
import { DecodeError } from '../wire/errors.ts';
import { ProtocolError } from '../ul/errors.ts';
import { PduFramer } from '../ul/framer.ts';
import type { FramedPdu } from '../ul/framer.ts';
import { decodeUserInformationSubItems, decodeVariableItems, encodeUserInformationSubItem, encodeVariableItem } from '../ul/pdu/item-codec.ts';
import { userInformationSubItemFixtures, variableItemFixtures } from '../ul/pdu/item.fixtures.ts';
import { pduFixtures } from '../ul/pdu/pdu.fixtures.ts';
import { decodePdu, encodePdu } from '../ul/pdu/registry.ts';
import { check, decodesOrFailsTyped, mutated, randomBytes, testTimeoutMs } from './fuzz-support.ts';

const pduSeeds = pduFixtures.map((f) => f.bytes);
const itemSeeds = variableItemFixtures.map((f) => f.bytes);
const subItemSeeds = userInformationSubItemFixtures.map((f) => f.bytes);

/** Decodes; a PDU that decodes must encode again (bytes may differ: the input was mutated). */
function decodeAndReencode(bytes: Buffer): void {
  const pdu = decodesOrFailsTyped(() => decodePdu(bytes), [DecodeError]);
  if (pdu) encodePdu(pdu);
}

/** A PDU header with the right length and a random type byte around the seven known ones, then random bytes. */
const randomPdu = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 255 }), randomBytes).map(([type, reserved, body]) => {
  const head = Buffer.alloc(6);
  head[0] = type;
  head[1] = reserved;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
});

test('decodePdu: random bytes decode or fail with DecodeError', { timeout: testTimeoutMs }, () => {
  check(randomBytes, decodeAndReencode);
});

test('decodePdu: a true header over random bytes decodes and re-encodes, or fails with DecodeError', { timeout: testTimeoutMs }, () => {
  check(randomPdu, decodeAndReencode);
});

test('decodePdu: mutated PDU fixtures decode and re-encode, or fail with DecodeError', { timeout: testTimeoutMs }, () => {
  check(mutated(pduSeeds), decodeAndReencode);
});

test('A-ASSOCIATE items and user information sub-items: mutated fixtures decode and re-encode, or fail with DecodeError', { timeout: testTimeoutMs }, () => {
  check(fc.oneof(mutated(itemSeeds), randomBytes), (bytes) => {
    const items = decodesOrFailsTyped(() => decodeVariableItems(new ByteReader(bytes, 'variable items')), [DecodeError]);
    if (items) {
      const w = new ByteWriter();
      for (const item of items) encodeVariableItem(w, item);
      w.finish();
    }
  });
  check(fc.oneof(mutated(subItemSeeds), randomBytes), (bytes) => {
    const subItems = decodesOrFailsTyped(() => decodeUserInformationSubItems(new ByteReader(bytes, 'user information')), [DecodeError]);
    if (subItems) {
      const w = new ByteWriter();
      for (const s of subItems) encodeUserInformationSubItem(w, s);
      w.finish();
    }
  });
});

interface FramerRun {
  pdus: FramedPdu[];
  error: ProtocolError | undefined;
  pending: number;
}

function frame(stream: Buffer, cuts: number[], limits?: PduFramer['limits']): FramerRun {
  const framer = new PduFramer(limits);
  const pdus: FramedPdu[] = [];
  let error: ProtocolError | undefined;
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    const to = Math.max(from, Math.min(cut, stream.length));
    // Copies, so one chunk's memory never aliases the next (as with socket reads).
    const e = framer.push(Buffer.from(stream.subarray(from, to)), (p) => {
      pdus.push({ type: p.type, bytes: Buffer.from(p.bytes) });
    });
    error ??= e;
    from = to;
  }
  return { pdus, error, pending: framer.pendingBytes };
}

/** Several mutated or random PDUs back to back, as a peer would send them. */
const pduStream = fc
  .array(fc.oneof({ weight: 3, arbitrary: mutated(pduSeeds) }, { weight: 1, arbitrary: pduSeeds.length ? fc.constantFrom(...pduSeeds) : randomBytes }, { weight: 1, arbitrary: randomPdu }, { weight: 1, arbitrary: randomBytes }), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => Buffer.concat(parts));

const streamAndCuts = pduStream.chain((stream) =>
  fc.tuple(fc.constant(stream), fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }).map((cuts) => cuts.sort((a, b) => a - b))),
);

test('PduFramer: any stream cut at random points frames as it does whole; each PDU decodes or fails with DecodeError', { timeout: testTimeoutMs }, () => {
  const limits = { maxPDataLength: 16_384, maxOtherLength: 65_536, hardLimit: 1 << 20 };
  check(streamAndCuts, ([stream, cuts]) => {
    const whole = decodesOrFailsTyped(() => frame(stream, [], limits), []);
    const split = decodesOrFailsTyped(() => frame(stream, cuts, limits), []);
    assert.ok(whole && split);
    assert.equal(split.pdus.length, whole.pdus.length);
    split.pdus.forEach((p, i) => {
      assert.equal(p.type, whole.pdus[i]!.type);
      assert.ok(p.bytes.equals(whole.pdus[i]!.bytes));
    });
    assert.equal(split.error?.code, whole.error?.code);
    // What was framed is the stream's prefix, each PDU exactly its declared length.
    let at = 0;
    for (const p of whole.pdus) {
      assert.equal(p.bytes.length, 6 + p.bytes.readUInt32BE(2));
      assert.ok(p.bytes.equals(stream.subarray(at, at + p.bytes.length)));
      at += p.bytes.length;
      decodeAndReencode(p.bytes);
    }
    if (!whole.error) {
      assert.equal(whole.pending, stream.length - at);
      assert.equal(split.pending, whole.pending);
    }
  });
});
