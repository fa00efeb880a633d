import { buildPDataTf } from '../ul/pdu/p-data-tf.ts';
import type { PDataTfPdu, PresentationDataValue } from '../ul/pdu/pdus.ts';

export interface OutgoingPdu {
  pdu: PDataTfPdu;
  raw: Buffer;
}

export interface FragmentOptions {
  /** Largest fragment per PDV, below what the peer's maximum allows (fault scripts use 1 or 2). */
  maxFragmentLength?: number;
  /** One PDV per P-DATA-TF even when several would fit. */
  onePdvPerPdu?: boolean;
  /** Send the whole message in one P-DATA-TF whatever the peer's maximum (a fault). */
  ignorePeerMax?: boolean;
}

/** Message control header bits, PS3.8 E.2. */
const COMMAND = 0x01;
const LAST = 0x02;

function split(data: Buffer, size: number, command: boolean, contextId: number, out: PresentationDataValue[]): void {
  if (data.length === 0) {
    out.push({ contextId, messageControlHeader: (command ? COMMAND : 0) | LAST, data });
    return;
  }
  for (let at = 0; at < data.length; at += size) {
    const end = Math.min(at + size, data.length);
    out.push({ contextId, messageControlHeader: (command ? COMMAND : 0) | (end === data.length ? LAST : 0), data: data.subarray(at, end) });
  }
}

function pduOf(pdvs: PresentationDataValue[]): OutgoingPdu {
  return { pdu: { type: 0x04, pdvs }, raw: buildPDataTf(pdvs) };
}

/**
 * Cuts one DIMSE message into PDVs and P-DATA-TF PDUs that respect the peer's Maximum Length
 * (PS3.8 D.1: the PDU-length counts the 6-byte PDV headers; 0 = no limit). Command fragments
 * come first, all on one presentation context (PS3.8 E.1); PDVs of the same message share a
 * PDU when they fit.
 */
export function fragmentMessage(contextId: number, command: Buffer, dataSet: Buffer | undefined, peerMaxPduLength: number, o: FragmentOptions = {}): OutgoingPdu[] {
  const limit = peerMaxPduLength === 0 || o.ignorePeerMax ? Number.MAX_SAFE_INTEGER : peerMaxPduLength;
  if (o.maxFragmentLength === undefined && !o.onePdvPerPdu && 6 + command.length + (dataSet ? 6 + dataSet.length : 0) <= limit) {
    // The common case: the whole message fits in one P-DATA-TF, one PDV for each part.
    const pdvs: PresentationDataValue[] = [{ contextId, messageControlHeader: COMMAND | LAST, data: command }];
    if (dataSet) pdvs.push({ contextId, messageControlHeader: LAST, data: dataSet });
    return [pduOf(pdvs)];
  }
  // Each PDV costs 6 bytes of header; fragments stay even (PS3.8 E.1) and at least 2 bytes.
  let size = limit - 6;
  size = Math.max(2, size - (size % 2));
  if (o.maxFragmentLength !== undefined) size = Math.max(1, Math.min(size, o.maxFragmentLength));
  const pdvs: PresentationDataValue[] = [];
  split(command, size, true, contextId, pdvs);
  if (dataSet) split(dataSet, size, false, contextId, pdvs);
  const out: OutgoingPdu[] = [];
  let current: PresentationDataValue[] = [];
  let length = 0;
  for (const pdv of pdvs) {
    const cost = 6 + pdv.data.length;
    if (current.length > 0 && (o.onePdvPerPdu || length + cost > limit)) {
      out.push(pduOf(current));
      current = [];
      length = 0;
    }
    current.push(pdv);
    length += cost;
  }
  if (current.length > 0) out.push(pduOf(current));
  return out;
}
