import { DEFAULT_CHARACTER_SET, characterSet } from './charset.ts';
import type { CharacterSet } from './charset.ts';
import { entryForTag, formatTag, implicitVr, parseTag, tagName } from './dictionary.ts';
import { DataSetError } from './errors.ts';
import { vrInfo } from './vr.ts';

/**
 * One element exactly as it is (or will be) on the wire: `bytes` is the value field, padding
 * included, in the data set's byte order. A sequence has `items` instead. Zero-length and
 * absent stay distinct: a zero-length element exists with empty `bytes`.
 */
export interface DataElement {
  tag: number;
  vr: string;
  bytes: Buffer;
  items?: DataSet[];
  /** Encoded with undefined length (sequence delimitation). */
  undefinedLength?: boolean;
  /** Where the element's tag started in the decoded buffer. */
  offset?: number;
}

/** Values accepted when building: text, numbers, several of either, sequences, raw bytes, or null / '' for zero length. */
export type ElementValue = string | number | bigint | readonly (string | number)[] | readonly DataSetInput[] | Buffer | DataSet[] | null | undefined;
export type DataSetInput = { readonly [key: string]: ElementValue } | DataSet;

export const SPECIFIC_CHARACTER_SET = 0x00080005;

/**
 * A data set: elements by tag, their raw bytes always reachable, values decoded on demand
 * with the Specific Character Set in force (its own, or its parent's for a sequence item).
 */
export class DataSet {
  private readonly map = new Map<number, DataElement>();
  /** Item-level encoding detail kept for a faithful round trip. */
  undefinedLength = false;

  constructor(
    public littleEndian = true,
    public parent: DataSet | undefined = undefined,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Elements in ascending tag order. */
  elements(): DataElement[] {
    const list = [...this.map.values()];
    for (let i = 1; i < list.length; i++) {
      if (list[i - 1]!.tag > list[i]!.tag) return list.sort((a, b) => a.tag - b.tag);
    }
    return list;
  }

  tags(): number[] {
    return this.elements().map((e) => e.tag);
  }

  has(key: string | number): boolean {
    return this.map.has(tagOf(key));
  }

  element(key: string | number): DataElement | undefined {
    return this.map.get(tagOf(key));
  }

  delete(key: string | number): boolean {
    return this.map.delete(tagOf(key));
  }

  /** The character set in force: this data set's (0008,0005), else the parent's, else the default repertoire. */
  get characterSet(): CharacterSet {
    const e = this.map.get(SPECIFIC_CHARACTER_SET);
    if (e) {
      if (this.charsetFrom !== e.bytes) {
        this.charsetFrom = e.bytes;
        this.charsetCache = characterSet(e.bytes.toString('latin1').replace(/[ \0]+$/, ''));
      }
      return this.charsetCache!;
    }
    return this.parent ? this.parent.characterSet : DEFAULT_CHARACTER_SET;
  }

  private charsetFrom: Buffer | undefined;
  private charsetCache: CharacterSet | undefined;

  /** Adds an element as decoded (raw). */
  put(element: DataElement): void {
    this.map.set(element.tag, element);
  }

  /** Sets a value; the VR comes from the dictionary unless given. Text is encoded with the character set in force. */
  set(key: string | number, value: ElementValue, vr?: string): this {
    const tag = tagOf(key);
    const v = vr ?? implicitVr(tag);
    this.map.set(tag, buildElement(this, tag, v, value));
    return this;
  }

  isZeroLength(key: string | number): boolean {
    const e = this.element(key);
    return e !== undefined && (e.items ? e.items.length === 0 : e.bytes.length === 0);
  }

  /** The whole text value, decoded, padding removed (PS3.5 6.2: trailing spaces, and the NUL of UI). Undefined when absent. */
  text(key: string | number): string | undefined {
    const e = this.element(key);
    if (!e) return undefined;
    return elementText(this, e);
  }

  /** The values of a multi-valued element as strings (text split on backslash; binary values in decimal). */
  values(key: string | number): string[] | undefined {
    const e = this.element(key);
    if (!e) return undefined;
    const info = vrInfo(e.vr);
    if (e.items || (info && !info.text && info.size === undefined)) return undefined;
    if (info?.text === false) return binaryValues(e, this.littleEndian).map(String);
    const t = elementText(this, e);
    return t === '' ? [] : t.split('\\').map((s) => s.replace(/[ \0]+$/, ''));
  }

  /** Numbers of a binary element (US, UL, SS, SL, FL, FD, AT, SV, UV). */
  numbers(key: string | number): number[] | undefined {
    const e = this.element(key);
    if (!e) return undefined;
    return binaryValues(e, this.littleEndian);
  }

  /** Items of a sequence (empty for a zero-length sequence). */
  items(key: string | number): DataSet[] | undefined {
    const e = this.element(key);
    if (!e) return undefined;
    return e.items ?? (e.vr === 'SQ' ? [] : undefined);
  }

  /** A JSON-friendly view by keyword: text as strings (arrays when multi-valued), numbers, items as objects, other binary as hex. */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const e of this.elements()) {
      const name = tagName(e.tag);
      if (e.items) {
        out[name] = e.items.map((i) => i.toObject());
        continue;
      }
      const info = vrInfo(e.vr);
      if (info?.text) {
        const t = elementText(this, e);
        out[name] = t.includes('\\') ? t.split('\\').map((s) => s.replace(/ +$/, '')) : t;
      } else if (info?.size !== undefined) {
        const n = binaryValues(e, this.littleEndian);
        out[name] = e.vr === 'AT' ? n.map(formatTag) : n.length === 1 ? n[0] : n;
      } else {
        out[name] = e.bytes.toString('hex');
      }
    }
    return out;
  }

  /** Builds a data set from `{ Keyword: value }` (or "(gggg,eeee)" keys). Specific Character Set is applied before the text. */
  static from(input: DataSetInput, o: { littleEndian?: boolean; parent?: DataSet } = {}): DataSet {
    if (input instanceof DataSet) return input;
    const ds = new DataSet(o.littleEndian ?? true, o.parent);
    const cs = input.SpecificCharacterSet ?? input['(0008,0005)'];
    if (cs !== undefined) ds.set(SPECIFIC_CHARACTER_SET, cs as ElementValue);
    for (const [k, v] of Object.entries(input)) {
      if (k === 'SpecificCharacterSet' || k === '(0008,0005)' || v === undefined) continue;
      ds.set(k, v);
    }
    return ds;
  }
}

