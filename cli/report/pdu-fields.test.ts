/** The report's field-by-field reading of PDU bytes, against hand-annotated bytes and the project's own encoders. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataSet } from '../../simulators/dataset/data-set.ts';
import { encodeDataSet } from '../../simulators/dataset/encode.ts';
import { EXPLICIT_LITTLE } from '../../simulators/dataset/transfer-syntax.ts';
import { encodeCommand } from '../../simulators/dimse/command-set.ts';
import { findRequest } from '../../simulators/dimse/find.ts';
import { SopClass, TransferSyntax } from '../../simulators/dimse/sop-classes.ts';
import { ascii, hex } from '../../simulators/testing/hex.ts';
import { associateRq } from '../../simulators/testing/pdus.ts';
import { pduFixtures } from '../../simulators/ul/pdu/pdu.fixtures.ts';
import { encodePdu } from '../../simulators/ul/pdu/registry.ts';
import { pduFields } from './pdu-fields.ts';
import type { Field } from './pdu-fields.ts';

const NOT_PARSED = 'not parsed (inconsistent with the lengths above)';
const STUDY_ROOT = '1.2.840.10008.5.1.4.1.2.2.1';

/** The fields follow each other from byte 0 to the last byte: no gap, no overlap. */
function assertTiles(b: Buffer, fields: Field[], what: string): void {
  let at = 0;
  for (const [offset, length, name] of fields) {
    assert.equal(offset, at, `${what}: "${name}" starts at ${offset}, the previous field ended at ${at}`);
    assert.ok(length >= 0, `${what}: "${name}" has length ${length}`);
    at = offset + length;
  }
  assert.equal(at, b.length, `${what}: the fields end at ${at} of ${b.length} bytes`);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// Layouts of PS3.8 9.3 (Tables 9-11 to 9-26), written out by hand.
const ASSOCIATE_RJ = hex`
  03          # PDU-type A-ASSOCIATE-RJ
  00          # reserved
  00000004    # PDU-length 4
  00          # reserved
  01          # Result 1: rejected-permanent
  01          # Source 1: DICOM UL service-user
  07          # Reason 7: called-AE-title-not-recognized
`;

const ABORT = hex`
  07          # PDU-type A-ABORT
  00          # reserved
  00000004    # PDU-length 4
  00          # reserved
  00          # reserved
  02          # Source 2: DICOM UL service-provider
  06          # Reason 6: invalid-PDU-parameter value
`;

/** A C-FIND-RQ command set (PS3.7 9.3.2.1) in Implicit VR Little Endian, one PDV. */
const FIND_RQ = hex`
  04                            # PDU-type P-DATA-TF
  00                            # reserved
  0000005E                      # PDU-length 94
  0000005A                      # PDV Item-length 90
  01                            # Presentation-context-ID 1
  03                            # Message Control Header: command, last fragment
  0000 0000 04000000 4C000000   # (0000,0000) CommandGroupLength, length 4, value 76
  0000 0200 1C000000            # (0000,0002) AffectedSOPClassUID, length 28
  ${ascii(STUDY_ROOT)} 00       #   Study Root FIND, padded with NUL to even length
  0000 0001 02000000 2000       # (0000,0100) CommandField 0x0020 C-FIND-RQ
  0000 1001 02000000 0700       # (0000,0110) MessageID 7
  0000 0007 02000000 0000       # (0000,0700) Priority MEDIUM
  0000 0008 02000000 0000       # (0000,0800) CommandDataSetType: an identifier follows
`;

test('the hand-written fixtures are what our encoders send', () => {
  assert.deepEqual(ASSOCIATE_RJ, encodePdu({ type: 0x03, result: 1, source: 1, reason: 7 }));
  assert.deepEqual(ABORT, encodePdu({ type: 0x07, source: 2, reason: 6 }));
  assert.deepEqual(FIND_RQ, encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x03, data: encodeCommand(findRequest(7, SopClass.StudyRootQueryRetrieveFind)) }] }));
});

test('A-ASSOCIATE-RJ: every field named, with its value', () => {
  assert.deepEqual(pduFields(ASSOCIATE_RJ), [
    [0, 1, 'PDU-type', '0x03 A-ASSOCIATE-RJ'],
    [1, 1, 'reserved'],
    [2, 4, 'PDU-length', '4'],
    [6, 1, 'reserved'],
    [7, 1, 'Result', '1'],
    [8, 1, 'Source', '1'],
    [9, 1, 'Reason/Diag.', '7'],
  ]);
});

test('A-ABORT: every field named, with its value', () => {
  assert.deepEqual(pduFields(ABORT), [
    [0, 1, 'PDU-type', '0x07 A-ABORT'],
    [1, 1, 'reserved'],
    [2, 4, 'PDU-length', '4'],
    [6, 1, 'reserved'],
    [7, 1, 'reserved'],
    [8, 1, 'Source', '2'],
    [9, 1, 'Reason/Diag.', '6'],
  ]);
});

