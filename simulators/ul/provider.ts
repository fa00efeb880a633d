import net from 'node:net';
import type { Clock } from '../clock/clock.ts';
import type { EventSink } from '../events/event-stream.ts';
import { DecodeError, HarnessError, InternalError } from '../wire/errors.ts';
import { ConnectionError, ProtocolError, TimeoutError, UsageError } from './errors.ts';
import { SocketTransport, connectionError } from './transport.ts';
import type { UlEvent } from './events.ts';
import type { ActionName } from './fsm/actions.ts';
import { EVENTS, LOCAL_PRIMITIVE_EVENTS, PDU_EVENTS } from './fsm/events.ts';
import type { EventName } from './fsm/events.ts';
import { StateMachine } from './fsm/machine.ts';
import type { StateName } from './fsm/states.ts';
import { PduFramer } from './framer.ts';
import type { FramerLimits } from './framer.ts';
import { pduTypeName } from './pdu/constants.ts';
import type { AbortPdu, AssociateAcPdu, AssociateRjPdu, AssociateRqPdu, PDataTfPdu, Pdu } from './pdu/pdus.ts';
import { isUnknownPdu } from './pdu/pdus.ts';
import { decodePdu, encodePdu } from './pdu/registry.ts';
import { plainRelease } from './pdu/release.ts';
import { ProviderTimers } from './provider-timers.ts';
import type { TimerName, TimerPhase, Timeouts } from './timers.ts';

/** Why the association ended abnormally, as the provider's user learns it (A-ABORT / A-P-ABORT indication). */
export interface AbortIndication {
  /** `peer`: an A-ABORT PDU arrived; `provider`: this side's provider aborted (A-P-ABORT); `local`: our own user aborted. */
  by: 'peer' | 'provider' | 'local';
  source: number;
  reason: number;
  error?: HarnessError;
}

/** The provider's indications and confirmations to its user (the association layer). */
export interface ProviderUser {
  associateIndication?(pdu: AssociateRqPdu, raw: Buffer): void;
  associateAccepted?(pdu: AssociateAcPdu): void;
  associateRejected?(pdu: AssociateRjPdu): void;
  pData(pdu: PDataTfPdu, raw: Buffer): void;
  releaseIndication(collision: boolean): void;
  releaseConfirmation(): void;
  abortIndication(info: AbortIndication): void;
  /** The transport is closed; nothing more will happen on this provider. */
  closed(): void;
}

export interface ProviderOptions {
  role: 'requestor' | 'acceptor';
  associationId: string;
  clock: Clock;
  events: EventSink<UlEvent>;
  timeouts: Timeouts;
  limits: FramerLimits;
  user: ProviderUser;
  /** Decodes one framed PDU (default: decodePdu), throwing DecodeError as decodePdu does. */
  decode?(raw: Buffer): Pdu;
  /** Structural checks on a received A-ASSOCIATE-RQ/AC; an `invalid` problem makes it Evt19. */
  inspect?(pdu: Pdu, raw: Buffer, associationId: string): ProtocolError | undefined;
}

interface EventContext {
  pdu?: Pdu;
  raw?: Buffer;
  error?: HarnessError;
  abort?: { source: number; reason: number };
}

/**
 * The DICOM upper layer service provider for one TCP connection: feeds PDUs, local
 * primitives, transport events and timers into PS3.8 Table 9-10 and performs the actions
 * the table names. Every PDU, state transition and timer goes to the event sink.
 */
export class UpperLayerProvider {
  readonly fsm = new StateMachine('Sta1');
  private transport: SocketTransport | undefined;
  private readonly framer: PduFramer;
  private readonly timers: ProviderTimers;
  private pendingRq: AssociateRqPdu | undefined;
  private target: { host: string; port: number; lookup: net.LookupFunction | undefined } | undefined;
  private transportOpen = false;
  private closedNotified = false;

  constructor(private readonly o: ProviderOptions) {
    this.framer = new PduFramer(o.limits);
    this.timers = new ProviderTimers(
      o.clock,
      (name) => this.expired(name),
      (name, phase, ms) => this.emitTimer(name, phase, ms),
    );
  }

  get state(): StateName {
    return this.fsm.state;
  }

  get associationId(): string {
    return this.o.associationId;
  }

