import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, hex, toHex } from '../testing/hex.ts';
import { characterSet } from './charset.ts';
import { DataSet } from './data-set.ts';
import { decodeDataSet } from './decode.ts';
import { encodeDataSet } from './encode.ts';
import { DataSetError } from './errors.ts';
import { EXPLICIT_BIG, EXPLICIT_LITTLE, IMPLICIT_LITTLE } from './transfer-syntax.ts';

const identifier = {
  QueryRetrieveLevel: 'STUDY',
  StudyDate: '',
  ModalitiesInStudy: ['CT', 'PT'],
  PatientName: 'CITIZEN^Jan',
  ReferencedStudySequence: [{}],
  NumberOfStudyRelatedInstances: null,
};

const implicitBytes = hex`
  0800 2000 00000000                     # (0008,0020) StudyDate, zero length: universal
  0800 5200 06000000 ${ascii('STUDY ')}  # (0008,0052) QueryRetrieveLevel, space padded
  0800 6100 06000000 ${ascii('CT\\PT ')} # (0008,0061) ModalitiesInStudy, two values, padded
  0800 1011 08000000                     # (0008,1110) ReferencedStudySequence, 8 bytes
  FEFF 00E0 00000000                     #   item, length 0: one empty item
  1000 1000 0C000000 ${ascii('CITIZEN^Jan ')} # (0010,0010) PatientName
  2000 0812 00000000                     # (0020,1208) NumberOfStudyRelatedInstances, zero length
`;

const explicitBytes = hex`
  0800 2000 4441 0000                    # (0008,0020) DA, 16-bit length 0
  0800 5200 4353 0600 ${ascii('STUDY ')} # CS
  0800 6100 4353 0600 ${ascii('CT\\PT ')}
  0800 1011 5351 0000 08000000           # SQ: reserved, 32-bit length 8
  FEFF 00E0 00000000                     #   empty item
  1000 1000 504E 0C00 ${ascii('CITIZEN^Jan ')}
  2000 0812 4953 0000                    # IS, zero length
`;

const bigBytes = hex`
  0008 0020 4441 0000
  0008 0052 4353 0006 ${ascii('STUDY ')}
  0008 0061 4353 0006 ${ascii('CT\\PT ')}
  0008 1110 5351 0000 00000008
  FFFE E000 00000000
  0010 0010 504E 000C ${ascii('CITIZEN^Jan ')}
  0020 1208 4953 0000
`;

for (const [name, ts, bytes] of [
  ['Implicit VR Little Endian', IMPLICIT_LITTLE, implicitBytes],
  ['Explicit VR Little Endian', EXPLICIT_LITTLE, explicitBytes],
  ['Explicit VR Big Endian', EXPLICIT_BIG, bigBytes],
] as const) {
  test(`${name}: encode, decode, round trip, and every truncation is a typed error`, () => {
    const ds = DataSet.from(identifier, { littleEndian: ts.littleEndian });
    assert.equal(toHex(encodeDataSet(ds, ts)), toHex(bytes));
    const back = decodeDataSet(bytes, ts);
    assert.equal(back.text('QueryRetrieveLevel'), 'STUDY');
    assert.deepEqual(back.values('ModalitiesInStudy'), ['CT', 'PT']);
    assert.equal(back.text('PatientName'), 'CITIZEN^Jan');
    assert.equal(back.isZeroLength('StudyDate'), true, 'zero length kept');
    assert.equal(back.has('StudyTime'), false, 'absent stays absent');
    assert.equal(back.items('ReferencedStudySequence')!.length, 1, 'the empty item survives');
    assert.equal(back.items('ReferencedStudySequence')![0]!.size, 0);
    assert.equal(toHex(encodeDataSet(back, ts)), toHex(bytes));
    for (let cut = 1; cut < bytes.length; cut++) {
      try {
        const partial = decodeDataSet(bytes.subarray(0, cut), ts);
        // A cut between two elements is a valid shorter data set; anywhere else must fail.
        assert.ok(partial.size < 6, `cut ${cut}`);
      } catch (e) {
        assert.ok(e instanceof DataSetError, `cut ${cut}: ${(e as Error).message}`);
      }
    }
  });
}

