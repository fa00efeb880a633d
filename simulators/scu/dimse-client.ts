import { systemClock } from '../clock/clock.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { nullSink } from '../events/event-stream.ts';
import type { EventSink } from '../events/event-stream.ts';
import type { AssembledMessage } from '../dimse/assembler.ts';
import { DimseChannel } from '../dimse/channel.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { CommandField, NO_DATA_SET, Priority, commandFieldName } from '../dimse/command-fields.ts';
import { DimseError } from '../dimse/errors.ts';
import type { DimseEvent } from '../dimse/events.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import type { Association, AssociationEnd } from '../ul/association/association.ts';
import { requestAssociation } from '../ul/association/requestor.ts';
import type { RequestorOptions } from '../ul/association/requestor.ts';
import type { UlEvent } from '../ul/events.ts';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { transferSyntax } from '../dataset/transfer-syntax.ts';
import { FIND_MODELS, cancelRequest, findRequest } from '../dimse/find.ts';
import { storeRequest } from '../dimse/store.ts';
import type { FindModel } from '../dimse/find.ts';
import { FindOperation, noContextError } from './find-operation.ts';

export type ClientEvent = UlEvent | DimseEvent;

export interface ClientOptions {
  events?: EventSink<ClientEvent>;
  clock?: Clock;
  /** Longest wait for the next response of an operation; 0 waits for ever. Default 30 s. */
  dimseTimeoutMs?: number;
  /** After the DIMSE timeout's A-ABORT, close the transport at once instead of waiting up to ARTIM (PS3.8 9.1.4). */
  closeAfterTimeout?: boolean;
  /** Keep the P-DATA-TF PDUs of each received message (for `rawPdus` in results). */
  keepRawPdus?: boolean;
}

/** A pending operation waiting for its responses, keyed by Message ID. */
export interface Operation {
  /** Returns true when this response ends the operation. */
  response(m: AssembledMessage): boolean;
  fail(error: Error): void;
}

interface OperationEntry {
  op: Operation;
  timer: TimerHandle | undefined;
  lastActivity: number;
  /** The consumer paused reading: the peer is not late. */
  held: boolean;
}

export interface FindOptions {
  priority?: number;
  messageId?: number;
  /** Send on this presentation context instead of the first one accepted for the model. */
  contextId?: number;
  /** Send C-CANCEL as soon as this many Pendings have arrived (0: right after the request). */
  cancelAfter?: number;
}

export interface StoreResult {
  status: number;
  messageId: number;
  command: DimseCommand;
}

export interface EchoResult {
  status: number;
  messageId: number;
  command: DimseCommand;
}

/**
 * The requestor side of DIMSE over one association: issues requests, routes each response to
 * its operation by MessageIDBeingRespondedTo, enforces the DIMSE timeout, and fails every
 * outstanding operation when the association ends (PS3.7 A.6).
 */
export class DimseClient {
  readonly channel: DimseChannel;
  readonly clock: Clock;
  readonly events: EventSink<ClientEvent>;
  private readonly operations = new Map<number, OperationEntry>();
  private nextMessageId = 1;
  private readonly dimseTimeoutMs: number;
  private readonly closeAfterTimeout: boolean;

  constructor(
    readonly association: Association,
    o: ClientOptions = {},
  ) {
    this.clock = o.clock ?? systemClock;
    this.events = o.events ?? nullSink;
    this.dimseTimeoutMs = o.dimseTimeoutMs ?? 30_000;
    this.closeAfterTimeout = o.closeAfterTimeout ?? false;
    this.channel = new DimseChannel(association, this.events, this.clock, { keepRawPdus: o.keepRawPdus ?? false });
    this.channel.onMessage((m) => this.route(m));
    association.onEnd((end) => this.failAll(end));
  }

  /** Requests an association and wraps it. */
  static async connect(o: RequestorOptions & ClientOptions): Promise<DimseClient> {
    const association = await requestAssociation(o);
    return new DimseClient(association, o);
  }

  /** A Message ID not used by an outstanding operation (PS3.7 9.1.2.1.1). */
  allocateMessageId(): number {
    for (let i = 0; i < 0x10000; i++) {
      const id = this.nextMessageId;
      this.nextMessageId = (this.nextMessageId + 1) & 0xffff;
      if (!this.operations.has(id)) return id;
    }
    throw new DimseError('DIMSE_INVALID_COMMAND', 'every Message ID is in use');
  }