  /** Our announced Maximum Length for received P-DATA-TF PDUs (0 = unlimited); may be set before the AC/RQ is sent. */
  setReceiveLimit(maxPDataLength: number): void {
    if (this.framer.limits.maxPDataLength !== maxPDataLength) this.framer.limits = { ...this.framer.limits, maxPDataLength };
  }

  // ------------------------------------------------------------ local primitives and transport indications

  /** Evt1: A-ASSOCIATE request. Opens the transport (AE-1); the RQ goes out once it is connected (AE-2). */
  requestAssociation(rq: AssociateRqPdu, host: string, port: number, lookup?: net.LookupFunction): void {
    this.pendingRq = rq;
    this.target = { host, port, lookup };
    this.fire('Evt1', {});
  }

  /** Evt5: a transport connection arrived (acceptor). */
  acceptTransport(socket: net.Socket): void {
    const t = this.attach(socket);
    this.transportOpen = true;
    if (this.o.events.wants('transport')) this.emit({ kind: 'transport', phase: 'accepted', local: t.local, remote: t.remote });
    this.fire('Evt5', {});
  }

  /** Evt7: accept with this A-ASSOCIATE-AC (`raw`: its encoding, when already built). */
  accept(ac: AssociateAcPdu, raw?: Buffer): void {
    this.primitive('Evt7', raw ? { pdu: ac, raw } : { pdu: ac });
  }

  /** Evt8: reject with this A-ASSOCIATE-RJ. */
  reject(rj: AssociateRjPdu): void {
    this.primitive('Evt8', { pdu: rj });
  }

  /** Evt9: send a P-DATA-TF. `raw` is its encoding when the caller already built it (the hot path). */
  sendPData(pdu: PDataTfPdu, raw?: Buffer): void {
    this.primitive('Evt9', { pdu, raw: raw ?? encodePdu(pdu) });
  }

  /** Evt11: A-RELEASE request. */
  requestRelease(): void {
    this.primitive('Evt11', {});
  }

  /** Evt14: A-RELEASE response (always affirmative, PS3.8 7.2.2). */
  respondRelease(): void {
    this.primitive('Evt14', {});
  }

  /** Evt15: A-ABORT request. Source 0 and reason 0 unless a fault is wanted. */
  abort(source = 0, reason = 0): void {
    this.primitive('Evt15', { abort: { source, reason } });
  }

  /** Whether a local primitive is allowed now (Table 9-10 has a cell for it). */
  can(event: EventName): boolean {
    return this.fsm.actionFor(event) !== undefined;
  }

  /**
   * Writes bytes outside the state machine (scripted faults: truncated PDUs, unknown types,
   * illegal PDUs). They are reported as sent, decoded when they decode.
   */
  sendRaw(raw: Buffer): void {
    let pdu: Pdu | undefined;
    try {
      pdu = decodePdu(raw);
    } catch {
      pdu = undefined;
    }
    this.write(raw, pdu ?? { type: raw[0] ?? 0, body: raw.subarray(6), unknown: true });
  }

  /**
   * The content of received P-DATA broke PS3.8 Annex E (a PDV on an unaccepted context, fragments
   * out of order, an undecodable command): handled as an invalid PDU (Evt19), i.e. A-ABORT from the provider.
   */
  invalidPData(error: ProtocolError): void {
    this.fire('Evt19', { error });
  }

  /** Drops the TCP connection without a PDU (a scripted fault, or teardown); see SocketTransport.destroy. */
  destroyTransport(afterFlush = false): void {
    this.transport?.destroy(afterFlush);
  }

  // ------------------------------------------------------------ the table

  private primitive(event: EventName, ctx: EventContext): void {
    if (!this.can(event)) {
      throw new UsageError('UL_INVALID_PRIMITIVE', `${EVENTS[event]} is not allowed in ${this.state}`);
    }
    this.fire(event, ctx);
  }

  private fire(event: EventName, ctx: EventContext): void {
    const action = this.fsm.actionFor(event);
    if (!action) {
      // Empty cell: cannot occur for PDUs once the transport is gone; local primitives are checked before.
      if (!LOCAL_PRIMITIVE_EVENTS.has(event) && ctx.error) this.emit({ kind: 'fault', error: ctx.error });
      return;
    }
    const condition = this.conditionFor(action, ctx);
    const t = this.fsm.apply(event, action, condition);
    if (this.o.events.wants('state')) this.emit({ kind: 'state', from: t.from, to: t.to, event, action });
    this.perform(action, event, ctx, condition);
  }

