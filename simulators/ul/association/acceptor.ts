import net from 'node:net';
import { systemClock } from '../../clock/clock.ts';
import type { Clock } from '../../clock/clock.ts';
import { nullSink } from '../../events/event-stream.ts';
import type { EventSink } from '../../events/event-stream.ts';
import { HarnessError, InternalError } from '../../wire/errors.ts';
import { ProtocolError } from '../errors.ts';
import type { UlEvent } from '../events.ts';
import { defaultFramerLimits } from '../framer.ts';
import type { FramerLimits } from '../framer.ts';
import type { AssociateAcPdu, AssociateRqPdu, PDataTfPdu, Pdu } from '../pdu/pdus.ts';
import { decodePdu, encodePdu } from '../pdu/registry.ts';
import { isUnknownPdu } from '../pdu/pdus.ts';
import { UpperLayerProvider } from '../provider.ts';
import type { AbortIndication, ProviderUser } from '../provider.ts';
import { describeReject } from '../reasons.ts';
import { defaultTimeouts } from '../timers.ts';
import type { Timeouts } from '../timers.ts';
import { Association, acceptedContexts } from './association.ts';
import { negotiate } from './negotiation.ts';
import type { AcceptorPolicy, NegotiationDecision } from './negotiation.ts';
import { acceptToPdu, rejectToPdu, requestFromPdu } from './pdu-mapping.ts';
import type { AcceptedContext, AssociateRequest } from './parameters.ts';
import { validateAssociateRq } from './validate.ts';
import { RqMemo } from './rq-memo.ts';

export interface AcceptorOptions {
  policy: AcceptorPolicy;
  /** Called with each established association (the service layer attaches here). */
  onAssociation: (association: Association) => void;
  timeouts?: Partial<Timeouts>;
  clock?: Clock;
  events?: EventSink<UlEvent>;
  /** Prefix of association IDs, e.g. "scp" → scp-1, scp-2 … */
  idPrefix?: string;
}

/**
 * Listens for TCP connections and runs one upper-layer provider per connection in the
 * acceptor role. Whatever one peer sends ends at most its own association: the acceptor
 * keeps serving the others.
 */
export class AssociationAcceptor {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private counter = 0;
  /** A-ASSOCIATE-RQs already seen: decoded, checked and (for hook-free policies) negotiated once. */
  private readonly rqs = new RqMemo();
  private readonly clock: Clock;
  private readonly events: EventSink<UlEvent>;
  private readonly timeouts: Timeouts;
  /** What each connection's framer accepts before the association is negotiated (shared, never changed: see setReceiveLimit). */
  private readonly limits: FramerLimits;

  /** The structural check of each A-ASSOCIATE-RQ, made once for every connection. */
  private readonly inspectRq = (pdu: Pdu, _raw: Buffer, id: string): ProtocolError | undefined => this.inspect(pdu, id);
  /** Decodes a framed PDU; an A-ASSOCIATE-RQ seen before comes from memory. */
  private readonly decodeFramed = (raw: Buffer): Pdu => {
    if (raw[0] !== 0x01) return decodePdu(raw);
    return (this.rqs.find(raw) ?? this.rqs.add(raw, (copy) => decodePdu(copy) as AssociateRqPdu, validateAssociateRq)).pdu;
  };

  constructor(private readonly o: AcceptorOptions) {
    this.clock = o.clock ?? systemClock;
    this.events = o.events ?? nullSink;
    this.timeouts = { ...defaultTimeouts, ...o.timeouts };
    this.limits = { ...defaultFramerLimits, maxPDataLength: o.policy.maxPduLength };
  }

  /** Starts listening; port 0 picks a free port. Resolves with the bound port. */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = net.createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', () => {});
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** Connections the listening server still counts (net.Server.getConnections). */
  connections(): Promise<number> {
    const server = this.server;
    if (!server) return Promise.resolve(0);
    return new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
  }

  /** Stops accepting connections; open ones go on. */
  stopListening(): void {
    const server = this.server;
    if (server?.listening) server.close();
  }

