import { ByteReader } from '../../wire/byte-reader.ts';
import { ByteWriter } from '../../wire/byte-writer.ts';
import { decodeAbort, encodeAbort } from './abort.ts';
import { decodeAssociate, encodeAssociate } from './associate.ts';
import { decodeAssociateRj, encodeAssociateRj } from './associate-rj.ts';
import { pduTypeName } from './constants.ts';
import { decodePDataTf, encodePDataTf } from './p-data-tf.ts';
import type { KnownPdu, Pdu } from './pdus.ts';
import { isUnknownPdu } from './pdus.ts';
import { decodeRelease, encodeRelease } from './release.ts';

interface PduCodec {
  name: string;
  decode(r: ByteReader): KnownPdu;
  encode(w: ByteWriter, pdu: KnownPdu): void;
}

/** One row per PDU type of PS3.8 9.3. */
const codecs: Record<number, PduCodec> = {
  0x01: { name: 'A-ASSOCIATE-RQ', decode: (r) => decodeAssociate(r, 0x01), encode: (w, p) => encodeAssociate(w, p as never) },
  0x02: { name: 'A-ASSOCIATE-AC', decode: (r) => decodeAssociate(r, 0x02), encode: (w, p) => encodeAssociate(w, p as never) },
  0x03: { name: 'A-ASSOCIATE-RJ', decode: decodeAssociateRj, encode: (w, p) => encodeAssociateRj(w, p as never) },
  0x04: { name: 'P-DATA-TF', decode: decodePDataTf, encode: (w, p) => encodePDataTf(w, p as never) },
  0x05: { name: 'A-RELEASE-RQ', decode: (r) => decodeRelease(r, 0x05), encode: (w, p) => encodeRelease(w, p as never) },
  0x06: { name: 'A-RELEASE-RP', decode: (r) => decodeRelease(r, 0x06), encode: (w, p) => encodeRelease(w, p as never) },
  0x07: { name: 'A-ABORT', decode: decodeAbort, encode: (w, p) => encodeAbort(w, p as never) },
};

export function isKnownPduType(type: number): boolean {
  return type in codecs;
}

/**
 * Decodes one whole PDU (6-byte header included). Throws DecodeError naming the PDU, the
 * field and the offset from the start of the PDU. An unknown type decodes to an UnknownPdu.
 */
export function decodePdu(bytes: Uint8Array): Pdu {
  const head = new ByteReader(bytes, 'PDU header');
  const type = head.u8('PDU-type');
  const reserved = head.u8('reserved (byte 2)');
  const length = head.u32be('PDU-length');
  if (length !== bytes.length - 6) {
    head.fail('DECODE_LENGTH_MISMATCH', 'PDU-length', `declares ${length} byte(s) but ${bytes.length - 6} follow the header`, 2);
  }
  const codec = codecs[type];
  let pdu: Pdu;
  if (!codec) {
    pdu = { type, body: bytes.subarray(6), unknown: true };
  } else {
    pdu = codec.decode(new ByteReader(bytes, codec.name, 6, bytes.length, 0));
  }
  if (reserved !== 0) pdu.reserved = reserved;
  return pdu;
}

/** Encodes any PDU, including forbidden forms the fields describe (reserved bits, false lengths, unknown types). */
export function encodePdu(pdu: Pdu): Buffer {
  const w = new ByteWriter(pdu.type === 0x04 ? 64 : 512);
  w.u8(pdu.type).u8(pdu.reserved ?? 0);
  const done = w.lengthBE(4, pdu.lengthOverride);
  if (isUnknownPdu(pdu)) w.bytes(pdu.body);
  else codecs[pdu.type]!.encode(w, pdu);
  done();
  return Buffer.from(w.finish());
}

export { pduTypeName };
