import net from 'node:net';
import type { EventSink } from '../events/event-stream.ts';
import type { Clock } from '../clock/clock.ts';
import { DecodeError, HarnessError, InternalError } from '../wire/errors.ts';
import { ConnectionError, ProtocolError } from './errors.ts';
import { SocketTransport, connectionError } from './transport.ts';
import type { UlEvent } from './events.ts';
import { PDU_EVENTS } from './fsm/events.ts';
import type { EventName } from './fsm/events.ts';
import { StateMachine } from './fsm/machine.ts';
import type { StateName } from './fsm/states.ts';
import { PduFramer } from './framer.ts';
import type { FramerLimits } from './framer.ts';
import { pduTypeName } from './pdu/constants.ts';
import type { AssociateAcPdu, AssociateRjPdu, AssociateRqPdu, PDataTfPdu, Pdu } from './pdu/pdus.ts';
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
  /**
   * After one of our timers aborted the association (AA-1), close the transport once the A-ABORT
   * is written instead of waiting up to ARTIM in Sta13 for the peer to close it (PS3.8 9.1.4): a
   * command whose every wait is bounded, facing a peer already silent for a whole timeout.
   */
  closeAfterTimeout?: boolean;
  /** Structural checks on a received A-ASSOCIATE-RQ/AC; an `invalid` problem makes it Evt19. */
  inspect?(pdu: Pdu, raw: Buffer, associationId: string): ProtocolError | undefined;
}

/** What an event carries into the table: the PDU and its bytes, the error behind it, the abort wanted. */
export interface EventContext {
  pdu?: Pdu;
  raw?: Buffer;
  error?: HarnessError;
  abort?: { source: number; reason: number };
}

/**
 * The connection side of an upper-layer provider: the TCP connection, PDUs framed, decoded and
 * checked into the events of PS3.8 Table 9-10 (Evt2, Evt3–Evt19), PDUs written out, the named
 * timers and the event sink. The table itself and its actions are UpperLayerProvider's.
 */
export abstract class ProviderConnection {
  readonly fsm = new StateMachine('Sta1');
  protected transport: SocketTransport | undefined;
  protected readonly timers: ProviderTimers;
  protected transportOpen = false;
  private readonly framer: PduFramer;
  private closedNotified = false;
  private lastSocketError: ConnectionError | undefined;

  constructor(protected readonly o: ProviderOptions) {
    this.framer = new PduFramer(o.limits);
    this.timers = new ProviderTimers(
      o.clock,
      (name) => this.expired(name),
      (name, phase, ms) => this.emitTimer(name, phase, ms),
    );
  }

  /** Feeds an event into Table 9-10. */
  protected abstract fire(event: EventName, ctx: EventContext): void;

  /** A named timer ran out. */
  protected abstract expired(name: TimerName): void;

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

  /** Whether a local primitive is allowed now (Table 9-10 has a cell for it). */
  can(event: EventName): boolean {
    return this.fsm.actionFor(event) !== undefined;
  }

  /** Drops the TCP connection without a PDU (a scripted fault, or teardown); see SocketTransport.destroy. */
  destroyTransport(afterFlush = false): void {
    this.transport?.destroy(afterFlush);
  }

  /** True while the transport has unsent bytes above the high-water mark (backpressure for streaming senders). */
  get writeBackedUp(): boolean {
    return this.transport?.backedUp ?? false;
  }

  /** Resolves when the socket can take more data. */
  drained(): Promise<void> {
    return this.transport?.drained() ?? Promise.resolve();
  }

  /** Bytes written but not yet handed to the kernel. */
  get unsentBytes(): number {
    return this.transport?.unsentBytes ?? 0;
  }

  /** Resolves once everything written is with the kernel. */
  flushed(): Promise<void> {
    return this.transport?.flushed() ?? Promise.resolve();
  }

  /** Stops reading from the peer (backpressure on a slow consumer) or resumes. */
  pauseReading(paused: boolean): void {
    this.transport?.pauseReading(paused);
  }

  // ------------------------------------------------------------ transport

  protected connect(host: string, port: number, lookup: net.LookupFunction | undefined): void {
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

  protected attach(socket: net.Socket): SocketTransport {
    this.transport = new SocketTransport(socket, this.o.clock);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => this.onSocketError(err));
    socket.on('close', () => this.onSocketClose());
    return this.transport;
  }

  private onSocketError(err: NodeJS.ErrnoException): void {
    this.lastSocketError = connectionError(err);
  }

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
    this.timers.dispose();
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

  protected send(pdu: Pdu): void {
    this.write(encodePdu(pdu), pdu);
  }

  protected sendRelease(type: 0x05 | 0x06): void {
    const { pdu, raw } = plainRelease(type);
    this.write(raw, pdu);
  }

  protected write(raw: Buffer, pdu: Pdu): void {
    if (!this.transportOpen || !this.transport?.write(raw)) return;
    // Responses still going out (a long C-FIND stream) are not idleness; a peer that stops reading stalls them, and the timer runs on.
    if (this.state === 'Sta6') this.timers.start('idle', this.o.timeouts.idleMs);
    if (this.o.events.wants('pdu:sent')) this.emit({ kind: 'pdu:sent', pdu, raw });
  }

  /** Close without lingering (PS3.8 9.1.4): unsent bytes get at most ARTIM to leave (PS3.8 9.1.5 bounds every wait on the peer). */
  protected closeTransport(): void {
    if (!this.transport || this.transport.socket.destroyed) return;
    this.transportOpen = false;
    this.transport.close(this.o.timeouts.artimMs);
  }

  // ------------------------------------------------------------ events

  protected emit(e: DistributiveOmit<UlEvent, 'associationId' | 'at'>): void {
    if (!this.o.events.wants(e.kind)) return;
    this.o.events.emit({ ...e, associationId: this.o.associationId, at: this.o.clock.now() } as UlEvent);
  }

  protected emitTimer(timer: TimerName, phase: TimerPhase, ms?: number): void {
    if (!this.o.events.wants('timer')) return;
    this.emit(ms === undefined ? { kind: 'timer', timer, phase } : { kind: 'timer', timer, phase, ms });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
