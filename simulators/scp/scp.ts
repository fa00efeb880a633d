import { systemClock } from '../clock/clock.ts';
import type { Clock } from '../clock/clock.ts';
import { nullSink } from '../events/event-stream.ts';
import type { EventSink } from '../events/event-stream.ts';
import type { AssembledMessage } from '../dimse/assembler.ts';
import { DimseChannel } from '../dimse/channel.ts';
import { CommandField, NO_DATA_SET, commandFieldName } from '../dimse/command-fields.ts';
import type { DimseEvent } from '../dimse/events.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { HarnessError, InternalError } from '../wire/errors.ts';
import { AssociationAcceptor } from '../ul/association/acceptor.ts';
import type { Association } from '../ul/association/association.ts';
import type { AcceptorPolicy, SupportedContext } from '../ul/association/negotiation.ts';
import type { UlEvent } from '../ul/events.ts';
import type { Timeouts } from '../ul/timers.ts';
import { FIND_SOP_CLASSES } from '../dimse/find.ts';
import { findServices } from './find-service.ts';
import { echoService } from './echo-service.ts';
import { BytesMemo } from '../wire/bytes-memo.ts';
import type { DecodedCommand } from '../dimse/command-set.ts';
import type { FindServiceOptions } from './find-service.ts';

export type ScpEvent = UlEvent | DimseEvent;

/** What a service handler gets for one request. */
export interface RequestContext {
  association: Association;
  channel: DimseChannel;
  message: AssembledMessage;
  clock: Clock;
  events: EventSink<ScpEvent>;
}

/** Handles one request message; resolves when every response has been sent. */
export type ServiceHandler = (ctx: RequestContext) => void | Promise<void>;

export interface ScpOptions {
  aeTitle: string;
  /** Extra A-ASSOCIATE policy: calling AE titles, decide hook, max PDU … */
  policy?: Partial<Omit<AcceptorPolicy, 'aeTitle' | 'contexts'>>;
  /** Contexts beyond Verification (added by the services that need them). */
  contexts?: SupportedContext[];
  /** Handlers by request Command Field; C-ECHO is built in. */
  handlers?: Map<number, ServiceHandler>;
  /** Serve C-FIND (and C-CANCEL) with this handler, on contexts for these SOP classes (default: all four FIND models). */
  find?: FindServiceOptions & { sopClasses?: string[] };
  timeouts?: Partial<Timeouts>;
  clock?: Clock;
  events?: EventSink<ScpEvent>;
  /** Called with every established association (scripted behaviours hook in here). */
  onAssociation?: (association: Association) => void;
}

const ALL_TRANSFER_SYNTAXES = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRBigEndian];

/**
 * A DICOM SCP on a real TCP socket: negotiates associations by its policy, answers C-ECHO
 * (PS3.7 9.3.5) and dispatches other requests to its handlers. A failing handler aborts its
 * own association; the server keeps serving.
 */
export class Scp {
  readonly acceptor: AssociationAcceptor;
  private readonly clock: Clock;
  private readonly events: EventSink<ScpEvent>;
  private readonly handlers: Map<number, ServiceHandler>;
  private readonly live = new Set<Association>();
  /** Command sets decoded before, shared by every association (a client that associates again and again repeats them). */
  private readonly commands = new BytesMemo<DecodedCommand>();

  constructor(readonly o: ScpOptions) {
    this.clock = o.clock ?? systemClock;
    this.events = o.events ?? nullSink;
    this.handlers = new Map(o.handlers ?? []);
    const findContexts: SupportedContext[] = [];
    if (o.find) {
      for (const [field, h] of findServices(o.find)) if (!this.handlers.has(field)) this.handlers.set(field, h);
      for (const uid of o.find.sopClasses ?? FIND_SOP_CLASSES) findContexts.push({ abstractSyntax: uid, transferSyntaxes: ALL_TRANSFER_SYNTAXES });
    }
    if (!this.handlers.has(CommandField.C_ECHO_RQ)) this.handlers.set(CommandField.C_ECHO_RQ, echoService());
    const policy: AcceptorPolicy = {
      maxPduLength: 16384,
      ...o.policy,
      aeTitle: o.aeTitle,
      contexts: [{ abstractSyntax: SopClass.Verification, transferSyntaxes: ALL_TRANSFER_SYNTAXES }, ...findContexts, ...(o.contexts ?? [])],
    };
    this.acceptor = new AssociationAcceptor({
      policy,
      onAssociation: (a) => this.serve(a),
      ...(o.timeouts && { timeouts: o.timeouts }),
      clock: this.clock,
      events: this.events,
    });
  }

  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return this.acceptor.listen(port, host);
  }

  get port(): number | undefined {
    return this.acceptor.port;
  }

  /** Associations currently established. */
  get associations(): ReadonlySet<Association> {
    return this.live;
  }

  /** Stops accepting associations; established ones go on (a stop that lets them release). */
  stopListening(): void {
    this.acceptor.stopListening();
  }

  close(): Promise<void> {
    return this.acceptor.close();
  }

  private serve(association: Association): void {
    this.live.add(association);
    this.o.onAssociation?.(association);
    association.onEnd(() => this.live.delete(association));
    const channel = new DimseChannel(association, this.events, this.clock, { commandMemo: this.commands });
    channel.onMessage((message) => {
      const field = message.decoded.command.CommandField;
      const handler = this.handlers.get(field);
      const ctx: RequestContext = { association, channel, message, clock: this.clock, events: this.events };
      if (!handler) {
        refuseUnknown(ctx);
        return;
      }
      let result: void | Promise<void>;
      try {
        result = handler(ctx);
      } catch (e) {
        this.handlerFailed(association, e);
        return;
      }
      if (result) result.catch((e: unknown) => this.handlerFailed(association, e));
    });
  }

  private handlerFailed(association: Association, e: unknown): void {
    const error = e instanceof HarnessError ? e : new InternalError(e);
    if (this.events.wants('fault')) this.events.emit({ kind: 'fault', error, associationId: association.id, at: this.clock.now() });
    association.abort();
  }
}

/** A request this SCP has no service for: 0211 Unrecognized operation (PS3.7 C.5.23); responses and stray messages are reported. */
function refuseUnknown(ctx: RequestContext): void {
  const rq = ctx.message.decoded.command;
  const field = rq.CommandField;
  const isRequest = field !== undefined && (field & 0x8000) === 0 && field !== CommandField.C_CANCEL_RQ;
  if (!isRequest) {
    if (ctx.events.wants('violation')) {
      ctx.events.emit({
        kind: 'violation',
        reference: 'PS3.7 9.1',
        message: `${commandFieldName(field)} arrived with nothing outstanding it could belong to`,
        associationId: ctx.association.id,
        at: ctx.clock.now(),
      });
    }
    return;
  }
  ctx.channel.send(ctx.message.contextId, {
    CommandField: (field | 0x8000) & 0xffff,
    ...(rq.AffectedSOPClassUID !== undefined && { AffectedSOPClassUID: rq.AffectedSOPClassUID }),
    MessageIDBeingRespondedTo: rq.MessageID ?? 0,
    CommandDataSetType: NO_DATA_SET,
    Status: 0x0211,
  });
}