  /** Registers an operation before its request is sent. */
  register(messageId: number, op: Operation): void {
    const entry: OperationEntry = { op, timer: undefined, lastActivity: this.clock.now(), held: false };
    this.operations.set(messageId, entry);
    this.arm(messageId, entry, this.dimseTimeoutMs);
  }

  /** Restarts the DIMSE timeout of an operation (a response arrived, or the consumer resumed reading). */
  touch(messageId: number): void {
    const entry = this.operations.get(messageId);
    if (!entry) return;
    entry.lastActivity = this.clock.now();
    entry.held = false;
    if (!entry.timer) this.arm(messageId, entry, this.dimseTimeoutMs);
  }

  /** Suspends the DIMSE timeout of an operation until the next `touch` (the consumer is paused, not the peer). */
  hold(messageId: number): void {
    const entry = this.operations.get(messageId);
    if (entry) entry.held = true;
  }

  /** Reports a rule the peer broke (the event stream's `violation`). */
  violation(reference: string, message: string): void {
    if (this.events.wants('violation')) this.events.emit({ kind: 'violation', reference, message, associationId: this.association.id, at: this.clock.now() });
  }

  /**
   * C-FIND (PS3.7 9.1.2, PS3.4 C.4.1): sends the request on the first accepted context of the
   * model's SOP class and returns the operation, whose responses arrive as an async iterator.
   */
  find(model: FindModel | string, identifier: DataSetInput | Buffer, o: FindOptions = {}): FindOperation {
    const sopClassUid = model in FIND_MODELS ? FIND_MODELS[model as FindModel].sopClassUid : model;
    const ctx = o.contextId !== undefined ? this.association.contexts.get(o.contextId) : this.association.contextFor(sopClassUid);
    if (!ctx) throw noContextError(sopClassUid);
    const ts = transferSyntax(ctx.transferSyntax);
    if (!ts) throw new DimseError('DIMSE_NO_CONTEXT', `transfer syntax ${ctx.transferSyntax} of context ${ctx.id} is not an uncompressed one`);
    const messageId = o.messageId ?? this.allocateMessageId();
    const dataSet = Buffer.isBuffer(identifier) ? identifier : encodeDataSet(DataSet.from(identifier, { littleEndian: ts.littleEndian }), ts);
    const op = new FindOperation(this, messageId, ctx.id, sopClassUid, ts, o.cancelAfter);
    this.register(messageId, op);
    try {
      this.channel.send(ctx.id, findRequest(messageId, sopClassUid, o.priority ?? Priority.MEDIUM), dataSet);
    } catch (e) {
      this.settle(messageId);
      throw e;
    }
    if (o.cancelAfter === 0) op.cancel();
    return op;
  }

  /** A C-CANCEL-RQ for any Message ID, on any context (faults: a wrong ID, a cancel with nothing outstanding). */
  sendCancel(messageIdBeingRespondedTo: number, contextId: number): void {
    this.channel.send(contextId, cancelRequest(messageIdBeingRespondedTo));
  }

  /** Forgets an operation without waiting for more responses. */
  settle(messageId: number): void {
    const entry = this.operations.get(messageId);
    entry?.timer?.cancel();
    this.operations.delete(messageId);
  }

  isOutstanding(messageId: number): boolean {
    return this.operations.has(messageId);
  }

  /** C-ECHO (PS3.7 9.1.5, 9.3.5) on the first accepted Verification context. */
  echo(o: { messageId?: number } = {}): Promise<EchoResult> {
    const ctx = this.association.contextFor(SopClass.Verification);
    if (!ctx) return Promise.reject(new DimseError('DIMSE_NO_CONTEXT', 'no accepted presentation context for Verification'));
    const messageId = o.messageId ?? this.allocateMessageId();
    return new Promise<EchoResult>((resolve, reject) => {
      this.register(messageId, {
        response: (m) => {
          const c = m.decoded.command;
          if (c.CommandField !== CommandField.C_ECHO_RSP) {
            reject(new DimseError('DIMSE_UNEXPECTED_RESPONSE', `expected C-ECHO-RSP, got ${commandFieldName(c.CommandField)}`));
          } else {
            resolve({ status: c.Status ?? -1, messageId, command: c });
          }
          return true;
        },
        fail: reject,
      });
      try {
        this.channel.send(ctx.id, {
          CommandField: CommandField.C_ECHO_RQ,
          AffectedSOPClassUID: SopClass.Verification,
          MessageID: messageId,
          CommandDataSetType: NO_DATA_SET,
        });
      } catch (e) {
        this.settle(messageId);
        reject(e);
      }
    });
  }

