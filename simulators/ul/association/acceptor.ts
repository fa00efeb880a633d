import net from 'node:net';
import { systemClock } from '../../clock/clock.ts';
import type { Clock } from '../../clock/clock.ts';
import { nullSink } from '../../events/event-stream.ts';
import type { EventSink } from '../../events/event-stream.ts';
import { HarnessError, InternalError } from '../../wire/errors.ts';
import { ProtocolError } from '../errors.ts';
import type { UlEvent } from '../events.ts';
import { defaultFramerLimits } from '../framer.ts';
import type { AssociateRqPdu } from '../pdu/pdus.ts';
import { isUnknownPdu } from '../pdu/pdus.ts';
import { UpperLayerProvider } from '../provider.ts';
import type { ProviderUser } from '../provider.ts';
import { describeReject } from '../reasons.ts';
import { defaultTimeouts } from '../timers.ts';
import type { Timeouts } from '../timers.ts';
import { Association } from './association.ts';
import { negotiate } from './negotiation.ts';
import type { AcceptorPolicy, NegotiationDecision } from './negotiation.ts';
import { acceptFromPdu, acceptToPdu, rejectToPdu, requestFromPdu } from './pdu-mapping.ts';
import { validateAssociateRq } from './validate.ts';

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
  private readonly clock: Clock;
  private readonly events: EventSink<UlEvent>;
  private readonly timeouts: Timeouts;

  constructor(private readonly o: AcceptorOptions) {
    this.clock = o.clock ?? systemClock;
    this.events = o.events ?? nullSink;
    this.timeouts = { ...defaultTimeouts, ...o.timeouts };
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

  /** Stops listening and drops every open connection. */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  handle(socket: net.Socket): void {
    this.onConnection(socket);
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const id = `${this.o.idPrefix ?? 'scp'}-${++this.counter}`;
    const { clock, events } = this;
    const policy = this.o.policy;

    const user: ProviderUser = {
      associateIndication: (rqPdu) => {
        void this.decide(rqPdu, id).then(
          (decision) => {
            if (provider.state !== 'Sta3') return; // the peer aborted or vanished meanwhile
            if (decision.kind === 'reject') {
              const rj = decision.reject;
              if (events.active) {
                events.emit({
                  kind: 'association',
                  role: 'acceptor',
                  phase: 'rejected',
                  reject: rj,
                  description: describeReject(rj.result, rj.source, rj.reason),
                  associationId: id,
                  at: clock.now(),
                });
              }
              provider.reject(rejectToPdu(rj));
              return;
            }
            const acPdu = acceptToPdu(rqPdu, decision.accept);
            const request = requestFromPdu(rqPdu);
            const accept = acceptFromPdu(acPdu);
            const association = new Association(id, 'acceptor', request, accept, rqPdu, acPdu, provider, events, clock);
            Object.assign(user, association.providerUser());
            provider.setReceiveLimit(decision.accept.maxPduLength ?? 0);
            provider.accept(acPdu);
            if (events.active) {
              events.emit({
                kind: 'association',
                role: 'acceptor',
                phase: 'established',
                request,
                accept,
                contexts: [...association.contexts.values()],
                associationId: id,
                at: clock.now(),
              });
            }
            try {
              this.o.onAssociation(association);
            } catch (e) {
              this.reportAndAbort(provider, id, e);
            }
          },
          (e: unknown) => {
            this.reportAndAbort(provider, id, e);
          },
        );
      },
      pData: () => {},
      releaseIndication: () => {},
      releaseConfirmation: () => {},
      abortIndication: () => {},
      closed: () => {},
    };

    const provider = new UpperLayerProvider({
      role: 'acceptor',
      associationId: id,
      clock,
      events,
      timeouts: this.timeouts,
      limits: { ...defaultFramerLimits, maxPDataLength: policy.maxPduLength },
      inspect: (pdu) => {
        if (isUnknownPdu(pdu) || pdu.type !== 0x01) return undefined;
        const problems = validateAssociateRq(pdu);
        for (const p of problems.filter((x) => x.severity === 'violation')) {
          if (events.active) events.emit({ kind: 'violation', reference: p.reference, message: `A-ASSOCIATE-RQ: ${p.message}`, associationId: id, at: clock.now() });
        }
        const invalid = problems.find((x) => x.severity === 'invalid');
        return invalid && new ProtocolError('UL_INVALID_PDU_PARAMETER', `A-ASSOCIATE-RQ: ${invalid.message} (${invalid.reference})`, 6);
      },
      user,
    });
    provider.acceptTransport(socket);
  }

  private async decide(rqPdu: AssociateRqPdu, id: string): Promise<NegotiationDecision> {
    const request = requestFromPdu(rqPdu);
    if (this.events.active) this.events.emit({ kind: 'association', role: 'acceptor', phase: 'requested', request, associationId: id, at: this.clock.now() });
    const computed = negotiate(request, this.o.policy);
    return this.o.policy.decide ? await this.o.policy.decide(request, computed) : computed;
  }

  /** A failure in our own policy or service code ends that association with an A-ABORT, never the process. */
  private reportAndAbort(provider: UpperLayerProvider, id: string, e: unknown): void {
    const error = e instanceof HarnessError ? e : new InternalError(e);
    if (this.events.active) this.events.emit({ kind: 'fault', error, associationId: id, at: this.clock.now() });
    if (provider.can('Evt15')) provider.abort();
  }
}