  private conditionFor(action: ActionName, ctx: EventContext): string | undefined {
    if (action === 'AR-8') return this.o.role;
    if (action === 'AE-6') {
      // PS3.8 Table 9-11: a receiver supporting only version 1 tests bit 0 alone.
      return ((ctx.pdu as AssociateRqPdu).protocolVersion & 1) === 1 ? 'acceptable' : 'unacceptable';
    }
    return undefined;
  }

  private perform(action: ActionName, event: EventName, ctx: EventContext, condition: string | undefined): void {
    const t = this.o.timeouts;
    switch (action) {
      case 'AE-1':
        this.connect(this.target!.host, this.target!.port, this.target!.lookup);
        return;
      case 'AE-2':
        this.timers.stop('connect');
        this.write(encodePdu(this.pendingRq!), this.pendingRq!);
        this.timers.start('association-request', t.associationRequestMs);
        return;
      case 'AE-3':
        this.timers.stop('association-request');
        this.timers.start('idle', t.idleMs);
        this.o.user.associateAccepted?.(ctx.pdu as AssociateAcPdu);
        return;
      case 'AE-4':
        this.timers.stop('association-request');
        this.closeTransport();
        this.o.user.associateRejected?.(ctx.pdu as AssociateRjPdu);
        return;
      case 'AE-5':
        this.timers.start('ARTIM', t.artimMs);
        return;
      case 'AE-6':
        this.timers.stop('ARTIM');
        if (condition === 'acceptable') {
          this.o.user.associateIndication?.(ctx.pdu as AssociateRqPdu, ctx.raw!);
        } else {
          // PS3.8 Table 9-21: rejected-permanent, service-provider (ACSE), protocol-version-not-supported.
          this.send({ type: 0x03, result: 1, source: 2, reason: 2 });
          this.timers.start('ARTIM', t.artimMs);
        }
        return;
      case 'AE-7':
        this.write(ctx.raw ?? encodePdu(ctx.pdu!), ctx.pdu!);
        this.timers.start('idle', t.idleMs);
        return;
      case 'AE-8':
        this.send(ctx.pdu!);
        this.timers.start('ARTIM', t.artimMs);
        return;
      case 'DT-1':
      case 'AR-7':
        this.write(ctx.raw!, ctx.pdu!);
        return;
      case 'DT-2':
      case 'AR-6':
        this.o.user.pData(ctx.pdu as PDataTfPdu, ctx.raw!);
        return;
      case 'AR-1':
        this.sendRelease(0x05);
        this.timers.start('release', t.releaseMs);
        return;
      case 'AR-2':
        this.o.user.releaseIndication(false);
        return;
      case 'AR-3':
        this.timers.stop('release');
        this.timers.stop('idle');
        this.closeTransport();
        this.o.user.releaseConfirmation();
        return;
      case 'AR-4':
        this.timers.stop('idle');
        this.sendRelease(0x06);
        this.timers.start('ARTIM', t.artimMs);
        return;
      case 'AR-5':
      case 'AA-5':
        this.timers.stop('ARTIM');
        return;
      case 'AR-8':
        this.o.user.releaseIndication(true);
        return;
      case 'AR-9':
        this.sendRelease(0x06);
        return;
      case 'AR-10':
        this.o.user.releaseConfirmation();
        return;
      case 'AA-1': {
        this.timers.stopAssociationTimers();
        const a = ctx.abort ?? { source: 0, reason: 0 };
        if (ctx.error) this.emit({ kind: 'fault', error: ctx.error });
        this.send({ type: 0x07, source: a.source, reason: a.reason });
        this.timers.start('ARTIM', t.artimMs);
        if (event === 'Evt15') this.o.user.abortIndication({ by: 'local', source: a.source, reason: a.reason, ...(ctx.error && { error: ctx.error }) });
        return;
      }
      case 'AA-2':
        this.timers.stopAll();
        if (ctx.error) this.emit({ kind: 'fault', error: ctx.error });
        this.closeTransport();
        if (event === 'Evt16') {
          const p = ctx.pdu as AbortPdu;
          this.o.user.abortIndication({ by: 'peer', source: p.source, reason: p.reason });
        } else if (event === 'Evt15') {
          this.o.user.abortIndication({ by: 'local', source: 0, reason: 0, ...(ctx.error && { error: ctx.error }) });
        }
        return;
      case 'AA-3': {
        this.timers.stopAll();
        this.closeTransport();
        const p = ctx.pdu as AbortPdu;
        this.o.user.abortIndication({ by: 'peer', source: p.source, reason: p.reason });
        return;
      }
      case 'AA-4': {
        this.timers.stopAll();
        const error = ctx.error ?? new ConnectionError('UL_TRANSPORT_CLOSED', 'the peer closed the transport connection');
        this.emit({ kind: 'fault', error });
        this.o.user.abortIndication({ by: 'provider', source: 2, reason: 0, error });
        return;
      }
      case 'AA-6':
        return;
      case 'AA-7': {
        const reason = ctx.error instanceof ProtocolError ? ctx.error.abortReason : 2;
        if (ctx.error) this.emit({ kind: 'fault', error: ctx.error });
        this.send({ type: 0x07, source: 2, reason });
        return;
      }
      case 'AA-8': {
        this.timers.stopAssociationTimers();
        const error = ctx.error ?? this.unexpected(ctx.pdu);
        const reason = error instanceof ProtocolError ? error.abortReason : 0;
        this.emit({ kind: 'fault', error });
        this.send({ type: 0x07, source: 2, reason });
        this.timers.start('ARTIM', t.artimMs);
        this.o.user.abortIndication({ by: 'provider', source: 2, reason, error });
        return;
      }
    }
  }

