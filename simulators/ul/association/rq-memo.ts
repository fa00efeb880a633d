import { BytesMemo, deepFreeze } from '../../wire/bytes-memo.ts';
import type { AssociateAcPdu, AssociateRqPdu } from '../pdu/pdus.ts';
import type { AcceptedContext, AssociateRequest } from './parameters.ts';
import type { NegotiationDecision } from './negotiation.ts';
import type { Problem } from './validate.ts';

/** What an acceptor learnt from one A-ASSOCIATE-RQ, all of it a pure function of the RQ's bytes. */
export interface SeenRq {
  /** Decoded once and frozen: every association that sends these bytes shares it. */
  pdu: AssociateRqPdu;
  problems: Problem[];
  /** The decision, when no policy hook could make it differ between two associations. */
  negotiated?: {
    request: AssociateRequest;
    decision: NegotiationDecision;
    ac: { pdu: AssociateAcPdu; raw: Buffer } | undefined;
    /** The accepted presentation contexts, when the decision is to accept. */
    contexts: ReadonlyMap<number, AcceptedContext> | undefined;
  };
}

/**
 * The A-ASSOCIATE-RQs an acceptor has seen, by their exact bytes (at most `limit`, oldest
 * dropped first). A peer that associates again and again sends the same RQ each time: it is
 * decoded, checked and negotiated once.
 */
export class RqMemo {
  private readonly memo: BytesMemo<SeenRq>;
  private readonly byPdu = new WeakMap<AssociateRqPdu, SeenRq>();

  constructor(limit = 256) {
    this.memo = new BytesMemo(limit);
  }

  /** The entry for these exact bytes. */
  find(raw: Buffer): SeenRq | undefined {
    return this.memo.find(raw);
  }

  /** The entry whose shared PDU this is. */
  of(pdu: AssociateRqPdu): SeenRq | undefined {
    return this.byPdu.get(pdu);
  }

  /** Decodes and checks new bytes once; a decode error (thrown by `decode`) leaves nothing behind. */
  add(raw: Buffer, decode: (raw: Buffer) => AssociateRqPdu, validate: (pdu: AssociateRqPdu) => Problem[]): SeenRq {
    return this.memo.add(raw, (copy) => {
      const pdu = decode(copy);
      const seen: SeenRq = { pdu: deepFreeze(pdu), problems: validate(pdu) };
      this.byPdu.set(seen.pdu, seen);
      return seen;
    });
  }
}
