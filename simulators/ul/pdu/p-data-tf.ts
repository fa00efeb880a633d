import type { ByteReader } from '../../wire/byte-reader.ts';
import type { ByteWriter } from '../../wire/byte-writer.ts';
import type { PDataTfPdu, PresentationDataValue } from './pdus.ts';

/** P-DATA-TF, PS3.8 Table 9-22: one or more PDV items (Table 9-23) that fill the PDU exactly. */
export function decodePDataTf(r: ByteReader): PDataTfPdu {
  const pdvs: PresentationDataValue[] = [];
  if (r.remaining === 0) r.fail('DECODE_INVALID_VALUE', 'presentation-data-value items', 'a P-DATA-TF holds at least one PDV item');
  while (r.remaining > 0) {
    const at = r.pos;
    const length = r.u32be('PDV item-length');
    if (length < 2) r.fail('DECODE_INVALID_VALUE', 'PDV item-length', `${length} is less than the 2 bytes of context ID and control header`, at);
    const body = r.sub(length, 'Presentation Data Value Item', 'PDV item-length');
    const contextId = body.u8('presentation-context-ID');
    const messageControlHeader = body.u8('message control header');
    pdvs.push({ contextId, messageControlHeader, data: body.rest('presentation-data-value') });
  }
  return { type: 0x04, pdvs };
}

export function encodePDataTf(w: ByteWriter, pdu: PDataTfPdu): void {
  for (const pdv of pdu.pdvs) {
    w.u32be(pdv.lengthOverride ?? pdv.data.length + 2)
      .u8(pdv.contextId)
      .u8(pdv.messageControlHeader)
      .bytes(pdv.data);
  }
}

/** The P-DATA-TF PDU-length (bytes after the 6-byte header) for these PDVs. */
export function pDataLength(pdvs: readonly { data: Uint8Array }[]): number {
  let n = 0;
  for (const p of pdvs) n += 6 + p.data.length;
  return n;
}

/**
 * Builds a whole P-DATA-TF PDU in one allocation (the hot path of every DIMSE message).
 * Equivalent to `encodePdu({type: 4, pdvs})`.
 */
export function buildPDataTf(pdvs: readonly PresentationDataValue[]): Buffer {
  const length = pDataLength(pdvs);
  const out = Buffer.allocUnsafe(6 + length);
  out[0] = 0x04;
  out[1] = 0;
  out.writeUInt32BE(length, 2);
  let p = 6;
  for (const pdv of pdvs) {
    out.writeUInt32BE(pdv.data.length + 2, p);
    out[p + 4] = pdv.contextId;
    out[p + 5] = pdv.messageControlHeader;
    out.set(pdv.data, p + 6);
    p += 6 + pdv.data.length;
  }
  return out;
}