  private unexpected(pdu: Pdu | undefined): ProtocolError {
    const name = pdu ? pduTypeName(pdu.type) : 'PDU';
    return new ProtocolError('UL_UNEXPECTED_PDU', `${name} is not allowed in ${this.state === 'Sta13' ? 'this state' : 'the state it arrived in'}`, 2);
  }

  /**
   * ARTIM ran out: Evt18. One of the product's timers ran out: abort locally (Evt15) with the
   * timeout as the cause, or drop the transport if no abort is possible.
   */
  private expired(name: TimerName): void {
    if (name === 'ARTIM') {
      this.fire('Evt18', { error: new TimeoutError('UL_ARTIM_EXPIRED', 'ARTIM', this.o.timeouts.artimMs) });
      return;
    }
    const [code, setting] = LOCAL_TIMEOUTS[name];
    const error = new TimeoutError(code, name, this.o.timeouts[setting]);
    if (this.can('Evt15')) {
      this.fire('Evt15', { abort: { source: 0, reason: 0 }, error });
    } else {
      this.emit({ kind: 'fault', error });
      this.closeTransport();
    }
  }

  // ------------------------------------------------------------ transport

  private connect(host: string, port: number, lookup: net.LookupFunction | undefined): void {
    if (this.o.events.wants('transport')) this.emit({ kind: 'transport', phase: 'connecting', remote: `${host}:${port}` });
    const socket = net.connect({ host, port, noDelay: true, ...(lookup && { lookup }) });
    const t = this.attach(socket);
    this.timers.start('connect', this.o.timeouts.connectMs);
    socket.once('connect', () => {
      this.transportOpen = true;
      if (this.o.events.wants('transport')) this.emit({ kind: 'transport', phase: 'connected', local: t.local, remote: t.remote });
      this.fire('Evt2', {});
    });
  }

  private attach(socket: net.Socket): SocketTransport {
    this.transport = new SocketTransport(socket, this.o.clock);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    return this.transport;
  }

  private onSocketError(err: NodeJS.ErrnoException): void {
    this.lastSocketError = connectionError(err);
  }

  private lastSocketError: ConnectionError | undefined;

  private onSocketClose(): void {
    this.transportOpen = false;
    const partial = this.framer.partial;
    const error: HarnessError | undefined = partial
      ? new ProtocolError(
          'UL_TRANSPORT_CLOSED_MID_PDU',
          `the transport closed after ${partial.received} of ${partial.expected || '?'} bytes of ${partial.expected ? pduTypeName(partial.type) : 'a PDU header'}`,
          0,
        )
      : this.lastSocketError;
    this.fire('Evt17', error ? { error } : {});
    this.timers.stopAll();
    this.emit({ kind: 'transport', phase: 'closed' });
    if (!this.closedNotified) {
      this.closedNotified = true;
      this.o.user.closed();
    }
  }

