import { DecodeError } from './errors.ts';

/**
 * Bounds-checked cursor over a byte buffer. Every read names the field it reads so a
 * truncated or overlong structure is reported with the field and the offset.
 * Offsets in errors are relative to `origin` (the start of the enclosing PDU or message).
 */
export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    readonly structure: string,
    start = 0,
    readonly end = buf.length,
    readonly origin = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get offset(): number {
    return this.pos - this.origin;
  }

  private need(n: number, field: string): void {
    if (this.end - this.pos < n) {
      throw new DecodeError(
        'DECODE_TRUNCATED',
        this.structure,
        field,
        this.pos - this.origin,
        `needs ${n} byte(s), ${this.end - this.pos} left`,
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16be(field: string): number {
    this.need(2, field);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32be(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    const v = b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    return v;
  }

  u16le(field: string): number {
    this.need(2, field);
    const b = this.buf;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }

  u32le(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    const v = b[p]! + ((b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
    this.pos += 4;
    return v;
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The next n bytes as ISO 646 / Latin-1 text, exactly as sent (no trimming). */
  ascii(n: number, field: string): string {
    return latin1(this.bytes(n, field));
  }

  rest(field: string): Uint8Array {
    return this.bytes(this.remaining, field);
  }

  /**
   * A child reader over the next `length` bytes (a length-prefixed item); advances past them.
   * Fails with DECODE_LENGTH_OVERRUN when the length reaches beyond this reader's end.
   */
  sub(length: number, structure: string, field: string): ByteReader {
    if (length > this.end - this.pos) {
      throw new DecodeError(
        'DECODE_LENGTH_OVERRUN',
        this.structure,
        field,
        this.pos - this.origin,
        `${structure} declares ${length} byte(s) but only ${this.end - this.pos} remain`,
      );
    }
    const child = new ByteReader(this.buf, structure, this.pos, this.pos + length, this.origin);
    this.pos += length;
    return child;
  }

  fail(code: 'DECODE_INVALID_VALUE' | 'DECODE_LENGTH_MISMATCH', field: string, detail: string, at = this.pos): never {
    throw new DecodeError(code, this.structure, field, at - this.origin, detail);
  }
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
