import { SopClass } from '../dimse/sop-classes.ts';
import type { Negotiated } from './query.ts';
import { NONE_NEGOTIATED } from './query.ts';

/** The C-FIND extended negotiation bytes, PS3.4 Table C.5-1 (Q/R) — byte n is field n-1 here. */
const QR_FIELDS: readonly (keyof Negotiated | 'enhanced')[] = ['relational', 'dateTime', 'fuzzy', 'timezone', 'enhanced', 'emptyValue', 'multipleValue'];

/** What an application information field says was agreed (missing bytes count as 0, C.5.1.1). */
export function negotiatedFrom(sopClassUid: string, info: Uint8Array | undefined): Negotiated {
  if (!info) return NONE_NEGOTIATED;
  if (sopClassUid === SopClass.ModalityWorklistFind) {
    // PS3.4 Table K.5.1-1: bytes 1 and 2 reserved, byte 3 fuzzy, byte 4 timezone.
    return { ...NONE_NEGOTIATED, fuzzy: info[2] === 1, timezone: info[3] === 1 };
  }
  const n: Negotiated = { ...NONE_NEGOTIATED };
  QR_FIELDS.forEach((f, i) => {
    if (f !== 'enhanced' && info[i] === 1) n[f] = true;
  });
  return n;
}

/**
 * The acceptor's answer to a C-FIND SOP Class Extended Negotiation sub-item (PS3.4 C.5.1.1,
 * K.5.1): as many bytes as offered (at most 7, or 4 for the worklist), each 1 only where the
 * requestor offered 1 and we support it.
 */
export function answerFindExtendedNegotiation(supported: Partial<Negotiated>): (sopClassUid: string, requested: Uint8Array) => Uint8Array | undefined {
  return (sopClassUid, requested) => {
    if (requested.length === 0) return undefined;
    if (sopClassUid === SopClass.ModalityWorklistFind) {
      const out = Uint8Array.from(requested.subarray(0, 4));
      if (out.length > 0) out[0] = 1;
      if (out.length > 1) out[1] = 1;
      if (out.length > 2) out[2] = requested[2] === 1 && supported.fuzzy ? 1 : 0;
      if (out.length > 3) out[3] = requested[3] === 1 && supported.timezone ? 1 : 0;
      return out;
    }
    const out = new Uint8Array(Math.min(requested.length, QR_FIELDS.length));
    for (let i = 0; i < out.length; i++) {
      const f = QR_FIELDS[i]!;
      out[i] = requested[i] === 1 && f !== 'enhanced' && supported[f] === true ? 1 : 0;
    }
    return out;
  };
}