test('P-DATA-TF with a C-FIND-RQ: the PDV header, then each command element as tag and length, and value', () => {
  assert.deepEqual(pduFields(FIND_RQ), [
    [0, 1, 'PDU-type', '0x04 P-DATA-TF'],
    [1, 1, 'reserved'],
    [2, 4, 'PDU-length', '94'],
    [6, 4, 'PDV 1: Item-length', '90'],
    [10, 1, 'PDV 1: Presentation-context-ID', '1'],
    [11, 1, 'PDV 1: Message Control Header', '0x03 command, last fragment'],
    [12, 8, 'command (0000,0000) CommandGroupLength: tag, length', 'UL, 4'],
    [20, 4, 'command (0000,0000) CommandGroupLength: value', '76'],
    [24, 8, 'command (0000,0002) AffectedSOPClassUID: tag, length', 'UI, 28'],
    [32, 28, 'command (0000,0002) AffectedSOPClassUID: value', `"${STUDY_ROOT}\u2400"`],
    [60, 8, 'command (0000,0100) CommandField: tag, length', 'US, 2'],
    [68, 2, 'command (0000,0100) CommandField: value', '32'],
    [70, 8, 'command (0000,0110) MessageID: tag, length', 'US, 2'],
    [78, 2, 'command (0000,0110) MessageID: value', '7'],
    [80, 8, 'command (0000,0700) Priority: tag, length', 'US, 2'],
    [88, 2, 'command (0000,0700) Priority: value', '0'],
    [90, 8, 'command (0000,0800) CommandDataSetType: tag, length', 'US, 2'],
    [98, 2, 'command (0000,0800) CommandDataSetType: value', '0'],
  ]);
});

test("a command cut across fragments: the elements that fit, then the rest of the PDV as one fragment field", () => {
  const command = FIND_RQ.subarray(12);
  const b = encodePdu({ type: 0x04, pdvs: [{ contextId: 1, messageControlHeader: 0x01, data: command.subarray(0, 30) }, { contextId: 1, messageControlHeader: 0x03, data: command.subarray(30) }] });
  const fields = pduFields(b);
  assertTiles(b, fields, 'two command fragments');
  assert.deepEqual(fields.slice(3, 9), [
    [6, 4, 'PDV 1: Item-length', '32'],
    [10, 1, 'PDV 1: Presentation-context-ID', '1'],
    [11, 1, 'PDV 1: Message Control Header', '0x01 command, not last'],
    [12, 8, 'command (0000,0000) CommandGroupLength: tag, length', 'UL, 4'],
    [20, 4, 'command (0000,0000) CommandGroupLength: value', '76'],
    [24, 18, 'PDV 1: command fragment'],
  ]);
  assert.deepEqual(fields.slice(9, 12).map((f) => f.slice(0, 3)), [
    [42, 4, 'PDV 2: Item-length'],
    [46, 1, 'PDV 2: Presentation-context-ID'],
    [47, 1, 'PDV 2: Message Control Header'],
  ]);
});

test("an identifier PDV is read in its context's transfer syntax when the caller knows it, else left whole", () => {
  const ds = encodeDataSet(DataSet.from({ QueryRetrieveLevel: 'PATIENT', PatientName: 'DOE^J*' }), EXPLICIT_LITTLE);
  const b = encodePdu({ type: 0x04, pdvs: [{ contextId: 3, messageControlHeader: 0x02, data: ds }] });
  const known = pduFields(b, (ctx) => (ctx === 3 ? EXPLICIT_LITTLE : undefined));
  assertTiles(b, known, 'identifier');
  assert.deepEqual(known.slice(5), [
    [11, 1, 'PDV 1: Message Control Header', '0x02 data set, last fragment'],
    [12, 8, 'data set (0008,0052) QueryRetrieveLevel: tag, VR, length', 'CS, 8'],
    [20, 8, 'data set (0008,0052) QueryRetrieveLevel: value', '"PATIENT "'],
    [28, 8, 'data set (0010,0010) PatientName: tag, VR, length', 'PN, 6'],
    [36, 6, 'data set (0010,0010) PatientName: value', '"DOE^J*"'],
  ]);
  assert.deepEqual(pduFields(b).slice(6), [[12, 30, 'PDV 1: data set fragment']]);
  assert.deepEqual(pduFields(b, () => undefined).at(-1), [12, 30, 'PDV 1: data set fragment']);
});

