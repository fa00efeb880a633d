import { EncodeError } from './errors.ts';

/** Growable big/little-endian byte writer. Lengths can be back-patched once the content is known. */
export class ByteWriter {
  private buf: Buffer;
  pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16be(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  u32be(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  u16le(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  u32le(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Text as single bytes (ISO 646 / Latin-1). Characters above U+00FF are an encode error. */
  ascii(s: string, structure = 'text', field = 'value'): this {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw new EncodeError('ENCODE_INVALID_VALUE', structure, field, `character U+${c.toString(16)} is not a single byte`);
      this.buf[this.pos++] = c;
    }
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Reserve a 16- or 32-bit big-endian length and return a function that patches it to the bytes written since. */
  lengthBE(size: 2 | 4, override?: number): () => void {
    const at = this.pos;
    if (size === 2) this.u16be(0);
    else this.u32be(0);
    const start = this.pos;
    return () => {
      const len = override ?? this.pos - start;
      if (size === 2) this.buf.writeUInt16BE(len & 0xffff, at);
      else this.buf.writeUInt32BE(len >>> 0, at);
    };
  }

  /** The bytes written so far (a view of the internal buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
