import type { DataElement, DataSet } from './data-set.ts';
import { ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION } from './dictionary.ts';
import { DataSetError } from './errors.ts';
import type { TransferSyntaxInfo } from './transfer-syntax.ts';
import { vrInfo } from './vr.ts';

const UNDEFINED = 0xffffffff;

/** Size of one swapped unit when the byte order changes (PS3.5 7.3); 0 = bytes kept as they are. */
const SWAP: Record<string, number> = { US: 2, SS: 2, OW: 2, AT: 2, UL: 4, SL: 4, FL: 4, OF: 4, OL: 4, FD: 8, OD: 8, SV: 8, UV: 8, OV: 8 };

/**
 * Encodes a data set in an uncompressed transfer syntax: elements in ascending tag order,
 * sequences and items with defined length unless they were decoded with undefined length
 * (so a decoded data set re-encodes to the same bytes).
 */
export function encodeDataSet(ds: DataSet, ts: TransferSyntaxInfo): Buffer {
  const out = Buffer.allocUnsafe(sizeOfDataSet(ds, ts));
  const end = writeDataSet(out, 0, ds, ts);
  return end === out.length ? out : out.subarray(0, end);
}

function headerSize(vr: string, ts: TransferSyntaxInfo): number {
  if (!ts.explicitVr) return 8;
  return vrInfo(vr)?.longLength ? 12 : 8;
}

function sizeOfItems(e: DataElement, ts: TransferSyntaxInfo): number {
  let n = 0;
  for (const item of e.items!) n += 8 + sizeOfDataSet(item, ts) + (item.undefinedLength ? 8 : 0);
  return n + (e.undefinedLength ? 8 : 0);
}

export function sizeOfDataSet(ds: DataSet, ts: TransferSyntaxInfo): number {
  let n = 0;
  for (const e of ds.elements()) {
    const vr = e.items ? 'SQ' : e.vr;
    n += headerSize(vr, ts) + (e.items ? sizeOfItems(e, ts) : e.bytes.length);
  }
  return n;
}

function writeTag(out: Buffer, p: number, tag: number, le: boolean): void {
  if (le) {
    out.writeUInt16LE(tag >>> 16, p);
    out.writeUInt16LE(tag & 0xffff, p + 2);
  } else {
    out.writeUInt16BE(tag >>> 16, p);
    out.writeUInt16BE(tag & 0xffff, p + 2);
  }
}

function writeHeader(out: Buffer, p: number, tag: number, vr: string, length: number, ts: TransferSyntaxInfo): number {
  const le = ts.littleEndian;
  writeTag(out, p, tag, le);
  if (!ts.explicitVr) {
    le ? out.writeUInt32LE(length, p + 4) : out.writeUInt32BE(length, p + 4);
    return p + 8;
  }
  out.write(vr, p + 4, 2, 'latin1');
  if (vrInfo(vr)?.longLength) {
    out.writeUInt16LE(0, p + 6);
    le ? out.writeUInt32LE(length, p + 8) : out.writeUInt32BE(length, p + 8);
    return p + 12;
  }
  if (length > 0xffff) throw new DataSetError('DATASET_BAD_VALUE', tag, undefined, `${length} bytes do not fit the 16-bit length of VR ${vr} in explicit VR`);
  le ? out.writeUInt16LE(length, p + 6) : out.writeUInt16BE(length, p + 6);
  return p + 8;
}

function writeDataSet(out: Buffer, start: number, ds: DataSet, ts: TransferSyntaxInfo): number {
  let p = start;
  const swap = ds.littleEndian !== ts.littleEndian;
  for (const e of ds.elements()) {
    if (e.items) {
      const length = e.undefinedLength ? UNDEFINED : sizeOfItems(e, ts);
      p = writeHeader(out, p, e.tag, 'SQ', length, ts);
      for (const item of e.items) {
        writeTag(out, p, ITEM, ts.littleEndian);
        const itemLength = item.undefinedLength ? UNDEFINED : sizeOfDataSet(item, ts);
        ts.littleEndian ? out.writeUInt32LE(itemLength, p + 4) : out.writeUInt32BE(itemLength, p + 4);
        p = writeDataSet(out, p + 8, item, ts);
        if (item.undefinedLength) {
          writeTag(out, p, ITEM_DELIMITATION, ts.littleEndian);
          out.writeUInt32LE(0, p + 4);
          p += 8;
        }
      }
      if (e.undefinedLength) {
        writeTag(out, p, SEQUENCE_DELIMITATION, ts.littleEndian);
        out.writeUInt32LE(0, p + 4);
        p += 8;
      }
      continue;
    }
    p = writeHeader(out, p, e.tag, e.vr, e.bytes.length, ts);
    e.bytes.copy(out, p);
    const unit = swap ? (SWAP[e.vr] ?? 0) : 0;
    if (unit === 2) out.subarray(p, p + e.bytes.length - (e.bytes.length % 2)).swap16();
    else if (unit === 4) out.subarray(p, p + e.bytes.length - (e.bytes.length % 4)).swap32();
    else if (unit === 8) out.subarray(p, p + e.bytes.length - (e.bytes.length % 8)).swap64();
    p += e.bytes.length;
  }
  return p;
}
