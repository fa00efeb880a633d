import type { AssociateAcPdu, AssociateRqPdu } from '../pdu/pdus.ts';
import type { AssociateRequest } from './parameters.ts';
import type { NegotiationDecision } from './negotiation.ts';
import type { Problem } from './validate.ts';

/** What an acceptor learnt from one A-ASSOCIATE-RQ, all of it a pure function of the RQ's bytes. */
export interface SeenRq {
  /** The exact bytes (a copy). */
  raw: Buffer;
  /** Decoded once and frozen: every association that sends these bytes shares it. */
  pdu: AssociateRqPdu;
  problems: Problem[];
  /** The decision, when no policy hook could make it differ between two associations. */
  negotiated?: { request: AssociateRequest; decision: NegotiationDecision; ac: { pdu: AssociateAcPdu; raw: Buffer } | undefined };
}

/**
 * The A-ASSOCIATE-RQs an acceptor has seen, by their exact bytes (at most `limit`, oldest
 * dropped first). A peer that associates again and again sends the same RQ each time: it is
 * decoded, checked and negotiated once.
 */
export class RqMemo {
  private last: SeenRq | undefined;
  private readonly byBytes = new Map<string, SeenRq>();
  private readonly byPdu = new WeakMap<AssociateRqPdu, SeenRq>();

  constructor(private readonly limit = 256) {}

  /** The entry for these exact bytes. */
  find(raw: Buffer): SeenRq | undefined {
    const last = this.last;
    if (last && last.raw.length === raw.length && last.raw.equals(raw)) return last;
    const hit = this.byBytes.get(raw.toString('latin1'));
    if (hit) this.last = hit;
    return hit;
  }

  /** The entry whose shared PDU this is. */
  of(pdu: AssociateRqPdu): SeenRq | undefined {
    return this.byPdu.get(pdu);
  }

  add(raw: Buffer, pdu: AssociateRqPdu, problems: Problem[]): SeenRq {
    if (this.byBytes.size >= this.limit) {
      const oldest = this.byBytes.keys().next().value!;
      this.byBytes.delete(oldest);
    }
    const seen: SeenRq = { raw: Buffer.from(raw), pdu: deepFreeze(pdu), problems };
    this.byBytes.set(seen.raw.toString('latin1'), seen);
    this.byPdu.set(seen.pdu, seen);
    this.last = seen;
    return seen;
  }
}

/** Freezes a decoded PDU and everything in it but byte arrays (which cannot be frozen). */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