  private onData(chunk: Buffer): void {
    try {
      this.consume(chunk);
    } catch (e) {
      // A fault in code above the provider must end this association, never the process.
      const error = e instanceof HarnessError ? e : new InternalError(e);
      if (this.can('Evt15')) {
        this.fire('Evt15', { abort: { source: 0, reason: 0 }, error });
      } else {
        this.emit({ kind: 'fault', error });
        this.destroyTransport();
      }
    }
  }

  private consume(chunk: Buffer): void {
    if (this.state === 'Sta6') this.timers.start('idle', this.o.timeouts.idleMs);
    const tooLong = this.framer.push(chunk, (f) => {
      this.onFramed(f.bytes);
      return this.transportOpen;
    });
    if (tooLong) this.fire('Evt19', { error: tooLong });
  }

  private onFramed(raw: Buffer): void {
    let pdu: Pdu;
    try {
      pdu = this.o.decode ? this.o.decode(raw) : decodePdu(raw);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.emit({ kind: 'pdu:received', pdu: undefined, raw, error: e });
      this.fire('Evt19', { raw, error: new ProtocolError('UL_PDU_DECODE_FAILED', e.message, 6, e) });
      return;
    }
    if (this.o.events.wants('pdu:received')) this.emit({ kind: 'pdu:received', pdu, raw });
    if (isUnknownPdu(pdu)) {
      this.fire('Evt19', { pdu, raw, error: new ProtocolError('UL_UNRECOGNIZED_PDU', `${pduTypeName(pdu.type)} received`, 1) });
      return;
    }
    const invalid = this.o.inspect?.(pdu, raw, this.o.associationId);
    if (invalid) {
      this.fire('Evt19', { pdu, raw, error: invalid });
      return;
    }
    this.fire(PDU_EVENTS[pdu.type]!, { pdu, raw });
  }

  private send(pdu: Pdu): void {
    this.write(encodePdu(pdu), pdu);
  }

  private sendRelease(type: 0x05 | 0x06): void {
    const { pdu, raw } = plainRelease(type);
    this.write(raw, pdu);
  }

  private write(raw: Buffer, pdu: Pdu): void {
    if (!this.transportOpen || !this.transport?.write(raw)) return;
    if (this.o.events.wants('pdu:sent')) this.emit({ kind: 'pdu:sent', pdu, raw });
  }

  /** Close without lingering (PS3.8 9.1.4). */
  private closeTransport(): void {
    if (!this.transport || this.transport.socket.destroyed) return;
    this.transportOpen = false;
    this.transport.close();
  }

  /** True while the transport has unsent bytes above the high-water mark (backpressure for streaming senders). */
  get writeBackedUp(): boolean {
    return this.transport?.backedUp ?? false;
  }

  /** Resolves when the socket can take more data. */
  drained(): Promise<void> {
    return this.transport?.drained() ?? Promise.resolve();
  }

  /** Stops reading from the peer (backpressure on a slow consumer) or resumes. */
  pauseReading(paused: boolean): void {
    this.transport?.pauseReading(paused);
  }

  // ------------------------------------------------------------ events

  private emit(e: DistributiveOmit<UlEvent, 'associationId' | 'at'>): void {
    if (!this.o.events.wants(e.kind)) return;
    this.o.events.emit({ ...e, associationId: this.o.associationId, at: this.o.clock.now() } as UlEvent);
  }

  private emitTimer(timer: TimerName, phase: TimerPhase, ms?: number): void {
    if (!this.o.events.wants('timer')) return;
    this.emit(ms === undefined ? { kind: 'timer', timer, phase } : { kind: 'timer', timer, phase, ms });
  }
}

/** The error code and the setting of each of the product's own timers. */
const LOCAL_TIMEOUTS: Record<Exclude<TimerName, 'ARTIM'>, [TimeoutError['code'], keyof Timeouts]> = {
  connect: ['UL_CONNECT_TIMEOUT', 'connectMs'],
  'association-request': ['UL_ASSOCIATION_TIMEOUT', 'associationRequestMs'],
  release: ['UL_RELEASE_TIMEOUT', 'releaseMs'],
  idle: ['UL_IDLE_TIMEOUT', 'idleMs'],
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
