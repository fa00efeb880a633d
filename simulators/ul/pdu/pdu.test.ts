import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader } from '../../wire/byte-reader.ts';
import { ByteWriter } from '../../wire/byte-writer.ts';
import { DecodeError } from '../../wire/errors.ts';
import { hex, toHex } from '../../testing/hex.ts';
import { PduFramer } from '../framer.ts';
import { decodeUserInformationSubItems, decodeVariableItems, encodeUserInformationSubItem, encodeVariableItem } from './item-codec.ts';
import { userInformationSubItemFixtures, variableItemFixtures } from './item.fixtures.ts';
import { buildPDataTf } from './p-data-tf.ts';
import { plainRelease } from './release.ts';
import { pduFixtures } from './pdu.fixtures.ts';
import { decodePdu, encodePdu } from './registry.ts';

function assertBytes(actual: Uint8Array, expected: Uint8Array): void {
  assert.equal(toHex(actual), toHex(expected));
}

for (const f of pduFixtures) {
  test(`${f.name}: decode`, () => assert.deepEqual(decodePdu(f.bytes), f.pdu));
  test(`${f.name}: encode`, () => assertBytes(encodePdu(f.pdu), f.bytes));
  test(`${f.name}: round trip`, () => {
    assert.deepEqual(decodePdu(encodePdu(f.pdu)), f.pdu);
    assertBytes(encodePdu(decodePdu(f.bytes)), f.bytes);
  });
  test(`${f.name}: framed when split at every byte offset`, () => {
    for (let cut = 0; cut <= f.bytes.length; cut++) {
      const framer = new PduFramer();
      const got: Buffer[] = [];
      framer.push(f.bytes.subarray(0, cut), (p) => void got.push(p.bytes));
      framer.push(f.bytes.subarray(cut), (p) => void got.push(p.bytes));
      assert.equal(got.length, 1, `cut at ${cut}`);
      assert.deepEqual(decodePdu(got[0]!), f.pdu, `cut at ${cut}`);
    }
    const framer = new PduFramer();
    const got: Buffer[] = [];
    for (let i = 0; i < f.bytes.length; i++) framer.push(f.bytes.subarray(i, i + 1), (p) => void got.push(p.bytes));
    assert.equal(got.length, 1, 'one byte at a time');
    assertBytes(got[0]!, f.bytes);
  });
}

for (const f of variableItemFixtures) {
  test(`item ${f.name}: decode, encode, round trip, every truncation fails`, () => {
    assert.deepEqual(decodeVariableItems(new ByteReader(f.bytes, 'test')), [f.value]);
    const w = new ByteWriter();
    encodeVariableItem(w, f.value);
    assertBytes(w.finish(), f.bytes);
    for (let cut = 1; cut < f.bytes.length; cut++) {
      assert.throws(() => decodeVariableItems(new ByteReader(f.bytes.subarray(0, cut), 'test')), DecodeError, `cut at ${cut}`);
    }
  });
}

for (const f of userInformationSubItemFixtures) {
  test(`sub-item ${f.name}: decode, encode, round trip, every truncation fails`, () => {
    assert.deepEqual(decodeUserInformationSubItems(new ByteReader(f.bytes, 'test')), [f.value]);
    const w = new ByteWriter();
    encodeUserInformationSubItem(w, f.value);
    assertBytes(w.finish(), f.bytes);
    for (let cut = 1; cut < f.bytes.length; cut++) {
      assert.throws(() => decodeUserInformationSubItems(new ByteReader(f.bytes.subarray(0, cut), 'test')), DecodeError, `cut at ${cut}`);
    }
  });
}

test('buildPDataTf writes the same bytes as the generic encoder', () => {
  const f = pduFixtures.find((x) => x.pdu.type === 0x04)!;
  assert.ok(f.pdu.type === 0x04 && 'pdvs' in f.pdu);
  assertBytes(buildPDataTf(f.pdu.pdvs), f.bytes);
});

test('plainRelease gives the A-RELEASE-RQ/RP the generic encoder writes, as a fresh buffer each time', () => {
  for (const type of [0x05, 0x06] as const) {
    const a = plainRelease(type);
    const generic = encodePdu(type === 0x05 ? { type: 0x05 } : { type: 0x06 });
    assertBytes(a.raw, type === 0x05 ? hex`05 00 00000004 00000000` : hex`06 00 00000004 00000000`);
    assertBytes(a.raw, generic);
    assert.deepEqual(decodePdu(a.raw), a.pdu);
    a.raw.fill(0xff);
    assertBytes(plainRelease(type).raw, generic);
  }
});

test('a decode error names the PDU, the field and the byte offset', () => {
  // A-ASSOCIATE-RJ whose PDU-length says 3: the reason byte is missing.
  const bytes = hex`03 00 00000003 00 01 01`;
  assert.throws(
    () => decodePdu(bytes),
    (e: unknown) =>
      e instanceof DecodeError &&
      e.code === 'DECODE_TRUNCATED' &&
      e.structure === 'A-ASSOCIATE-RJ' &&
      e.field === 'reason/diag.' &&
      e.offset === 9,
  );
});

test('an item-length reaching past the PDU is DECODE_LENGTH_OVERRUN at the length field', () => {
  const bytes = hex`
    02 00 0000004A   # A-ASSOCIATE-AC, PDU-length 74
    0001 0000 ${'20'.repeat(32)} ${'00'.repeat(32)}
    10 00 0010       # application context item claiming 16 bytes
    31 2E            # only 2 follow
  `;
  assert.throws(
    () => decodePdu(bytes),
    (e: unknown) => e instanceof DecodeError && e.code === 'DECODE_LENGTH_OVERRUN' && e.offset === 78 && e.structure === 'A-ASSOCIATE-AC',
  );
});

test('PDV item-lengths that do not fill the P-DATA-TF exactly are an error', () => {
  const bytes = hex`
    04 00 00000009   # PDU-length 9
    00000004 01 03 0000
    00               # one stray byte
  `;
  assert.throws(() => decodePdu(bytes), (e: unknown) => e instanceof DecodeError && e.code === 'DECODE_TRUNCATED');
});

test('a PDV whose item-length is below 2 is DECODE_INVALID_VALUE', () => {
  assert.throws(
    () => decodePdu(hex`04 00 00000006 00000001 01 03`),
    (e: unknown) => e instanceof DecodeError && e.code === 'DECODE_INVALID_VALUE' && e.field === 'PDV item-length' && e.offset === 6,
  );
});

test('fixed-length PDUs with a wrong length are DECODE_LENGTH_MISMATCH', () => {
  for (const b of [hex`05 00 00000006 00000000 0000`, hex`06 00 00000005 0000000000`, hex`07 00 00000005 0000020600`, hex`03 00 00000005 0001010100`]) {
    assert.throws(() => decodePdu(b), (e: unknown) => e instanceof DecodeError && e.code === 'DECODE_LENGTH_MISMATCH', toHex(b));
  }
});

test('the encoder builds forbidden forms on request: false lengths and reserved bits', () => {
  assertBytes(encodePdu({ type: 0x05, lengthOverride: 9 }), hex`05 00 00000009 00000000`);
  assertBytes(encodePdu({ type: 0x07, reserved: 0x80, source: 1, reason: 9 }), hex`07 80 00000004 0000 01 09`);
  assertBytes(
    encodePdu({ type: 0x04, pdvs: [{ contextId: 2, messageControlHeader: 0xff, data: Buffer.from([1, 2]), lengthOverride: 0 }] }),
    hex`04 00 00000008 00000000 02 FF 0102`,
  );
});