test('A-ASSOCIATE-RQ from our requestor: fields tile the bytes and name the AE titles, contexts, syntaxes and Maximum Length', () => {
  const b = encodePdu(
    associateRq({
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'FINDSCU',
      maxPduLength: 32768,
      presentationContexts: [
        { abstractSyntax: SopClass.StudyRootQueryRetrieveFind, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian] },
        { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] },
      ],
    }),
  );
  const fields = pduFields(b);
  assertTiles(b, fields, 'A-ASSOCIATE-RQ');
  const named = (re: RegExp) => fields.filter(([, , name]) => re.test(name)).map(([, , name, value]) => [name, value]);
  assert.deepEqual(fields.slice(3, 8), [
    [6, 2, 'Protocol-version', '0x0001'],
    [8, 2, 'reserved'],
    [10, 16, 'Called-AE-title', '"QRSCP           "'],
    [26, 16, 'Calling-AE-title', '"FINDSCU         "'],
    [42, 32, 'reserved'],
  ]);
  assert.deepEqual(named(/Presentation-context-ID$/), [
    ['Presentation Context Item (RQ) 1: Presentation-context-ID', '1'],
    ['Presentation Context Item (RQ) 2: Presentation-context-ID', '3'],
  ]);
  assert.deepEqual(named(/Syntax Sub-Item: name$/), [
    ['Presentation Context Item (RQ) 1 › Abstract Syntax Sub-Item: name', `"${STUDY_ROOT}"`],
    ['Presentation Context Item (RQ) 1 › Transfer Syntax Sub-Item: name', '"1.2.840.10008.1.2.1"'],
    ['Presentation Context Item (RQ) 1 › Transfer Syntax Sub-Item: name', '"1.2.840.10008.1.2"'],
    ['Presentation Context Item (RQ) 2 › Abstract Syntax Sub-Item: name', '"1.2.840.10008.1.1"'],
    ['Presentation Context Item (RQ) 2 › Transfer Syntax Sub-Item: name', '"1.2.840.10008.1.2"'],
  ]);
  assert.deepEqual(named(/Maximum-length-received$/), [['User Information Item › Maximum Length Sub-Item: Maximum-length-received', '32768']]);
  assert.deepEqual(named(/^Application Context Item: name$/), [['Application Context Item: name', '"1.2.840.10008.3.1.1.1"']]);
  // Every quoted value is the text at the field's own offset.
  for (const [offset, length, name, value] of fields) {
    if (value?.startsWith('"')) assert.equal(value, `"${b.toString('latin1', offset, offset + length)}"`, name);
  }
});

test('every PDU fixture of the codec is read whole, fields tiling its bytes', () => {
  for (const f of pduFixtures) {
    const fields = pduFields(f.bytes);
    assertTiles(f.bytes, fields, f.name);
    const unparsed = fields.filter(([, , name]) => name === NOT_PARSED);
    // Only the unknown PDU type has bytes the reader cannot name.
    assert.equal(unparsed.length, f.pdu.type > 0x07 ? 1 : 0, f.name);
  }
});

test('every truncation of a valid PDU reads as the fields that fit, then one "not parsed" field for the rest', () => {
  const all = [...pduFixtures.map((f) => ({ name: f.name, bytes: f.bytes })), { name: 'A-ASSOCIATE-RJ', bytes: ASSOCIATE_RJ }, { name: 'A-ABORT', bytes: ABORT }, { name: 'C-FIND-RQ', bytes: FIND_RQ }];
  for (const { name, bytes } of all) {
    const whole = pduFields(bytes);
    for (let n = 0; n < bytes.length; n++) {
      const cut = bytes.subarray(0, n);
      const fields = pduFields(cut);
      assertTiles(cut, fields, `${name} cut at ${n}`);
      const last = fields.at(-1);
      const parsed = last?.[2] === NOT_PARSED ? fields.slice(0, -1) : fields;
      assert.deepEqual(parsed, whole.slice(0, parsed.length), `${name} cut at ${n}: the fields before the cut are those of the whole PDU`);
      const end = parsed.length ? parsed.at(-1)![0] + parsed.at(-1)![1] : 0;
      if (end < n) assert.deepEqual(last, [end, n - end, NOT_PARSED], `${name} cut at ${n}`);
    }
  }
});

test('garbage never throws: random PDUs and fixtures with a byte changed read as tiled fields, any "not parsed" field last', () => {
  const r = rng(7);
  const check = (b: Buffer, what: string) => {
    const fields = pduFields(b);
    assertTiles(b, fields, what);
    const i = fields.findIndex(([, , name]) => name === NOT_PARSED);
    assert.ok(i === -1 || i === fields.length - 1, `${what}: "not parsed" is the last field`);
  };
  for (let i = 0; i < 20_000; i++) {
    const b = Buffer.alloc(Math.floor(r() * 200));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(r() * 256);
    if (b.length >= 6 && r() < 0.8) {
      b[0] = 1 + Math.floor(r() * 8);
      b.writeUInt32BE(b.length - 6, 2);
    }
    check(b, `random case ${i}`);
  }
  for (const f of [...pduFixtures.map((x) => x.bytes), FIND_RQ]) {
    for (let at = 6; at < f.length; at++) {
      for (let k = 0; k < 4; k++) {
        const b = Buffer.from(f);
        b[at] = Math.floor(r() * 256);
        check(b, `${f.subarray(0, 1).toString('hex')} with byte ${at} = ${b[at]}`);
      }
    }
  }
});
