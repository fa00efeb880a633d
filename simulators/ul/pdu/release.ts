import type { ByteReader } from '../../wire/byte-reader.ts';
import type { ByteWriter } from '../../wire/byte-writer.ts';
import type { ReleaseRpPdu, ReleaseRqPdu } from './pdus.ts';

/** A-RELEASE-RQ / A-RELEASE-RP, PS3.8 Tables 9-24/9-25: four reserved bytes. */
export function decodeRelease(r: ByteReader, type: 0x05 | 0x06): ReleaseRqPdu | ReleaseRpPdu {
  const reservedBody = r.u32be('reserved (bytes 7-10)');
  if (r.remaining !== 0) r.fail('DECODE_LENGTH_MISMATCH', 'PDU-length', `must be 4, has ${r.remaining} extra byte(s)`);
  const pdu: ReleaseRqPdu | ReleaseRpPdu = { type };
  if (reservedBody !== 0) pdu.reservedBody = reservedBody;
  return pdu;
}

export function encodeRelease(w: ByteWriter, pdu: ReleaseRqPdu | ReleaseRpPdu): void {
  w.u32be(pdu.reservedBody ?? 0);
}

const PLAIN_RQ: ReleaseRqPdu = Object.freeze({ type: 0x05 });
const PLAIN_RP: ReleaseRpPdu = Object.freeze({ type: 0x06 });
/** Type, reserved, PDU-length 4, four reserved bytes. */
const PLAIN_RQ_BYTES = Uint8Array.of(0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0);
const PLAIN_RP_BYTES = Uint8Array.of(0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0);

/** The A-RELEASE-RQ or -RP the state machine sends (reserved fields zero) and its ten bytes, a fresh copy each time. */
export function plainRelease(type: 0x05 | 0x06): { pdu: ReleaseRqPdu | ReleaseRpPdu; raw: Buffer } {
  const raw = Buffer.allocUnsafe(10);
  raw.set(type === 0x05 ? PLAIN_RQ_BYTES : PLAIN_RP_BYTES);
  return { pdu: type === 0x05 ? PLAIN_RQ : PLAIN_RP, raw };
}
