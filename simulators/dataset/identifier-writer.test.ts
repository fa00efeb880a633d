import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../testing/hex.ts';
import { DataSet } from './data-set.ts';
import { decodeDataSet } from './decode.ts';
import { encodeDataSet } from './encode.ts';
import { IdentifierWriter } from './identifier-writer.ts';
import type { PlannedElement } from './identifier-writer.ts';
import { EXPLICIT_BIG, EXPLICIT_LITTLE, IMPLICIT_LITTLE } from './transfer-syntax.ts';

// Out of tag order on purpose: the writer sorts (PS3.5 7.1: ascending tags).
const plan: PlannedElement[] = [
  { tag: 0x0020000d, vr: 'UI', source: 0 },
  { tag: 0x00100010, vr: 'PN', source: 1 },
  { tag: 0x00080052, vr: 'CS', fixed: Buffer.from('STUDY ') },
  { tag: 0x00100020, vr: 'LO', source: 2 },
  { tag: 0x00081030, vr: 'LO', source: 3 },
  { tag: 0x0040a160, vr: 'UT', source: 4 },
];
const texts = ['1.2.3', 'DOE^JO', 'ABC', undefined, 'x'];

test('writeText: one element per planned tag, in tag order, odd values padded (UI with 00, text with a space; PS3.5 6.2)', () => {
  const w = new IdentifierWriter(plan, EXPLICIT_LITTLE);
  assert.equal(w.textOnly, true);
  assert.deepEqual(
    w.writeText(texts),
    hex`08 00 52 00  43 53  06 00  53 54 55 44 59 20   # (0008,0052) CS 6 "STUDY "
        08 00 30 10  4c 4f  00 00                      # (0008,1030) LO 0, absent from the entity: zero length
        10 00 10 00  50 4e  06 00  44 4f 45 5e 4a 4f   # (0010,0010) PN 6 "DOE^JO"
        10 00 20 00  4c 4f  04 00  41 42 43 20         # (0010,0020) LO 4 "ABC "
        20 00 0d 00  55 49  06 00  31 2e 32 2e 33 00   # (0020,000D) UI 6 "1.2.3\\0"
        40 00 60 a1  55 54  00 00  02 00 00 00  78 20  # (0040,A160) UT: reserved, 4-byte length 2, "x "`,
  );
});

test('writeText gives the bytes of the generic encoder, in each transfer syntax it serves', () => {
  for (const ts of [EXPLICIT_LITTLE, IMPLICIT_LITTLE]) {
    const bytes = new IdentifierWriter(plan, ts).writeText(texts);
    const ds = decodeDataSet(bytes, ts);
    assert.deepEqual(ds.text('PatientName'), 'DOE^JO');
    assert.deepEqual(ds.element('StudyDescription')?.bytes.length, 0);
    const generic = new DataSet(true);
    for (const e of ds.elements()) generic.put({ tag: e.tag, vr: e.vr, bytes: e.bytes });
    assert.deepEqual(bytes, encodeDataSet(generic, ts), ts.uid);
  }
});

test('writeText is offered only when every value is text and no byte swap is needed', () => {
  assert.equal(new IdentifierWriter(plan, EXPLICIT_BIG).textOnly, false);
  assert.equal(new IdentifierWriter([...plan, { tag: 0x00280010, vr: 'US', source: 5 }], EXPLICIT_LITTLE).textOnly, false);
  assert.equal(new IdentifierWriter([...plan, { tag: 0x00081110, vr: 'SQ', source: 5 }], EXPLICIT_LITTLE).textOnly, false);
});
