import type { Clock } from '../../clock/clock.ts';
import type { EventSink } from '../../events/event-stream.ts';
import type { HarnessError } from '../../wire/errors.ts';
import { AssociationAbortedError, UsageError } from '../errors.ts';
import type { ProtocolError } from '../errors.ts';
import type { UlEvent } from '../events.ts';
import type { AssociateAcPdu, AssociateRqPdu, PDataTfPdu } from '../pdu/pdus.ts';
import type { AbortIndication, UpperLayerProvider } from '../provider.ts';
import { describeAbort } from '../reasons.ts';
import type { AcceptedContext, AssociateAccept, AssociateRequest } from './parameters.ts';

/** How an association ended. */
export type AssociationEnd =
  | { how: 'released'; by: 'local' | 'peer' }
  | { how: 'aborted'; by: 'local' | 'peer' | 'provider'; source: number; reason: number; description: string; error?: HarnessError };

/**
 * An established association, on either side. P-DATA goes through `sendPData`; received
 * P-DATA reaches the listener set with `onPData` (the DIMSE layer). `ended` always resolves.
 */
export class Association {
  readonly contexts: ReadonlyMap<number, AcceptedContext>;
  /** Largest P-DATA-TF PDU-length the peer receives (0 = no limit). */
  readonly peerMaxPduLength: number;
  private end: AssociationEnd | undefined;
  /** Made when first asked for: most associations end without anyone awaiting `ended`. */
  private endedPromise: Promise<AssociationEnd> | undefined;
  private resolveEnded: ((end: AssociationEnd) => void) | undefined;
  private pDataListener: ((pdu: PDataTfPdu, raw: Buffer) => void) | undefined;
  private endListeners: ((end: AssociationEnd) => void)[] | undefined;
  private releaseWaiters: { resolve: () => void; reject: (e: Error) => void }[] | undefined;
  /** Called when the peer asks to release; the response is sent when it resolves (default: at once). */
  onReleaseRequested: (() => void | Promise<void>) | undefined;
  /** Called in a release collision before our A-RELEASE response (Sta9 requestor, Sta12 acceptor); the response waits for it. */
  onReleaseCollision: (() => void | Promise<void>) | undefined;

  constructor(
    readonly id: string,
    readonly role: 'requestor' | 'acceptor',
    readonly request: AssociateRequest,
    readonly accept: AssociateAccept,
    readonly rqPdu: AssociateRqPdu,
    readonly acPdu: AssociateAcPdu,
    private readonly provider: UpperLayerProvider,
    private readonly events: EventSink<UlEvent>,
    private readonly clock: Clock,
    /** The accepted contexts when already worked out (the same negotiation answered before). */
    contexts?: ReadonlyMap<number, AcceptedContext>,
  ) {
    this.contexts = contexts ?? acceptedContexts(request, accept);
    const peerMax = role === 'requestor' ? accept.maxPduLength : request.maxPduLength;
    this.peerMaxPduLength = peerMax ?? 0;
  }

  /** How the association ended; always resolves. */
  get ended(): Promise<AssociationEnd> {
    if (!this.endedPromise) {
      const end = this.end;
      this.endedPromise = end ? Promise.resolve(end) : new Promise((resolve) => (this.resolveEnded = resolve));
    }
    return this.endedPromise;
  }

  get state(): string {
    return this.provider.state;
  }

  get isEstablished(): boolean {
    return this.provider.state === 'Sta6';
  }

  get callingAeTitle(): string {
    return this.request.callingAeTitle;
  }

  get calledAeTitle(): string {
    return this.request.calledAeTitle;
  }

  /** The first accepted context for an abstract syntax. */
  contextFor(abstractSyntax: string): AcceptedContext | undefined {
    for (const c of this.contexts.values()) if (c.abstractSyntax === abstractSyntax) return c;
    return undefined;
  }

  onPData(listener: (pdu: PDataTfPdu, raw: Buffer) => void): void {
    this.pDataListener = listener;
  }

  onEnd(listener: (end: AssociationEnd) => void): void {
    if (this.end) listener(this.end);
    else (this.endListeners ??= []).push(listener);
  }

  /** Sends one P-DATA-TF (Evt9); `raw` is its encoding when already built. Allowed in Sta6 and Sta8. */
  sendPData(pdu: PDataTfPdu, raw?: Buffer): void {
    if (this.end) throw new AssociationAbortedError(0, 0, 'the association has ended', 'local');
    this.provider.sendPData(pdu, raw);
  }

  /** True when the socket buffer is full: a streaming sender should wait for `drained()`. */
  get writeBackedUp(): boolean {
    return this.provider.writeBackedUp;
  }

  drained(): Promise<void> {
    return this.provider.drained();
  }

  /** Bytes written but not yet handed to the kernel (the write-ahead a streaming sender bounds). */
  get unsentBytes(): number {
    return this.provider.unsentBytes;
  }

  /** Resolves once everything written is with the kernel; the peer's data is read meanwhile. */
  flushed(): Promise<void> {
    return this.provider.flushed();
  }

  /** Stops or resumes reading from the peer (TCP backpressure). */
  pauseReading(paused: boolean): void {
    this.provider.pauseReading(paused);
  }

