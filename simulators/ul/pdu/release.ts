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
