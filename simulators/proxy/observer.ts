import { MessageAssembler } from '../dimse/assembler.ts';
import type { AssembledMessage } from '../dimse/assembler.ts';
import { CommandField, commandFieldName } from '../dimse/command-fields.ts';
import type { DataSet } from '../dataset/data-set.ts';
import { decodeDataSet } from '../dataset/decode.ts';
import { DataSetError } from '../dataset/errors.ts';
import { transferSyntax } from '../dataset/transfer-syntax.ts';
import { wireObservation } from '../conformance/wire-problems.ts';
import { acceptFromPdu, requestFromPdu } from '../ul/association/pdu-mapping.ts';
import type { AssociateRequest } from '../ul/association/parameters.ts';
import { validateAssociateAc, validateAssociateRq } from '../ul/association/validate.ts';
import type { Problem } from '../ul/association/validate.ts';
import { ProtocolError } from '../ul/errors.ts';
import { PduFramer } from '../ul/framer.ts';
import type { FramerLimits } from '../ul/framer.ts';
import { pduTypeName } from '../ul/pdu/constants.ts';
import { decodePdu } from '../ul/pdu/registry.ts';
import { isUnknownPdu } from '../ul/pdu/pdus.ts';
import type { AssociateAcPdu, AssociateRqPdu, KnownPdu, Pdu } from '../ul/pdu/pdus.ts';
import { describeAbort, describeReject } from '../ul/reasons.ts';
import { DecodeError } from '../wire/errors.ts';
import { ExchangeRules, ruleOf } from './exchanges.ts';
import type { ExchangeRulesOptions } from './exchanges.ts';
import { senderOf } from './events.ts';
import type { AcceptedContextInfo, CloseCause, Direction, ObserverEvent, ProxyFinding, Side } from './events.ts';

/**
 * A passive observer of one proxied connection: fed the chunks read from either side, it frames
 * each direction into PDUs, decodes them with the product's decoders, follows the association
 * (A-ASSOCIATE-RQ → AC/RJ, accepted contexts, Maximum Lengths), reassembles DIMSE messages and
 * judges what each side sent by the rules the conformance checks apply. It never answers: a
 * breach is an event, and decoding goes on where the bytes allow.
 */

/** Any type byte is framed; a header announcing more than these is garbage, not a PDU (the rest of that direction is then left undecoded). */
const FRAMING: FramerLimits = { maxPDataLength: 0, maxOtherLength: 1 << 20, hardLimit: 64 << 20 };

type Phase = 'idle' | 'requested' | 'established' | 'releasing' | 'released' | 'rejected' | 'aborted';

const PHASE_WORDS: Record<Phase, string> = {
  idle: 'before any A-ASSOCIATE-RQ',
  requested: 'while the A-ASSOCIATE-RQ awaited its answer',
  established: 'on the established association',
  releasing: 'during the release',
  released: 'after the release',
  rejected: 'after the rejection',
  aborted: 'after the A-ABORT',
};

export type ObserverEventBody = ObserverEvent extends infer E ? (E extends ObserverEvent ? Omit<E, 'connection' | 't'> : never) : never;

export interface ObserverOptions {
  connection: string;
  emit(e: ObserverEvent): void;
  judgeFindRequest?: ExchangeRulesOptions['judgeFindRequest'];
}

export class ConnectionObserver {
  private readonly framers: Record<Direction, PduFramer> = { c2s: new PduFramer(FRAMING), s2c: new PduFramer(FRAMING) };
  /** Stream offset of the next PDU in each direction. */
  private readonly offsets: Record<Direction, number> = { c2s: 0, s2c: 0 };
  /** Directions whose framing was lost: their bytes are no longer decoded. */
  private readonly lost: Record<Direction, boolean> = { c2s: false, s2c: false };
  private phase: Phase = 'idle';
  private rq: AssociateRqPdu | undefined;
  private request: AssociateRequest | undefined;
  private readonly contexts = new Map<number, AcceptedContextInfo>();
  /** The archive's SOP Class Extended Negotiation answers, by SOP class. */
  private readonly extended = new Map<string, Uint8Array>();
  /** The Maximum Length announced by the receiver of each direction (0: no limit). */
  private readonly maxLength: Record<Direction, number> = { c2s: 0, s2c: 0 };
  private readonly window: Record<Side, number> = { client: 1, archive: 1 };
  private assemblers: Record<Direction, MessageAssembler> | undefined;
  private releaseBy: Side | undefined;
  private abortedBy: Side | undefined;
  private readonly rules: ExchangeRules;
  /** Time of the chunk being read. */
  private t = 0;