test('converting between byte orders swaps binary values (PS3.5 7.3)', () => {
  const le = DataSet.from({ Rows: 512, Columns: 256, FrameIncrementPointer: '(0018,1063)' });
  const be = decodeDataSet(encodeDataSet(le, EXPLICIT_BIG), EXPLICIT_BIG);
  assert.deepEqual(be.numbers('Rows'), [512]);
  assert.deepEqual(be.numbers('FrameIncrementPointer'), [0x00181063]);
  const raw = encodeDataSet(le, EXPLICIT_BIG);
  assert.equal(toHex(raw.subarray(8, 12)), '00 18 10 63', 'AT: group and element each big endian');
  assert.equal(toHex(raw.subarray(20, 22)), '02 00', 'Rows 512 big endian');
});

test('sequences of undefined length with undefined-length items round-trip byte for byte', () => {
  const bytes = hex`
    0800 1011 FFFFFFFF     # ReferencedStudySequence, undefined length
    FEFF 00E0 FFFFFFFF     #   item, undefined length
    0800 5011 04000000 ${ascii('1.2')}00 #     (0008,1150) ReferencedSOPClassUID, NUL padded
    FEFF 0DE0 00000000     #   item delimitation
    FEFF 00E0 FFFFFFFF     #   an empty item of undefined length
    FEFF 0DE0 00000000
    FEFF DDE0 00000000     # sequence delimitation
    1000 2000 02000000 ${ascii('42')}
  `;
  const ds = decodeDataSet(bytes, IMPLICIT_LITTLE);
  const items = ds.items('ReferencedStudySequence')!;
  assert.equal(items.length, 2);
  assert.equal(items[0]!.text('ReferencedSOPClassUID'), '1.2');
  assert.equal(items[1]!.size, 0);
  assert.equal(ds.text('PatientID'), '42');
  assert.equal(toHex(encodeDataSet(ds, IMPLICIT_LITTLE)), toHex(bytes));
});

test('malformed data sets are typed errors that name the tag and the offset', () => {
  const past = hex`1000 1000 10000000 ${ascii('AB')}`;
  assert.throws(() => decodeDataSet(past, IMPLICIT_LITTLE), (e: unknown) => e instanceof DataSetError && e.code === 'DATASET_LENGTH_PAST_END' && e.tag === 0x00100010 && e.offset === 0);
  const badVr = hex`0800 5200 4353 0600 ${ascii('STUDY ')} 1000 1000 5A5A 0200 ${ascii('AB')}`;
  assert.throws(() => decodeDataSet(badVr, EXPLICIT_LITTLE), (e: unknown) => e instanceof DataSetError && e.code === 'DATASET_BAD_VR' && e.tag === 0x00100010 && e.offset === 18);
  const noDelimiter = hex`0800 1011 FFFFFFFF FEFF 00E0 00000000`;
  assert.throws(() => decodeDataSet(noDelimiter, IMPLICIT_LITTLE), (e: unknown) => e instanceof DataSetError && e.code === 'DATASET_TRUNCATED');
  const notAnItem = hex`0800 1011 08000000 1000 1000 00000000`;
  assert.throws(() => decodeDataSet(notAnItem, IMPLICIT_LITTLE), (e: unknown) => e instanceof DataSetError && e.code === 'DATASET_BAD_ITEM' && e.offset === 8);
});

test('sequences nested thousands deep are a typed error, not a stack overflow (found by simulators/fuzz)', () => {
  // 5,000 × (SQ of undefined length, item of undefined length): 80 KB that overflowed the recursive decoder with a RangeError.
  const level = hex`
    0800 1011 FFFFFFFF     # ReferencedStudySequence, undefined length
    FEFF 00E0 FFFFFFFF     #   item, undefined length
  `;
  const deep = Buffer.concat(Array.from({ length: 5_000 }, () => level));
  assert.throws(() => decodeDataSet(deep, IMPLICIT_LITTLE), (e: unknown) => e instanceof DataSetError && e.code === 'DATASET_TOO_DEEP' && e.offset === 128 * 16 + 8);
  const shallow = Buffer.concat([...Array.from({ length: 100 }, () => level), Buffer.concat(Array.from({ length: 100 }, () => hex`FEFF 0DE0 00000000 FEFF DDE0 00000000`))]);
  assert.equal(toHex(encodeDataSet(decodeDataSet(shallow, IMPLICIT_LITTLE), IMPLICIT_LITTLE)), toHex(shallow), '100 levels still decode');
});