function tagOf(key: string | number): number {
  const tag = parseTag(key);
  if (tag === undefined) throw new DataSetError('DATASET_UNKNOWN_KEYWORD', undefined, undefined, `"${key}" is neither a keyword of the data dictionary nor a (gggg,eeee) tag`);
  return tag;
}

function elementText(ds: DataSet, e: DataElement): string {
  const info = vrInfo(e.vr);
  const raw = info?.charset ? ds.characterSet.decode(e.bytes) : e.bytes.toString('latin1');
  return raw.replace(e.vr === 'UI' ? /[\0 ]+$/ : / +$/, '');
}

const SIZES: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, SV: 8, UV: 8 };

function binaryValues(e: DataElement, le: boolean): number[] {
  const size = SIZES[e.vr];
  if (!size) return [];
  const b = e.bytes;
  const out: number[] = [];
  for (let p = 0; p + size <= b.length; p += size) {
    switch (e.vr) {
      case 'US':
        out.push(le ? b.readUInt16LE(p) : b.readUInt16BE(p));
        break;
      case 'SS':
        out.push(le ? b.readInt16LE(p) : b.readInt16BE(p));
        break;
      case 'UL':
        out.push(le ? b.readUInt32LE(p) : b.readUInt32BE(p));
        break;
      case 'SL':
        out.push(le ? b.readInt32LE(p) : b.readInt32BE(p));
        break;
      case 'FL':
        out.push(le ? b.readFloatLE(p) : b.readFloatBE(p));
        break;
      case 'FD':
        out.push(le ? b.readDoubleLE(p) : b.readDoubleBE(p));
        break;
      case 'AT':
        out.push((((le ? b.readUInt16LE(p) : b.readUInt16BE(p)) << 16) | (le ? b.readUInt16LE(p + 2) : b.readUInt16BE(p + 2))) >>> 0);
        break;
      case 'SV':
        out.push(Number(le ? b.readBigInt64LE(p) : b.readBigInt64BE(p)));
        break;
      case 'UV':
        out.push(Number(le ? b.readBigUInt64LE(p) : b.readBigUInt64BE(p)));
        break;
    }
  }
  return out;
}