  constructor(private readonly o: ObserverOptions) {
    this.rules = new ExchangeRules((f) => this.report(f), {
      window: (side) => this.window[side],
      ...(o.judgeFindRequest && { judgeFindRequest: o.judgeFindRequest }),
    });
  }

  /** Bytes read from one side, exactly as read. */
  push(dir: Direction, chunk: Buffer, t: number): void {
    if (this.lost[dir]) return;
    this.t = t;
    const tooLong = this.framers[dir].push(chunk, (f) => this.onPdu(dir, f.bytes));
    if (tooLong) {
      this.lost[dir] = true;
      this.fail(senderOf(dir), 'PS3.8 9.3.1', 'pdu-too-long', `at byte ${this.offsets[dir]} of its stream: ${tooLong.message}; the rest of this direction is forwarded undecoded`, dir);
    }
  }

  /** The connection closed: what was cut short, and how the association ended. */
  end(cause: CloseCause, t: number): void {
    this.t = t;
    if (cause.by === 'proxy') return;
    const closer = cause.by;
    const how = cause.how === 'error' ? `${closer}'s connection failed (${cause.error ?? 'error'})` : `the ${closer} closed the connection`;
    for (const dir of ['c2s', 's2c'] as const) {
      const partial = this.framers[dir].partial;
      if (!partial || this.lost[dir]) continue;
      const what = partial.expected ? `${partial.received} of the ${partial.expected} bytes of a ${pduTypeName(partial.type)}` : `${partial.received} byte(s) of a PDU header`;
      this.fail(closer, 'PS3.8 9.3.1', 'closed-mid-pdu', `${how} mid-PDU: ${what} from the ${senderOf(dir)} had been read (from byte ${this.offsets[dir]} of its stream)`, dir);
    }
    if (this.phase === 'requested' || this.phase === 'established' || this.phase === 'releasing') {
      this.fail(closer, 'PS3.8 7.4', 'closed-without-release', `${how} ${PHASE_WORDS[this.phase]}, without A-RELEASE or A-ABORT: the peer sees an A-P-ABORT`);
    }
    this.rules.end(closer, how);
  }

  private onPdu(dir: Direction, bytes: Buffer): void {
    const offset = this.offsets[dir];
    this.offsets[dir] += bytes.length;
    const sender = senderOf(dir);
    let pdu: Pdu | undefined;
    let error: DecodeError | undefined;
    try {
      pdu = decodePdu(bytes);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      error = e;
    }
    this.emit({ kind: 'pdu', dir, offset, type: bytes[0]!, length: bytes.length, raw: bytes, pdu, ...(error && { error: { code: error.code, message: error.message, offset: error.offset } }) });
    if (!pdu) {
      this.fail(sender, 'PS3.8 9.3', 'undecodable-pdu', `${pduTypeName(bytes[0]!)} at byte ${offset} of its stream cannot be decoded: ${error!.message}`, dir);
      return;
    }
    if (isUnknownPdu(pdu)) {
      this.fail(sender, 'PS3.8 9.3.1', 'unknown-pdu-type', `${pduTypeName(pdu.type)} (${bytes.length} bytes) at byte ${offset} of its stream: not a PDU of PS3.8 9.3`, dir);
      return;
    }
    if (!this.expected(dir, pdu)) {
      // What the other side sent before it read the A-ABORT crossed it on the wire, and a second A-ABORT
      // only repeats the first (Sta13 ignores both, or just closes): no breach.
      if (this.phase === 'aborted' && (sender !== this.abortedBy || pdu.type === 0x07)) return;
      this.fail(sender, 'PS3.8 Table 9-10', 'unexpected-pdu', `${pduTypeName(pdu.type)} from the ${sender} ${PHASE_WORDS[this.phase]}`, dir);
      return;
    }
    this.follow(dir, pdu, bytes);
  }