test('character sets: ISO_IR 100 and ISO_IR 192 decode and encode; the raw bytes stay reachable', () => {
  const latin = DataSet.from({ SpecificCharacterSet: 'ISO_IR 100', PatientName: 'Müller^Jürgen' });
  assert.equal(toHex(latin.element('PatientName')!.bytes), toHex(Buffer.from('Müller^Jürgen ', 'latin1')));
  assert.equal(decodeDataSet(encodeDataSet(latin, IMPLICIT_LITTLE), IMPLICIT_LITTLE).text('PatientName'), 'Müller^Jürgen');
  const utf8 = DataSet.from({ SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Müller^Jürgen' });
  assert.equal(utf8.element('PatientName')!.bytes.length, 16);
  assert.equal(decodeDataSet(encodeDataSet(utf8, IMPLICIT_LITTLE), IMPLICIT_LITTLE).text('PatientName'), 'Müller^Jürgen');
  assert.throws(() => DataSet.from({ PatientName: 'Müller' }), /default repertoire/);
});

test('ISO 2022 IR 87 (PS3.5 H.3.1) and IR 149 (PS3.5 I.2) decode by their escape sequences', () => {
  const jp = Buffer.from('Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B', 'latin1');
  assert.equal(characterSet(['', 'ISO 2022 IR 87']).decode(jp), 'Yamada^Tarou=山田^太郎=やまだ^たろう');
  const kr = Buffer.from('Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7=\x1b$)C\xc8\xab^\x1b$)C\xb1\xe6\xb5\xbf', 'latin1');
  assert.equal(characterSet(['', 'ISO 2022 IR 149']).decode(kr), 'Hong^Gildong=洪^吉洞=홍^길동');
  const ds = new DataSet();
  ds.set('SpecificCharacterSet', ['', 'ISO 2022 IR 87']);
  ds.set('PatientName', jp);
  assert.equal(ds.text('PatientName'), 'Yamada^Tarou=山田^太郎=やまだ^たろう');
  assert.throws(() => ds.set('PatientName', '山田'), (e: unknown) => (e as { code?: string }).code === 'CHARSET_ENCODE_UNSUPPORTED');
});

test('an unknown Specific Character Set is reported and its text shown as Latin-1', () => {
  const cs = characterSet('ISO_IR 999');
  assert.equal(cs.problems.length, 1);
  assert.match(cs.problems[0]!, /not a defined term/);
  assert.equal(cs.decode(Buffer.from([0x41, 0xe9])), 'Aé');
});

test('keywords, tags and VR checks when building', () => {
  const ds = DataSet.from({ '(0010,0020)': 'ID1', '00100030': '19700101', AccessionNumber: null });
  assert.equal(ds.text('PatientID'), 'ID1');
  assert.equal(ds.text('PatientBirthDate'), '19700101');
  assert.equal(ds.isZeroLength('AccessionNumber'), true);
  assert.throws(() => DataSet.from({ PatientNmae: 'x' }), (e: unknown) => e instanceof DataSetError && e.code === 'DATASET_UNKNOWN_KEYWORD');
  assert.throws(() => DataSet.from({ Rows: 'many' }), (e: unknown) => e instanceof DataSetError && e.code === 'DATASET_BAD_VALUE');
  assert.deepEqual(DataSet.from(identifier).toObject(), {
    StudyDate: '',
    QueryRetrieveLevel: 'STUDY',
    ModalitiesInStudy: ['CT', 'PT'],
    ReferencedStudySequence: [{}],
    PatientName: 'CITIZEN^Jan',
    NumberOfStudyRelatedInstances: '',
  });
});
