import type { ByteReader } from '../../wire/byte-reader.ts';
import type { ByteWriter } from '../../wire/byte-writer.ts';
import type { AbortPdu } from './pdus.ts';

/** A-ABORT, PS3.8 Table 9-26: two reserved bytes, source, reason/diag. */
export function decodeAbort(r: ByteReader): AbortPdu {
  const reservedBytes7to8 = r.u16be('reserved (bytes 7-8)');
  const source = r.u8('source');
  const reason = r.u8('reason/diag.');
  if (r.remaining !== 0) r.fail('DECODE_LENGTH_MISMATCH', 'PDU-length', `must be 4, has ${r.remaining} extra byte(s)`);
  const pdu: AbortPdu = { type: 0x07, source, reason };
  if (reservedBytes7to8 !== 0) pdu.reservedBytes7to8 = reservedBytes7to8;
  return pdu;
}

export function encodeAbort(w: ByteWriter, pdu: AbortPdu): void {
  w.u16be(pdu.reservedBytes7to8 ?? 0).u8(pdu.source).u8(pdu.reason);
}