  /** Whether the PDU may come from this side now (PS3.8 Table 9-10, as seen from the wire). */
  private expected(dir: Direction, pdu: KnownPdu): boolean {
    switch (pdu.type) {
      case 0x01:
        return dir === 'c2s' && this.phase === 'idle';
      case 0x02:
      case 0x03:
        return dir === 's2c' && this.phase === 'requested';
      case 0x04:
        return this.phase === 'established' || this.phase === 'releasing';
      case 0x05:
        return this.phase === 'established' || (this.phase === 'releasing' && this.releaseBy !== senderOf(dir));
      case 0x06:
        return this.phase === 'releasing';
      case 0x07:
        return this.phase !== 'aborted';
    }
  }

  private follow(dir: Direction, pdu: KnownPdu, bytes: Buffer): void {
    const sender = senderOf(dir);
    switch (pdu.type) {
      case 0x01:
        return this.requested(pdu);
      case 0x02:
        return this.accepted(pdu);
      case 0x03:
        this.phase = 'rejected';
        return this.emit({ kind: 'association', phase: 'rejected', description: describeReject(pdu.result, pdu.source, pdu.reason) });
      case 0x04:
        return this.data(dir, pdu, bytes);
      case 0x05:
        // A second A-RELEASE-RQ from the other side is a release collision (PS3.8 7.2): both are answered.
        if (this.phase === 'established') this.releaseBy = sender;
        this.phase = 'releasing';
        return this.emit({ kind: 'association', phase: 'release-requested', by: sender });
      case 0x06:
        this.phase = 'released';
        this.emit({ kind: 'association', phase: 'released', by: this.releaseBy ?? sender });
        return this.rules.end(this.releaseBy ?? sender, `the ${this.releaseBy ?? sender} released the association`);
      case 0x07: {
        const wasOpen = this.phase !== 'idle';
        this.phase = 'aborted';
        this.abortedBy = sender;
        const description = describeAbort(pdu.source, pdu.reason);
        this.emit({ kind: 'association', phase: 'aborted', by: sender, source: pdu.source, reason: pdu.reason, description });
        if (wasOpen) this.finding(sender, 'PS3.8 7.3', 'association-aborted', `the ${sender} ended the association with A-ABORT (${description}), not A-RELEASE`);
        return this.rules.end(sender, `the ${sender} aborted the association`);
      }
    }
  }

  private requested(pdu: AssociateRqPdu): void {
    this.rq = pdu;
    this.request = requestFromPdu(pdu);
    this.phase = 'requested';
    this.maxLength.s2c = this.request.maxPduLength ?? 0;
    this.emit({ kind: 'association', phase: 'requested', callingAeTitle: this.request.callingAeTitle, calledAeTitle: this.request.calledAeTitle, contexts: this.request.presentationContexts.length, maxLength: this.request.maxPduLength });
    this.problems('client', 'associate-rq', 'A-ASSOCIATE-RQ', validateAssociateRq(pdu));
  }

  private accepted(pdu: AssociateAcPdu): void {
    const request = this.request!;
    const accept = acceptFromPdu(pdu);
    this.phase = 'established';
    this.maxLength.c2s = accept.maxPduLength ?? 0;
    const proposed = new Map(request.presentationContexts.map((c) => [c.id, c.abstractSyntax]));
    for (const c of accept.presentationContexts) {
      if (c.result === 0 && proposed.has(c.id)) this.contexts.set(c.id, { id: c.id, abstractSyntax: proposed.get(c.id)!, transferSyntax: c.transferSyntax });
    }
    for (const x of accept.extendedNegotiations) this.extended.set(x.sopClassUid, x.applicationInformation);
    // PS3.7 D.3.3.3: invoked is what the requestor may have outstanding, performed what the acceptor may.
    const w = accept.asyncOperationsWindow;
    if (w) Object.assign(this.window, { client: w.maxOperationsInvoked, archive: w.maxOperationsPerformed });
    this.assemblers = { c2s: new MessageAssembler(this.contexts), s2c: new MessageAssembler(this.contexts) };
    this.emit({
      kind: 'association',
      phase: 'accepted',
      callingAeTitle: request.callingAeTitle,
      calledAeTitle: request.calledAeTitle,
      contexts: [...this.contexts.values()],
      proposed: request.presentationContexts.length,
      maxLength: accept.maxPduLength,
    });
    this.problems('archive', 'associate-ac', 'A-ASSOCIATE-AC', validateAssociateAc(pdu, this.rq!));
  }