function writeBinary(vr: string, values: readonly (string | number)[], le: boolean, tag: number): Buffer {
  const size = SIZES[vr]!;
  const b = Buffer.alloc(size * values.length);
  values.forEach((raw, i) => {
    const v = typeof raw === 'number' ? raw : Number(raw);
    if (Number.isNaN(v) && vr !== 'AT') throw new DataSetError('DATASET_BAD_VALUE', tag, undefined, `"${raw}" is not a number for VR ${vr}`);
    const p = i * size;
    switch (vr) {
      case 'US':
        le ? b.writeUInt16LE(v, p) : b.writeUInt16BE(v, p);
        break;
      case 'SS':
        le ? b.writeInt16LE(v, p) : b.writeInt16BE(v, p);
        break;
      case 'UL':
        le ? b.writeUInt32LE(v, p) : b.writeUInt32BE(v, p);
        break;
      case 'SL':
        le ? b.writeInt32LE(v, p) : b.writeInt32BE(v, p);
        break;
      case 'FL':
        le ? b.writeFloatLE(v, p) : b.writeFloatBE(v, p);
        break;
      case 'FD':
        le ? b.writeDoubleLE(v, p) : b.writeDoubleBE(v, p);
        break;
      case 'AT': {
        const t = typeof raw === 'number' ? raw : parseTag(raw);
        if (t === undefined) throw new DataSetError('DATASET_BAD_VALUE', tag, undefined, `"${raw}" is not a tag`);
        if (le) {
          b.writeUInt16LE(t >>> 16, p);
          b.writeUInt16LE(t & 0xffff, p + 2);
        } else {
          b.writeUInt16BE(t >>> 16, p);
          b.writeUInt16BE(t & 0xffff, p + 2);
        }
        break;
      }
      case 'SV':
        le ? b.writeBigInt64LE(BigInt(v), p) : b.writeBigInt64BE(BigInt(v), p);
        break;
      case 'UV':
        le ? b.writeBigUInt64LE(BigInt(v), p) : b.writeBigUInt64BE(BigInt(v), p);
        break;
    }
  });
  return b;
}

function buildElement(ds: DataSet, tag: number, vr: string, value: ElementValue): DataElement {
  if (value === null || value === undefined || value === '') return { tag, vr, bytes: Buffer.alloc(0), ...(vr === 'SQ' && { items: [] }) };
  if (Buffer.isBuffer(value)) return { tag, vr, bytes: value };
  if (vr === 'SQ') {
    if (!Array.isArray(value)) throw new DataSetError('DATASET_BAD_VALUE', tag, undefined, `${tagName(tag)} is a sequence: give a list of items`);
    const items = (value as DataSetInput[]).map((item) => {
      const child = DataSet.from(item, { littleEndian: ds.littleEndian, parent: ds });
      child.parent = ds;
      return child;
    });
    return { tag, vr, bytes: Buffer.alloc(0), items };
  }
  const info = vrInfo(vr);
  if (!info) throw new DataSetError('DATASET_BAD_VR', tag, undefined, `unknown VR "${vr}"`);
  const list = (Array.isArray(value) ? value : [value]) as readonly (string | number)[];
  if (info.size !== undefined) return { tag, vr, bytes: writeBinary(vr, list, ds.littleEndian, tag) };
  if (!info.text) {
    throw new DataSetError('DATASET_BAD_VALUE', tag, undefined, `${tagName(tag)} (${vr}) takes raw bytes (a Buffer)`);
  }
  const text = list.map(String).join('\\');
  const encoded = info.charset && tag !== SPECIFIC_CHARACTER_SET ? ds.characterSet.encode(text) : Buffer.from(text, 'latin1');
  if (!info.charset && /[^\x00-\xff]/.test(text)) {
    throw new DataSetError('DATASET_BAD_VALUE', tag, undefined, `${tagName(tag)} (${vr}) uses the default repertoire only: "${text}"`);
  }
  // PS3.5 6.2: values are padded to an even length, UI with NUL, text with a space.
  const bytes = encoded.length % 2 === 1 ? Buffer.concat([encoded, Buffer.of(info.pad)]) : encoded;
  return { tag, vr, bytes };
}

/** The dictionary entry's keyword for display, with the VR. */
export function describeElement(e: DataElement): string {
  const entry = entryForTag(e.tag);
  return `${formatTag(e.tag)} ${entry?.keyword ?? 'unknown'} ${e.vr}`;
}
