import type { ByteReader } from '../../wire/byte-reader.ts';
import type { ByteWriter } from '../../wire/byte-writer.ts';
import { EncodeError } from '../../wire/errors.ts';
import { decodeVariableItems, encodeVariableItem } from './item-codec.ts';
import type { AssociateAcPdu, AssociateRqPdu } from './pdus.ts';

/** A-ASSOCIATE-RQ (PS3.8 Table 9-11) and A-ASSOCIATE-AC (Table 9-17) share one layout. */
export function decodeAssociate(r: ByteReader, type: 0x01 | 0x02): AssociateRqPdu | AssociateAcPdu {
  const protocolVersion = r.u16be('protocol-version');
  const reservedBytes9to10 = r.u16be('reserved (bytes 9-10)');
  const calledAeTitle = r.ascii(16, 'called-AE-title');
  const callingAeTitle = r.ascii(16, 'calling-AE-title');
  const reserved = r.bytes(32, 'reserved (bytes 43-74)');
  const items = decodeVariableItems(r);
  const pdu: AssociateRqPdu | AssociateAcPdu = { type, protocolVersion, calledAeTitle, callingAeTitle, items };
  if (reservedBytes9to10 !== 0) pdu.reservedBytes9to10 = reservedBytes9to10;
  if (reserved.some((b) => b !== 0)) pdu.reservedBytes43to74 = Buffer.from(reserved);
  return pdu;
}

/** AE titles are 16 bytes, space padded (PS3.8 Table 9-11). */
function writeAeTitle(w: ByteWriter, ae: string, field: string): void {
  if (ae.length > 16) throw new EncodeError('ENCODE_VALUE_OUT_OF_RANGE', 'A-ASSOCIATE', field, `"${ae}" is longer than 16 characters`);
  w.ascii(ae.padEnd(16, ' '), 'A-ASSOCIATE', field);
}

export function encodeAssociate(w: ByteWriter, pdu: AssociateRqPdu | AssociateAcPdu): void {
  w.u16be(pdu.protocolVersion).u16be(pdu.reservedBytes9to10 ?? 0);
  writeAeTitle(w, pdu.calledAeTitle, 'called-AE-title');
  writeAeTitle(w, pdu.callingAeTitle, 'calling-AE-title');
  if (pdu.reservedBytes43to74) {
    if (pdu.reservedBytes43to74.length !== 32) {
      throw new EncodeError('ENCODE_VALUE_OUT_OF_RANGE', 'A-ASSOCIATE', 'reserved (bytes 43-74)', 'must be 32 bytes');
    }
    w.bytes(pdu.reservedBytes43to74);
  } else {
    w.zeros(32);
  }
  for (const item of pdu.items) encodeVariableItem(w, item);
}