  private problems(side: Side, code: string, what: string, list: Problem[]): void {
    for (const p of list) this.fail(side, p.reference, code, `${what}: ${p.message}${p.severity === 'invalid' ? ' (an invalid PDU: a DICOM peer aborts)' : ''}`);
  }

  private data(dir: Direction, pdu: KnownPdu & { type: 0x04 }, bytes: Buffer): void {
    const sender = senderOf(dir);
    const max = this.maxLength[dir];
    const length = bytes.length - 6;
    if (max !== 0 && length > max) {
      this.fail(sender, 'PS3.8 D.1', 'maximum-length-exceeded', `a P-DATA-TF of PDU-length ${length} at byte ${this.offsets[dir] - bytes.length}, over the Maximum Length of ${max} the ${senderOf(dir === 'c2s' ? 's2c' : 'c2s')} announced (PS3.8 9.3.5)`, dir);
    }
    try {
      this.assemblers![dir].push(pdu, undefined, (m) => this.message(dir, m));
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      // The message in progress is lost; the next command starts afresh.
      this.assemblers![dir] = new MessageAssembler(this.contexts);
      const code = wireObservation(e.message).code;
      this.fail(sender, ruleOf(e.message, 'PS3.8 E.1'), code === 'wire-rule' ? 'pdv-rule' : code, e.message, dir);
    }
  }

  private message(dir: Direction, m: AssembledMessage): void {
    const sender = senderOf(dir);
    const c = m.decoded.command;
    const name = commandFieldName(c.CommandField);
    for (const p of [...m.problems, ...m.decoded.problems]) this.fail(sender, ruleOf(p, 'PS3.7 E.1'), wireObservation(p).code, `${name}: ${p}`, dir);
    const context = this.contexts.get(m.contextId);
    let identifier: DataSet | undefined;
    let identifierError: string | undefined;
    // A client's C-FIND-RQ identifier is judged whole by the judge of requests, when there is one.
    const judged = dir === 'c2s' && c.CommandField === CommandField.C_FIND_RQ && this.o.judgeFindRequest !== undefined;
    if (m.dataSetBytes) {
      const ts = context && transferSyntax(context.transferSyntax);
      if (!ts) identifierError = `transfer syntax ${context?.transferSyntax} is not one an identifier travels in`;
      else {
        try {
          identifier = decodeDataSet(m.dataSetBytes, ts);
          if (!judged) for (const p of identifier.characterSet.problems) this.fail(sender, ruleOf(p, 'PS3.3 C.12.1.1.2'), 'charset-invalid', `${name}: ${p}`, dir);
        } catch (e) {
          if (!(e instanceof DataSetError)) throw e;
          identifierError = e.message;
          if (!judged) this.fail(sender, 'PS3.7 9.1.2', 'identifier-undecodable', `${name}: the Identifier cannot be decoded: ${e.message}`, dir);
        }
      }
    }
    const [from, to] = dir === 'c2s' ? [this.request!.callingAeTitle, this.request!.calledAeTitle] : [this.request!.calledAeTitle, this.request!.callingAeTitle];
    this.emit({ kind: 'message', dir, contextId: m.contextId, command: c, from, to, transferSyntax: context?.transferSyntax, dataSet: m.dataSetBytes, identifier, identifierError });
    this.rules.message({ dir, command: c, dataSet: m.dataSetBytes, abstractSyntax: context?.abstractSyntax, transferSyntax: context?.transferSyntax, extendedNegotiation: context && this.extended.get(context.abstractSyntax), identifier });
  }

  private fail(side: Side, rule: string, code: string, text: string, dir?: Direction): void {
    this.report({ severity: 'fail', side, rule, code, text }, dir);
  }

  private finding(side: Side, rule: string, code: string, text: string): void {
    this.report({ severity: 'finding', side, rule, code, text });
  }

  private report(f: ProxyFinding, dir?: Direction): void {
    this.emit({ kind: 'finding', ...f, ...(dir && { dir }) });
  }

  private emit(body: ObserverEventBody): void {
    this.o.emit({ ...body, connection: this.o.connection, t: this.t } as ObserverEvent);
  }
}
