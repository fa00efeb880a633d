import type { ByteReader } from '../../wire/byte-reader.ts';
import type { ByteWriter } from '../../wire/byte-writer.ts';
import type { AssociateRjPdu } from './pdus.ts';

/** A-ASSOCIATE-RJ, PS3.8 Table 9-21: reserved, result, source, reason/diag. */
export function decodeAssociateRj(r: ByteReader): AssociateRjPdu {
  r.u8('reserved (byte 7)');
  const result = r.u8('result');
  const source = r.u8('source');
  const reason = r.u8('reason/diag.');
  if (r.remaining !== 0) r.fail('DECODE_LENGTH_MISMATCH', 'PDU-length', `must be 4, has ${r.remaining} extra byte(s)`);
  return { type: 0x03, result, source, reason };
}

export function encodeAssociateRj(w: ByteWriter, pdu: AssociateRjPdu): void {
  w.u8(0).u8(pdu.result).u8(pdu.source).u8(pdu.reason);
}