  /** A-RELEASE (Evt11); resolves on the A-RELEASE-RP, rejects if the association is aborted first. */
  release(): Promise<void> {
    if (this.end) {
      return this.end.how === 'released' ? Promise.resolve() : Promise.reject(new AssociationAbortedError(0, 0, 'the association was aborted', 'local'));
    }
    if (!this.provider.can('Evt11')) {
      return Promise.reject(new UsageError('UL_INVALID_PRIMITIVE', `cannot release in ${this.provider.state}`));
    }
    const done = new Promise<void>((resolve, reject) => (this.releaseWaiters ??= []).push({ resolve, reject }));
    this.provider.requestRelease();
    return done;
  }

  /** A-ABORT (Evt15). Source 0 / reason 0 unless another is wanted (a scripted fault). */
  abort(source = 0, reason = 0): void {
    if (this.end || !this.provider.can('Evt15')) return;
    this.provider.abort(source, reason);
  }

  /** After our A-ABORT, closes the transport now instead of waiting up to ARTIM for the peer to (PS3.8 9.1.4). */
  closeAfterAbort(): void {
    this.provider.closeNow();
  }

  /** The peer broke the P-DATA encapsulation rules: abort as for an invalid PDU (AA-8). */
  protocolAbort(error: ProtocolError): void {
    if (this.provider.can('Evt19')) this.provider.invalidPData(error);
  }

  /** Writes bytes outside the state machine (scripted wire faults). */
  sendRaw(raw: Buffer): void {
    this.provider.sendRaw(raw);
  }

  /** Drops the TCP connection without any PDU (a scripted fault). */
  destroyTransport(afterFlush = false): void {
    this.provider.destroyTransport(afterFlush);
  }

  // ------------------------------------------------------------ provider indications, routed here by the requestor/acceptor

  handlePData(pdu: PDataTfPdu, raw: Buffer): void {
    this.pDataListener?.(pdu, raw);
  }

  handleReleaseIndication(collision: boolean): void {
    if (collision) {
      // PS3.8 7.2.2 release collision: the requestor answers first (AR-9); the acceptor waits for the RP (AR-10) then answers.
      if (this.role === 'requestor') this.afterCollisionHook('Sta9');
      return;
    }
    const hook = this.onReleaseRequested?.();
    if (hook) hook.then(() => this.respondRelease(), () => this.respondRelease());
    else this.respondRelease();
  }

  private respondRelease(): void {
    if (this.provider.can('Evt14')) {
      this.provider.respondRelease();
      this.finish({ how: 'released', by: 'peer' });
    }
  }

  handleReleaseConfirmation(): void {
    if (this.provider.state === 'Sta12') this.afterCollisionHook('Sta12');
    this.finish({ how: 'released', by: 'local' });
  }

  /** The A-RELEASE response of a collision (Evt14 in Sta9 or Sta12), once the hook lets it go. */
  private afterCollisionHook(state: 'Sta9' | 'Sta12'): void {
    const respond = () => {
      if (this.provider.state === state) this.provider.respondRelease();
    };
    const hook = this.onReleaseCollision?.();
    if (hook) hook.then(respond, respond);
    else respond();
  }

  handleAbortIndication(info: AbortIndication): void {
    this.finish({
      how: 'aborted',
      by: info.by,
      source: info.source,
      reason: info.reason,
      description: info.error ? info.error.message : describeAbort(info.source, info.reason),
      ...(info.error && { error: info.error }),
    });
  }

  handleClosed(): void {
    if (!this.end) {
      this.finish({ how: 'aborted', by: 'provider', source: 2, reason: 0, description: 'the transport connection closed' });
    }
  }

  private finish(end: AssociationEnd): void {
    if (this.end) return;
    this.end = end;
    if (this.events.wants('association')) {
      this.events.emit(
        end.how === 'released'
          ? { kind: 'association', role: this.role, phase: 'released', by: end.by, associationId: this.id, at: this.clock.now() }
          : {
              kind: 'association',
              role: this.role,
              phase: 'aborted',
              by: end.by,
              source: end.source,
              reason: end.reason,
              description: end.description,
              associationId: this.id,
              at: this.clock.now(),
            },
      );
    }
    const waiters = this.releaseWaiters;
    const listeners = this.endListeners;
    this.releaseWaiters = undefined;
    this.endListeners = undefined;
    for (const w of waiters ?? []) {
      if (end.how === 'released') w.resolve();
      else w.reject(new AssociationAbortedError(end.source, end.reason, end.description, end.by, end.error));
    }
    for (const l of listeners ?? []) l(end);
    this.resolveEnded?.(end);
  }
}

/** The presentation contexts the A-ASSOCIATE-AC accepted (result 0), with the abstract syntax each was proposed for. */
export function acceptedContexts(request: AssociateRequest, accept: AssociateAccept): ReadonlyMap<number, AcceptedContext> {
  const contexts = new Map<number, AcceptedContext>();
  for (const r of accept.presentationContexts) {
    const proposal = request.presentationContexts.find((p) => p.id === r.id);
    if (r.result === 0 && proposal) contexts.set(r.id, { id: r.id, abstractSyntax: proposal.abstractSyntax, transferSyntax: r.transferSyntax });
  }
  return contexts;
}
