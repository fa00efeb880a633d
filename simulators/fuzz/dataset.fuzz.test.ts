/**
 * The data set decoder under fast-check, in Implicit VR Little Endian, Explicit VR Little
 * Endian and Explicit VR Big Endian: random and mutated bytes decode (and re-encode) or fail
 * with a DataSetError. FUZZ_RUNS sets the number of inputs (see fuzz-support.ts).
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { DataSet } from '../dataset/data-set.ts';
import { decodeDataSet } from '../dataset/decode.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { DataSetError } from '../dataset/errors.ts';
import { EXPLICIT_BIG, EXPLICIT_LITTLE, IMPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import type { TransferSyntaxInfo } from '../dataset/transfer-syntax.ts';
import { check, decodesOrFailsTyped, mutated, randomBytes, testTimeoutMs } from './fuzz-support.ts';

/** The identifier of simulators/dataset/codec.test.ts (its fixtures are these bytes), and one with nested and binary values. */
const identifiers = [
  {
    QueryRetrieveLevel: 'STUDY',
    StudyDate: '',
    ModalitiesInStudy: ['CT', 'PT'],
    PatientName: 'CITIZEN^Jan',
    ReferencedStudySequence: [{}],
    NumberOfStudyRelatedInstances: null,
  },
  {
    SpecificCharacterSet: 'ISO_IR 100',
    PatientID: '42',
    Rows: 512,
    FrameIncrementPointer: '(0018,1063)',
    ReferencedStudySequence: [{ ReferencedSOPClassUID: '1.2', ReferencedSOPInstanceUID: '1.2.3' }, {}],
    RequestAttributesSequence: [{ RequestedProcedureID: 'RP1', ScheduledProtocolCodeSequence: [{ CodeValue: 'X' }] }],
  },
  {
    // ISO 2022 IR 87 (PS3.5 H.3.1), as in codec.test.ts: escape sequences for mutations to break.
    SpecificCharacterSet: ['', 'ISO 2022 IR 87'],
    PatientName: Buffer.from('Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B ', 'latin1'),
    StudyDescription: Buffer.from('\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7', 'latin1'),
  },
];

function seedsFor(ts: TransferSyntaxInfo): Buffer[] {
  const seeds = identifiers.map((id) => encodeDataSet(DataSet.from(id, { littleEndian: ts.littleEndian }), ts));
  // Undefined lengths: a sequence and an item of undefined length, as in codec.test.ts.
  const nested = decodeDataSet(seeds[1]!, ts);
  for (const e of nested.elements()) {
    if (e.items) {
      e.undefinedLength = true;
      for (const item of e.items) item.undefinedLength = true;
    }
  }
  seeds.push(encodeDataSet(nested, ts));
  return seeds;
}

/** Every value read as the CLI and the matcher read them (text in the data set's character set, binary numbers). */
function readValues(ds: DataSet): void {
  ds.toObject();
  for (const e of ds.elements()) {
    ds.values(e.tag);
    if (e.items) e.items.forEach(readValues);
    else ds.numbers(e.tag);
  }
}

function decodeAndReencode(bytes: Buffer, ts: TransferSyntaxInfo): void {
  const ds = decodesOrFailsTyped(() => decodeDataSet(bytes, ts), [DataSetError]);
  if (!ds) return;
  encodeDataSet(ds, ts);
  decodesOrFailsTyped(() => readValues(ds), [DataSetError]);
}

for (const ts of [IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG]) {
  const seeds = seedsFor(ts);
  test(`decodeDataSet, ${ts.name}: random and mutated bytes decode and re-encode, or fail with DataSetError`, { timeout: testTimeoutMs }, () => {
    check(randomBytes, (bytes) => decodeAndReencode(bytes, ts));
    check(mutated(seeds), (bytes) => decodeAndReencode(bytes, ts));
  });
}

test('decodeDataSet: bytes of one transfer syntax read as another decode or fail with DataSetError', { timeout: testTimeoutMs }, () => {
  const all = [IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG];
  const everySeed = all.flatMap(seedsFor);
  check(fc.tuple(mutated(everySeed), fc.constantFrom(...all)), ([bytes, ts]) => decodeAndReencode(bytes, ts));
});

/**
 * Sequences nested `depth` deep, each sequence and item of defined or undefined length, with or
 * without their delimiters: the shape that random bytes never reach.
 */
function nestedSequences(ts: TransferSyntaxInfo, levels: { definedLength: boolean }[], closed: boolean): Buffer {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    ts.littleEndian ? b.writeUInt32LE(n) : b.writeUInt32BE(n);
    return b;
  };
  const tag = (group: number, element: number): Buffer => {
    const b = Buffer.alloc(4);
    ts.littleEndian ? (b.writeUInt16LE(group, 0), b.writeUInt16LE(element, 2)) : (b.writeUInt16BE(group, 0), b.writeUInt16BE(element, 2));
    return b;
  };
  const sqHeader = (length: number): Buffer => Buffer.concat([tag(0x0008, 0x1110), ...(ts.explicitVr ? [Buffer.from('SQ\0\0', 'latin1')] : []), u32(length)]);
  const itemHeader = (length: number): Buffer => Buffer.concat([tag(0xfffe, 0xe000), u32(length)]);
  const delimiter = (element: number): Buffer => Buffer.concat([tag(0xfffe, element), u32(0)]);
  const leaf = Buffer.concat([tag(0x0010, 0x0020), ...(ts.explicitVr ? [Buffer.from('LO', 'latin1'), Buffer.from(ts.littleEndian ? [2, 0] : [0, 2])] : [u32(2)]), Buffer.from('42')]);
  // Sizes from the inside out (a defined length counts all it holds), then the bytes in one go.
  const heads: Buffer[] = [];
  const tails: Buffer[] = [];
  let inside = leaf.length;
  const sqHeaderSize = ts.explicitVr ? 12 : 8;
  const undefinedHead = Buffer.concat([sqHeader(0xffffffff), itemHeader(0xffffffff)]);
  const undefinedTail = closed ? Buffer.concat([delimiter(0xe00d), delimiter(0xe0dd)]) : Buffer.alloc(0);
  for (let i = levels.length - 1; i >= 0; i--) {
    if (levels[i]!.definedLength) {
      heads.push(Buffer.concat([sqHeader(8 + inside), itemHeader(inside)]));
      tails.push(Buffer.alloc(0));
      inside += sqHeaderSize + 8;
    } else {
      heads.push(undefinedHead);
      tails.push(undefinedTail);
      inside += sqHeaderSize + 8 + (closed ? 16 : 0);
    }
  }
  return Buffer.concat([...heads.reverse(), leaf, ...tails]);
}

test('decodeDataSet: sequences nested up to thousands deep decode and re-encode, or fail with DataSetError', { timeout: testTimeoutMs }, () => {
  const all = [IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG];
  const arb = fc
    .tuple(
      fc.constantFrom(...all),
      fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 6_000 })),
      fc.oneof(fc.constant('undefined'), fc.constant('defined'), fc.constant('mixed')),
      fc.boolean(),
      fc.integer(),
    )
    .map(([ts, depth, lengths, closed, pattern]) => {
      const levels = Array.from({ length: depth }, (_, i) => ({ definedLength: lengths === 'defined' || (lengths === 'mixed' && ((pattern >>> i % 31) & 1) === 1) }));
      return [ts, nestedSequences(ts, levels, closed)] as const;
    });
  check(arb, ([ts, bytes]) => decodeAndReencode(bytes, ts), 0.1);
});