  /**
   * C-STORE (PS3.7 9.1.1, 9.3.1) of one instance on the first accepted context of its SOP class,
   * encoded in that context's transfer syntax. Resolves with the C-STORE-RSP's status.
   */
  store(sopClassUid: string, sopInstanceUid: string, instance: DataSet, o: { priority?: number } = {}): Promise<StoreResult> {
    const ctx = this.association.contextFor(sopClassUid);
    if (!ctx) return Promise.reject(noContextError(sopClassUid));
    const ts = transferSyntax(ctx.transferSyntax);
    if (!ts || ts.littleEndian !== instance.littleEndian) return Promise.reject(new DimseError('DIMSE_NO_CONTEXT', `context ${ctx.id} was accepted with ${ctx.transferSyntax}, in which this instance cannot be sent`));
    const messageId = this.allocateMessageId();
    const bytes = encodeDataSet(instance, ts);
    return new Promise<StoreResult>((resolve, reject) => {
      this.register(messageId, {
        response: (m) => {
          const c = m.decoded.command;
          if (c.CommandField !== CommandField.C_STORE_RSP) reject(new DimseError('DIMSE_UNEXPECTED_RESPONSE', `expected C-STORE-RSP, got ${commandFieldName(c.CommandField)}`));
          else resolve({ status: c.Status ?? -1, messageId, command: c });
          return true;
        },
        fail: reject,
      });
      try {
        this.channel.send(ctx.id, storeRequest(messageId, sopClassUid, sopInstanceUid, o.priority ?? Priority.MEDIUM), bytes);
      } catch (e) {
        this.settle(messageId);
        reject(e);
      }
    });
  }

  release(): Promise<void> {
    return this.association.release();
  }

  abort(): void {
    this.association.abort();
  }

  /** One timer per operation, re-armed lazily: a response only moves `lastActivity` (no timer churn on long streams). */
  private arm(messageId: number, entry: OperationEntry, ms: number): void {
    if (this.dimseTimeoutMs <= 0) return;
    entry.timer = this.clock.setTimeout(() => {
      entry.timer = undefined;
      if (this.operations.get(messageId) !== entry) return;
      const idle = this.clock.now() - entry.lastActivity;
      if (entry.held || idle < this.dimseTimeoutMs) {
        this.arm(messageId, entry, entry.held ? this.dimseTimeoutMs : this.dimseTimeoutMs - idle);
        return;
      }
      this.operations.delete(messageId);
      entry.op.fail(new DimseError('DIMSE_TIMEOUT', `no response to message ${messageId} within ${this.dimseTimeoutMs} ms`));
      // The association's state is unknown once a response is overdue: abort it.
      this.association.abort();
      if (this.closeAfterTimeout) this.association.closeAfterAbort();
    }, ms);
  }

  private route(m: AssembledMessage): void {
    const c = m.decoded.command;
    const id = c.MessageIDBeingRespondedTo;
    const entry = id === undefined ? undefined : this.operations.get(id);
    if (!entry) {
      this.violation('PS3.7 9.3.2.4', `${commandFieldName(c.CommandField)} responds to message ${id ?? '(none)'}, which has no outstanding request (a response after the final one, or to a Message ID never sent)`);
      return;
    }
    const done = entry.op.response(m);
    if (done) this.settle(id!);
    else this.touch(id!);
  }

  private failAll(end: AssociationEnd): void {
    const why = end.how === 'released' ? 'the association was released' : `the association was aborted: ${end.description}`;
    for (const [id, entry] of this.operations) {
      entry.timer?.cancel();
      entry.op.fail(new DimseError('DIMSE_ASSOCIATION_ENDED', `message ${id} has no final response: ${why}`));
    }
    this.operations.clear();
  }
}

/** The presentation context proposals for C-ECHO. */
export const verificationContext = {
  abstractSyntax: SopClass.Verification,
  transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian],
};