  /** Stops listening and drops every open connection. */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** The connection is closed (its provider saw the socket's 'close'). */
  forget(socket: net.Socket): void {
    this.sockets.delete(socket);
  }

  handle(socket: net.Socket): void {
    this.onConnection(socket);
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    const id = `${this.o.idPrefix ?? 'scp'}-${++this.counter}`;
    const connection = new AcceptorConnection(this, id, socket);
    const provider = new UpperLayerProvider({
      role: 'acceptor',
      associationId: id,
      clock: this.clock,
      events: this.events,
      timeouts: this.timeouts,
      limits: this.limits,
      decode: this.decodeFramed,
      inspect: this.inspectRq,
      user: connection,
    });
    connection.provider = provider;
    provider.acceptTransport(socket);
  }

  private inspect(pdu: Pdu, id: string): ProtocolError | undefined {
    if (isUnknownPdu(pdu) || pdu.type !== 0x01) return undefined;
    const problems = this.rqs.of(pdu)?.problems ?? validateAssociateRq(pdu);
    for (const p of problems) {
      if (p.severity === 'violation' && this.events.wants('violation')) {
        this.events.emit({ kind: 'violation', reference: p.reference, message: `A-ASSOCIATE-RQ: ${p.message}`, associationId: id, at: this.clock.now() });
      }
    }
    const invalid = problems.find((x) => x.severity === 'invalid');
    return invalid && new ProtocolError('UL_INVALID_PDU_PARAMETER', `A-ASSOCIATE-RQ: ${invalid.message} (${invalid.reference})`, 6);
  }

  /** Sta3: the A-ASSOCIATE indication. Decides (synchronously unless the policy hook is async) and answers. */
  indication(connection: AcceptorConnection, rqPdu: AssociateRqPdu): void {
    const { events, clock } = this;
    const seen = this.rqs.of(rqPdu);
    const known = seen?.negotiated;
    const request = known ? known.request : requestFromPdu(rqPdu);
    if (events.wants('association')) events.emit({ kind: 'association', role: 'acceptor', phase: 'requested', request, associationId: connection.id, at: clock.now() });
    if (known) {
      this.answer(connection, rqPdu, request, known.decision, known.ac, known.contexts);
      return;
    }
    let decision: NegotiationDecision | Promise<NegotiationDecision>;
    try {
      const computed = negotiate(request, this.o.policy);
      decision = this.o.policy.decide ? this.o.policy.decide(request, computed) : computed;
    } catch (e) {
      this.reportAndAbort(connection.provider, connection.id, e);
      return;
    }
    if (decision instanceof Promise) {
      decision.then(
        (d) => this.answer(connection, rqPdu, request, d),
        (e: unknown) => this.reportAndAbort(connection.provider, connection.id, e),
      );
      return;
    }
    let ac: { pdu: AssociateAcPdu; raw: Buffer } | undefined;
    if (decision.kind === 'accept') {
      const pdu = acceptToPdu(rqPdu, decision.accept);
      ac = { pdu, raw: encodePdu(pdu) };
    }
    // Negotiation is a pure function of the request bytes unless a hook is involved: remember it.
    let contexts: ReadonlyMap<number, AcceptedContext> | undefined;
    if (seen && !this.o.policy.decide && !this.o.policy.userIdentity && !this.o.policy.extendedNegotiation) {
      contexts = decision.kind === 'accept' ? acceptedContexts(request, decision.accept) : undefined;
      seen.negotiated = { request, decision, ac, contexts };
    }
    this.answer(connection, rqPdu, request, decision, ac, contexts);
  }

  private answer(
    connection: AcceptorConnection,
    rqPdu: AssociateRqPdu,
    request: AssociateRequest,
    decision: NegotiationDecision,
    ac?: { pdu: AssociateAcPdu; raw: Buffer },
    contexts?: ReadonlyMap<number, AcceptedContext>,
  ): void {
    const provider = connection.provider;
    if (provider.state !== 'Sta3') return; // the peer aborted or vanished meanwhile
    const { events, clock } = this;
    if (decision.kind === 'reject') {
      const rj = decision.reject;
      if (events.wants('association')) {
        events.emit({
          kind: 'association',
          role: 'acceptor',
          phase: 'rejected',
          reject: rj,
          description: describeReject(rj.result, rj.source, rj.reason),
          associationId: connection.id,
          at: clock.now(),
        });
      }
      provider.reject(rejectToPdu(rj));
      return;
    }
    const acPdu = ac ? ac.pdu : acceptToPdu(rqPdu, decision.accept);
    provider.setReceiveLimit(decision.accept.maxPduLength ?? 0);
    provider.accept(acPdu, ac?.raw);
    const association = new Association(connection.id, 'acceptor', request, decision.accept, rqPdu, acPdu, provider, events, clock, contexts);
    connection.association = association;
    if (events.wants('association')) {
      events.emit({
        kind: 'association',
        role: 'acceptor',
        phase: 'established',
        request,
        accept: decision.accept,
        contexts: [...association.contexts.values()],
        associationId: connection.id,
        at: clock.now(),
      });
    }
    try {
      this.o.onAssociation(association);
    } catch (e) {
      this.reportAndAbort(provider, connection.id, e);
    }
  }

  /** A failure in our own policy or service code ends that association with an A-ABORT, never the process. */
  reportAndAbort(provider: UpperLayerProvider, id: string, e: unknown): void {
    const error = e instanceof HarnessError ? e : new InternalError(e);
    if (this.events.wants('fault')) this.events.emit({ kind: 'fault', error, associationId: id, at: this.clock.now() });
    if (provider.can('Evt15')) provider.abort();
  }
}

/** One TCP connection on the acceptor: the provider's user, routing indications to the association once it exists. */
class AcceptorConnection implements ProviderUser {
  provider!: UpperLayerProvider;
  association: Association | undefined;

  constructor(
    private readonly acceptor: AssociationAcceptor,
    readonly id: string,
    readonly socket: net.Socket,
  ) {}

  associateIndication(rqPdu: AssociateRqPdu): void {
    this.acceptor.indication(this, rqPdu);
  }

  pData(pdu: PDataTfPdu, raw: Buffer): void {
    this.association?.handlePData(pdu, raw);
  }

  releaseIndication(collision: boolean): void {
    this.association?.handleReleaseIndication(collision);
  }

  releaseConfirmation(): void {
    this.association?.handleReleaseConfirmation();
  }

  abortIndication(info: AbortIndication): void {
    this.association?.handleAbortIndication(info);
  }

  closed(): void {
    this.acceptor.forget(this.socket);
    this.association?.handleClosed();
  }
}
