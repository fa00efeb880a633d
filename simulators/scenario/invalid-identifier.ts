import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import type { TransferSyntaxInfo } from '../dataset/transfer-syntax.ts';
import { ByteWriter } from '../wire/byte-writer.ts';

/** Keys of the levels below each Query/Retrieve level, to put where they do not belong. */
const BELOW: Record<string, Record<string, string>> = {
  PATIENT: { StudyInstanceUID: '', Modality: '' },
  STUDY: { SeriesInstanceUID: '', Modality: '' },
  SERIES: { SOPInstanceUID: '', InstanceNumber: '' },
  IMAGE: {},
};

/**
 * The identifier of a C-FIND-RQ, encoded in the context's transfer syntax — or, on purpose,
 * invalid: without a Query/Retrieve Level (PS3.4 C.4.1.1.3.1 requires one), with keys of a lower
 * level (C.2.2.1.2: only the level's and higher unique keys), with an element of odd length
 * (PS3.5 7.1.1: values have even length), or declaring ISO_IR 100 while sending UTF-8.
 */
export function scuIdentifier(keys: Record<string, unknown>, level: string | undefined, invalid: string | undefined, ts: TransferSyntaxInfo): Buffer {
  const input: Record<string, unknown> = {};
  if (level !== undefined && invalid !== 'noLevel') input.QueryRetrieveLevel = level;
  Object.assign(input, keys);
  if (invalid === 'keysBelowLevel') Object.assign(input, BELOW[level ?? 'STUDY'] ?? {});
  if (invalid === 'wrongCharset') input.SpecificCharacterSet = 'ISO_IR 100';
  const ds = DataSet.from(input as DataSetInput, { littleEndian: ts.littleEndian });
  if (invalid === 'wrongCharset') ds.set('PatientName', Buffer.from('Müller^Jürgen', 'utf8'), 'PN');
  const bytes = encodeDataSet(ds, ts);
  if (invalid !== 'badVr') return bytes;
  return Buffer.concat([bytes, oddLengthElement(ts)]);
}

/** (0011,0010) LO with a 3-byte value: a private creator of odd length, last in the data set. */
function oddLengthElement(ts: TransferSyntaxInfo): Buffer {
  const w = new ByteWriter(16);
  const u16 = (v: number) => (ts.littleEndian ? w.u16le(v) : w.u16be(v));
  u16(0x0011);
  u16(0x0010);
  if (ts.explicitVr) {
    w.ascii('LO');
    u16(3);
  } else if (ts.littleEndian) {
    w.u32le(3);
  } else {
    w.u32be(3);
  }
  w.ascii('ODD');
  return w.finish();
}
