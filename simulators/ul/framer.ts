import { pduTypeName } from './pdu/constants.ts';
import { ProtocolError } from './errors.ts';

export interface FramedPdu {
  type: number;
  /** The whole PDU, 6-byte header included. */
  bytes: Buffer;
}

export interface FramerLimits {
  /** Largest P-DATA-TF PDU-length accepted: our announced Maximum Length (0 = no limit, capped by `hardLimit`). */
  maxPDataLength: number;
  /** Largest PDU-length accepted for every other PDU type (any type byte, known or not). */
  maxOtherLength: number;
  /** Absolute cap, whatever was announced. */
  hardLimit: number;
}

export const defaultFramerLimits: FramerLimits = {
  maxPDataLength: 0,
  maxOtherLength: 1 << 20,
  hardLimit: 64 << 20,
};

/**
 * Splits a TCP byte stream into PDUs using only the common header (PS3.8 9.3.1): type byte
 * and 32-bit PDU-length. Any type byte is framed, so an unknown PDU can be reported (Evt19)
 * rather than lost. A length over the limit is reported as soon as the header arrives,
 * before its body is buffered. Keeps leftover bytes between chunks; copies only when a PDU
 * spans chunks.
 */
export class PduFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = 0;
  private expectedType = -1;
  private failed = false;

  constructor(public limits: FramerLimits = defaultFramerLimits) {}

  /** Bytes received that do not yet form a whole PDU. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The type byte and declared total size of the PDU being received, when its header has arrived. */
  get partial(): { type: number; expected: number; received: number } | undefined {
    if (this.buffered === 0) return undefined;
    return { type: this.expectedType, expected: this.expected, received: this.buffered };
  }

  /**
   * Feeds bytes; calls `onPdu` for each whole PDU. Returns a ProtocolError (and ignores all
   * later input) when a header announces a PDU that is too long.
   */
  push(chunk: Buffer, onPdu: (pdu: FramedPdu) => boolean | void): ProtocolError | undefined {
    if (this.failed) return undefined;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected === 0) {
        if (this.buffered < 6) return undefined;
        const head = this.peek(6);
        const type = head[0]!;
        const length = head.readUInt32BE(2);
        const limit = this.limitFor(type);
        if (length > limit) {
          this.failed = true;
          this.expectedType = type;
          return new ProtocolError(
            'UL_PDU_TOO_LONG',
            `${pduTypeName(type)} announces a PDU-length of ${length}, more than the ${limit} accepted`,
            6,
          );
        }
        this.expected = 6 + length;
        this.expectedType = type;
      }
      if (this.buffered < this.expected) return undefined;
      const bytes = this.take(this.expected);
      const type = this.expectedType;
      this.expected = 0;
      if (onPdu({ type, bytes }) === false) {
        this.failed = true;
        return undefined;
      }
    }
  }

  private limitFor(type: number): number {
    const l = this.limits;
    if (type === 0x04) return l.maxPDataLength === 0 ? l.hardLimit : Math.min(l.maxPDataLength, l.hardLimit);
    return Math.min(l.maxOtherLength, l.hardLimit);
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const merged = Buffer.concat(this.chunks);
    this.chunks = [merged];
    return merged;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length === n) {
      // The usual case: the chunk is exactly one PDU.
      out = first;
      this.chunks.shift();
    } else if (first.length > n) {
      out = first.subarray(0, n);
      this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const want = n - filled;
        if (c.length <= want) {
          c.copy(out, filled);
          filled += c.length;
          this.chunks.shift();
        } else {
          c.copy(out, filled, 0, want);
          this.chunks[0] = c.subarray(want);
          filled += want;
        }
      }
    }
    this.buffered -= n;
    return out;
  }
}
