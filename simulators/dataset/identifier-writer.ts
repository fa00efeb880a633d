import type { DataElement } from './data-set.ts';
import { DataSet } from './data-set.ts';
import { encodeDataSet } from './encode.ts';
import type { TransferSyntaxInfo } from './transfer-syntax.ts';
import { vrInfo } from './vr.ts';

/**
 * One element of a response plan: fixed bytes, or whatever the entity holds for the tag (zero
 * length when it holds nothing). `source` indexes the value in the array given to `writeText`.
 */
export type PlannedElement = { tag: number; vr: string; fixed: Buffer; source?: undefined } | { tag: number; vr: string; fixed?: undefined; source?: number };

/**
 * Writes flat identifiers fast: the list of tags (sorted once per query) and their headers
 * are fixed, only the values change from entity to entity. Sequences fall back to the generic
 * encoder. This is the hot path of a long Pending stream.
 */
export class IdentifierWriter {
  private readonly plan: PlannedElement[];
  private readonly headers: Buffer[];
  private readonly swap: boolean;
  /** Every planned element is fixed or of a text VR, so `writeText` applies. */
  readonly textOnly: boolean;
  private readonly pads: number[];

  constructor(
    elements: readonly PlannedElement[],
    private readonly ts: TransferSyntaxInfo,
    sourceLittleEndian = true,
  ) {
    this.plan = [...elements].sort((a, b) => a.tag - b.tag);
    this.swap = sourceLittleEndian !== ts.littleEndian;
    this.headers = this.plan.map((p) => {
      const long = ts.explicitVr && vrInfo(p.vr)?.longLength === true;
      const h = Buffer.alloc(ts.explicitVr ? (long ? 12 : 8) : 8);
      if (ts.littleEndian) {
        h.writeUInt16LE(p.tag >>> 16, 0);
        h.writeUInt16LE(p.tag & 0xffff, 2);
      } else {
        h.writeUInt16BE(p.tag >>> 16, 0);
        h.writeUInt16BE(p.tag & 0xffff, 2);
      }
      if (ts.explicitVr) h.write(p.vr, 4, 2, 'latin1');
      return h;
    });
    this.pads = this.plan.map((p) => vrInfo(p.vr)?.pad ?? 0x20);
    this.textOnly = !this.swap && this.plan.every((p) => p.fixed !== undefined || (vrInfo(p.vr)?.text === true && p.source !== undefined));
  }

  /**
   * The hot path of a Pending stream: `texts[source]` is each value as text in the default
   * repertoire (the caller checked), written straight into the output and padded to an even
   * length (PS3.5 6.2) — the same bytes `write` produces, without a buffer per value.
   */
  writeText(texts: readonly (string | undefined)[]): Buffer {
    const plan = this.plan;
    const headers = this.headers;
    let size = 0;
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      const t = p.fixed === undefined ? texts[p.source!] : undefined;
      const n = p.fixed !== undefined ? p.fixed.length : t === undefined ? 0 : t.length + (t.length & 1);
      size += headers[i]!.length + n;
    }
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      const h = headers[i]!;
      const t = p.fixed === undefined ? texts[p.source!] : undefined;
      const n = p.fixed !== undefined ? p.fixed.length : t === undefined ? 0 : t.length + (t.length & 1);
      for (let j = 0; j < h.length; j++) out[at + j] = h[j]!;
      this.writeLength(out, at, h.length, n);
      at += h.length;
      if (p.fixed !== undefined) {
        p.fixed.copy(out, at);
      } else if (t !== undefined && t.length > 0) {
        out.write(t, at, t.length, 'latin1');
        if (t.length & 1) out[at + t.length] = this.pads[i]!;
      }
      at += n;
    }
    return out;
  }

  /** Encodes the identifier for one entity; `get` returns the entity's element for a tag (or undefined). */
  write(get: (tag: number) => DataElement | undefined): Buffer {
    const values: (DataElement | Buffer | undefined)[] = new Array(this.plan.length);
    let size = 0;
    let hasSequence = false;
    for (let i = 0; i < this.plan.length; i++) {
      const p = this.plan[i]!;
      const v = p.fixed ?? get(p.tag);
      values[i] = v;
      if (v && !Buffer.isBuffer(v) && v.items) hasSequence = true;
      size += this.headers[i]!.length + (v === undefined ? 0 : Buffer.isBuffer(v) ? v.length : v.bytes.length);
    }
    if (hasSequence || this.swap) return this.slow(values);
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < this.plan.length; i++) {
      const h = this.headers[i]!;
      const v = values[i];
      const bytes = v === undefined ? EMPTY : Buffer.isBuffer(v) ? v : v.bytes;
      h.copy(out, at);
      const n = bytes.length;
      this.writeLength(out, at, h.length, n);
      at += h.length;
      bytes.copy(out, at);
      at += n;
    }
    return out;
  }

  /** The value length in the element header at `at` (PS3.5 7.1.2: 4 bytes in implicit VR and after a reserved 2 in explicit long VRs, else 2). */
  private writeLength(out: Buffer, at: number, headerLength: number, n: number): void {
    const le = this.ts.littleEndian;
    if (headerLength === 12) {
      out.writeUInt16LE(0, at + 6);
      le ? out.writeUInt32LE(n, at + 8) : out.writeUInt32BE(n, at + 8);
    } else if (this.ts.explicitVr) {
      le ? out.writeUInt16LE(n, at + 6) : out.writeUInt16BE(n, at + 6);
    } else {
      le ? out.writeUInt32LE(n, at + 4) : out.writeUInt32BE(n, at + 4);
    }
  }

  private slow(values: (DataElement | Buffer | undefined)[]): Buffer {
    const ds = new DataSet(true);
    this.plan.forEach((p, i) => {
      const v = values[i];
      if (v === undefined) ds.put({ tag: p.tag, vr: p.vr, bytes: EMPTY, ...(p.vr === 'SQ' && { items: [] }) });
      else if (Buffer.isBuffer(v)) ds.put({ tag: p.tag, vr: p.vr, bytes: v });
      else ds.put({ ...v, offset: undefined });
    });
    return encodeDataSet(ds, this.ts);
  }
}

const EMPTY = Buffer.alloc(0);
