import { DataSet } from './data-set.ts';
import type { DataElement } from './data-set.ts';
import { ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, formatTag, implicitVr } from './dictionary.ts';
import { DataSetError } from './errors.ts';
import type { TransferSyntaxInfo } from './transfer-syntax.ts';
import { IMPLICIT_LITTLE } from './transfer-syntax.ts';
import { vrByCode } from './vr.ts';

const UNDEFINED = 0xffffffff;

/**
 * Sequences nested deeper than this are refused: PS3.5 7.5 sets no limit, and each level costs
 * stack in this recursive decoder (some thousands of levels, a few tens of KB, overflowed it).
 */
export const MAX_SEQUENCE_DEPTH = 128;

interface Cursor {
  buf: Buffer;
  /** Offset of `buf[0]` in the outermost buffer, for error messages. */
  base: number;
}

/**
 * Decodes a data set in an uncompressed transfer syntax (PS3.5 7.1, 7.5): explicit or implicit
 * VR, either byte order, defined and undefined lengths, nested sequences. Values stay raw; a
 * truncated element, a length past the end, an unknown explicit VR or a broken item is a
 * DataSetError naming the tag and the offset.
 */
export function decodeDataSet(bytes: Buffer, ts: TransferSyntaxInfo, parent?: DataSet): DataSet {
  const ds = new DataSet(ts.littleEndian, parent);
  const end = readElements({ buf: bytes, base: 0 }, 0, bytes.length, ts, ds, false, 0);
  if (end !== bytes.length) throw new DataSetError('DATASET_BAD_ITEM', undefined, end, 'unexpected delimiter at the top level');
  return ds;
}

/**
 * Reads elements from `start` until `end`, or until an item delimiter when `untilDelimiter`.
 * Returns the offset after the last element (after the delimiter, if one ended the list).
 */
function readElements(c: Cursor, start: number, end: number, ts: TransferSyntaxInfo, ds: DataSet, untilDelimiter: boolean, depth: number): number {
  const b = c.buf;
  const le = ts.littleEndian;
  let p = start;
  while (p < end) {
    const at = p;
    if (end - p < 8) throw new DataSetError('DATASET_TRUNCATED', undefined, c.base + p, `element header needs 8 bytes, ${end - p} left`);
    const group = le ? b.readUInt16LE(p) : b.readUInt16BE(p);
    const elem = le ? b.readUInt16LE(p + 2) : b.readUInt16BE(p + 2);
    const tag = ((group << 16) | elem) >>> 0;
    if (tag === ITEM_DELIMITATION) {
      if (!untilDelimiter) throw new DataSetError('DATASET_BAD_ITEM', tag, c.base + p, 'item delimitation outside an item of undefined length');
      return p + 8;
    }
    if (tag === ITEM || tag === SEQUENCE_DELIMITATION) throw new DataSetError('DATASET_BAD_ITEM', tag, c.base + p, `${formatTag(tag)} outside a sequence`);
    let vr: string;
    let length: number;
    if (ts.explicitVr) {
      const known = vrByCode(b[p + 4]!, b[p + 5]!);
      if (!known) throw new DataSetError('DATASET_BAD_VR', tag, c.base + p + 4, `"${printable(String.fromCharCode(b[p + 4]!, b[p + 5]!))}" is not a VR`);
      vr = known.name;
      if (known.info.longLength) {
        if (end - p < 12) throw new DataSetError('DATASET_TRUNCATED', tag, c.base + p, `header needs 12 bytes, ${end - p} left`);
        length = le ? b.readUInt32LE(p + 8) : b.readUInt32BE(p + 8);
        p += 12;
      } else {
        length = le ? b.readUInt16LE(p + 6) : b.readUInt16BE(p + 6);
        p += 8;
      }
    } else {
      vr = implicitVr(tag);
      length = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
      p += 8;
    }
    if (length === UNDEFINED) {
      // PS3.5 7.5: only sequences (and UN holding one, in implicit VR LE, PS3.5 6.2.2) have undefined length here.
      if (vr !== 'SQ' && vr !== 'UN') throw new DataSetError('DATASET_BAD_VALUE', tag, c.base + at, `undefined length on VR ${vr}`);
      const items: DataSet[] = [];
      const itemTs = vr === 'UN' ? IMPLICIT_LITTLE : ts;
      p = readItems(c, p, end, itemTs, ds, items, true, depth + 1);
      ds.put({ tag, vr: 'SQ', bytes: EMPTY, items, undefinedLength: true, offset: c.base + at });
      continue;
    }
    if (length > end - p) {
      throw new DataSetError('DATASET_LENGTH_PAST_END', tag, c.base + at, `value length ${length} reaches past the end (${end - p} bytes left)`);
    }
    const element: DataElement = { tag, vr, bytes: b.subarray(p, p + length), offset: c.base + at };
    if (vr === 'SQ') {
      const items: DataSet[] = [];
      readItems(c, p, p + length, ts, ds, items, false, depth + 1);
      element.items = items;
      element.bytes = EMPTY;
    }
    ds.put(element);
    p += length;
  }
  if (untilDelimiter) throw new DataSetError('DATASET_TRUNCATED', undefined, c.base + p, 'item of undefined length has no item delimitation');
  return p;
}

const EMPTY = Buffer.alloc(0);

function readItems(c: Cursor, start: number, end: number, ts: TransferSyntaxInfo, parent: DataSet, items: DataSet[], untilDelimiter: boolean, depth: number): number {
  if (depth > MAX_SEQUENCE_DEPTH) throw new DataSetError('DATASET_TOO_DEEP', undefined, c.base + start, `sequences nested more than ${MAX_SEQUENCE_DEPTH} deep`);
  const b = c.buf;
  const le = ts.littleEndian;
  let p = start;
  while (p < end) {
    if (end - p < 8) throw new DataSetError('DATASET_TRUNCATED', undefined, c.base + p, `item header needs 8 bytes, ${end - p} left`);
    const group = le ? b.readUInt16LE(p) : b.readUInt16BE(p);
    const elem = le ? b.readUInt16LE(p + 2) : b.readUInt16BE(p + 2);
    const tag = ((group << 16) | elem) >>> 0;
    const length = le ? b.readUInt32LE(p + 4) : b.readUInt32BE(p + 4);
    if (tag === SEQUENCE_DELIMITATION) {
      if (!untilDelimiter) throw new DataSetError('DATASET_BAD_ITEM', tag, c.base + p, 'sequence delimitation in a sequence of defined length');
      return p + 8;
    }
    if (tag !== ITEM) throw new DataSetError('DATASET_BAD_ITEM', tag, c.base + p, `expected an item (FFFE,E000) in a sequence, found ${formatTag(tag)}`);
    p += 8;
    const item = new DataSet(ts.littleEndian, parent);
    if (length === UNDEFINED) {
      item.undefinedLength = true;
      p = readElements(c, p, end, ts, item, true, depth);
    } else {
      if (length > end - p) throw new DataSetError('DATASET_LENGTH_PAST_END', ITEM, c.base + p - 8, `item length ${length} reaches past the end (${end - p} bytes left)`);
      readElements(c, p, p + length, ts, item, false, depth);
      p += length;
    }
    items.push(item);
  }
  if (untilDelimiter) throw new DataSetError('DATASET_TRUNCATED', undefined, c.base + p, 'sequence of undefined length has no sequence delimitation');
  return p;
}

function printable(s: string): string {
  return [...s].map((ch) => (ch >= ' ' && ch <= '~' ? ch : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('');
}
