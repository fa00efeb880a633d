import type net from 'node:net';
import { ConnectionError, ProtocolError, TimeoutError, UsageError } from './errors.ts';
import type { ActionName } from './fsm/actions.ts';
import { EVENTS, LOCAL_PRIMITIVE_EVENTS } from './fsm/events.ts';
import type { EventName } from './fsm/events.ts';
import { pduTypeName } from './pdu/constants.ts';
import type { AbortPdu, AssociateAcPdu, AssociateRjPdu, AssociateRqPdu, PDataTfPdu, Pdu } from './pdu/pdus.ts';
import { decodePdu, encodePdu } from './pdu/registry.ts';
import { ProviderConnection } from './provider-connection.ts';
import type { EventContext } from './provider-connection.ts';
import type { TimerName, Timeouts } from './timers.ts';

export type { AbortIndication, ProviderOptions, ProviderUser } from './provider-connection.ts';

/**
 * The DICOM upper layer service provider for one TCP connection: feeds PDUs, local
 * primitives, transport events and timers into PS3.8 Table 9-10 and performs the actions
 * the table names. Every PDU, state transition and timer goes to the event sink.
 */
export class UpperLayerProvider extends ProviderConnection {
  private pendingRq: AssociateRqPdu | undefined;
  private target: { host: string; port: number; lookup: net.LookupFunction | undefined } | undefined;

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

  /**
   * Ends Sta13's wait for the peer to close (after our A-ABORT or A-RELEASE-RP) at once: what was
   * written is flushed, then the transport closed (PS3.8 9.1.4); its closing is Evt17 (AR-5, Sta1).
   */
  closeNow(): void {
    if (this.state === 'Sta13') this.closeTransport();
  }

  /** Evt15: A-ABORT request. Source 0 and reason 0 unless a fault is wanted. */
  abort(source = 0, reason = 0): void {
    this.primitive('Evt15', { abort: { source, reason } });
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

  // ------------------------------------------------------------ the table

  private primitive(event: EventName, ctx: EventContext): void {
    if (!this.can(event)) {
      throw new UsageError('UL_INVALID_PRIMITIVE', `${EVENTS[event]} is not allowed in ${this.state}`);
    }
    this.fire(event, ctx);
  }

  protected fire(event: EventName, ctx: EventContext): void {
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
  protected expired(name: TimerName): void {
    if (name === 'ARTIM') {
      this.fire('Evt18', { error: new TimeoutError('UL_ARTIM_EXPIRED', 'ARTIM', this.o.timeouts.artimMs) });
      return;
    }
    const [code, setting] = LOCAL_TIMEOUTS[name];
    const error = new TimeoutError(code, name, this.o.timeouts[setting]);
    if (this.can('Evt15')) {
      this.fire('Evt15', { abort: { source: 0, reason: 0 }, error });
      if (this.o.closeAfterTimeout) this.closeNow();
    } else {
      this.emit({ kind: 'fault', error });
      this.closeTransport();
    }
  }
}

/** The error code and the setting of each of the product's own timers. */
const LOCAL_TIMEOUTS: Record<Exclude<TimerName, 'ARTIM'>, [TimeoutError['code'], keyof Timeouts]> = {
  connect: ['UL_CONNECT_TIMEOUT', 'connectMs'],
  'association-request': ['UL_ASSOCIATION_TIMEOUT', 'associationRequestMs'],
  release: ['UL_RELEASE_TIMEOUT', 'releaseMs'],
  idle: ['UL_IDLE_TIMEOUT', 'idleMs'],
};
