import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Clock } from '../clock/clock.ts';
import type { EventSink } from '../events/event-stream.ts';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { decodeDataSet } from '../dataset/decode.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { DataSetError } from '../dataset/errors.ts';
import { transferSyntax } from '../dataset/transfer-syntax.ts';
import type { TransferSyntaxInfo } from '../dataset/transfer-syntax.ts';
import type { DimseChannel } from '../dimse/channel.ts';
import { encodeCommand } from '../dimse/command-set.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { FIND_SOP_CLASSES, errorComment, findResponse, modelOf } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import type { FragmentOptions } from '../dimse/fragmenter.ts';
import { statusClass } from '../dimse/status.ts';
import type { Association } from '../ul/association/association.ts';
import { HarnessError, InternalError } from '../wire/errors.ts';
import type { RequestContext, ScpEvent, ServiceHandler } from './scp.ts';

/** What a handler yields: a status, the identifier of a Pending (or, as a fault, of a final response), error fields. */
export type FindResult = readonly [status: number, identifier?: DataSetInput | Buffer | null, extra?: FindResultExtra];

export interface FindResultExtra {
  offendingElement?: number[];
  errorComment?: string;
  errorId?: number;
  /** Faults: command fields to send instead of the right ones, another presentation context, a broken fragmentation. */
  command?: Partial<DimseCommand>;
  contextId?: number;
  fragment?: FragmentOptions;
}

/** One C-FIND-RQ as the handler sees it. */
export interface FindRequest {
  association: Association;
  messageId: number;
  contextId: number;
  sopClassUid: string;
  model: FindModel | undefined;
  priority: number | undefined;
  command: DimseCommand;
  identifier: DataSet;
  transferSyntax: TransferSyntaxInfo;
  /** True once a C-CANCEL-RQ for this Message ID has arrived (PS3.7 9.3.2.3). */
  readonly isCancelled: boolean;
  clock: Clock;
  events: EventSink<ScpEvent>;
}

export type FindHandler = (request: FindRequest) => AsyncIterable<FindResult> | Iterable<FindResult>;

export interface FindServiceOptions {
  handler: FindHandler;
  /** Stop and answer FE00 when a C-CANCEL arrives, whatever the handler does (default true). */
  honourCancel?: boolean;
  /** Give the event loop a turn every N Pendings so a C-CANCEL can be read (default 8, or writeAhead when smaller; sooner when the socket backs up). */
  yieldEvery?: number;
  /**
   * Pendings allowed in flight beyond what the socket has handed to the kernel (default 16): past
   * that, the next Pending waits until the socket has flushed, reading the peer meanwhile, so a
   * slow reader holds the stream back and its C-CANCEL is read before more are made.
   */
  writeAhead?: number;
}

/** Default bounds of the stream: a turn of the event loop every 8 Pendings, 16 Pendings unflushed at most. */
export const DEFAULT_YIELD_EVERY = 8;
export const DEFAULT_WRITE_AHEAD = 16;

interface Running {
  cancelled: boolean;
}

interface Pace {
  yieldEvery: number;
  writeAhead: number;
}

/**
 * The C-FIND SCP (PS3.4 C.4.1.3, K.4.1.3): checks the request, streams the handler's Pendings
 * with backpressure, ends with exactly one final response without an Identifier, and stops with
 * FE00 when cancelled. Also serves C-CANCEL-RQ (which gets no response of its own).
 */
export function findServices(o: FindServiceOptions): Map<number, ServiceHandler> {
  const running = new WeakMap<Association, Map<number, Running>>();
  const runningOn = (a: Association) => {
    let m = running.get(a);
    if (!m) {
      m = new Map();
      running.set(a, m);
    }
    return m;
  };
  const honourCancel = o.honourCancel ?? true;
  const writeAhead = Math.max(1, o.writeAhead ?? DEFAULT_WRITE_AHEAD);
  // A small write-ahead also means a read turn as often: a C-CANCEL then stops the stream within it.
  const pace: Pace = { yieldEvery: Math.max(1, o.yieldEvery ?? Math.min(DEFAULT_YIELD_EVERY, writeAhead)), writeAhead };

  const onFind: ServiceHandler = async (ctx) => {
    const rq = ctx.message.decoded.command;
    const messageId = rq.MessageID ?? 0;
    const context = ctx.association.contexts.get(ctx.message.contextId)!;
    const sopClassUid = rq.AffectedSOPClassUID ?? context.abstractSyntax;
    const reply = (status: number, extra: FindResultExtra = {}) =>
      ctx.channel.send(ctx.message.contextId, findResponse({ messageIdBeingRespondedTo: messageId, sopClassUid, status, withIdentifier: false, ...extra }));

    // PS3.7 9.1.2.1.6 / checklist 62: a C-FIND only on a context of a FIND SOP class, for that class.
    if (!FIND_SOP_CLASSES.includes(context.abstractSyntax) || sopClassUid !== context.abstractSyntax) {
      reply(0x0122, { errorComment: errorComment(`C-FIND for ${sopClassUid} on a context for ${context.abstractSyntax}`) });
      return;
    }
    const ops = runningOn(ctx.association);
    if (ops.has(messageId)) {
      reply(0x0210, { errorComment: `message ID ${messageId} is already outstanding` });
      return;
    }
    const ts = transferSyntax(context.transferSyntax)!;
    if (!ctx.message.dataSetBytes) {
      reply(0xa900, { errorComment: 'C-FIND-RQ without an Identifier' });
      return;
    }
    let identifier: DataSet;
    try {
      identifier = decodeDataSet(ctx.message.dataSetBytes, ts);
    } catch (e) {
      if (!(e instanceof DataSetError)) throw e;
      reply(0xc000, { errorComment: errorComment(`undecodable identifier: ${e.message}`) });
      return;
    }
    const state: Running = { cancelled: false };
    ops.set(messageId, state);
    const request: FindRequest = {
      association: ctx.association,
      messageId,
      contextId: ctx.message.contextId,
      sopClassUid,
      model: modelOf(sopClassUid),
      priority: rq.Priority,
      command: rq,
      identifier,
      transferSyntax: ts,
      get isCancelled() {
        return state.cancelled;
      },
      clock: ctx.clock,
      events: ctx.events,
    };
    try {
      await stream(ctx, request, state, o.handler, honourCancel, pace, reply);
    } finally {
      ops.delete(messageId);
    }
  };

  const onCancel: ServiceHandler = (ctx) => {
    const id = ctx.message.decoded.command.MessageIDBeingRespondedTo;
    const state = id === undefined ? undefined : running.get(ctx.association)?.get(id);
    // PS3.7 9.3.2.3: no response to the cancel itself; a cancel for a finished C-FIND has no effect.
    if (state) state.cancelled = true;
  };

  return new Map([
    [CommandField.C_FIND_RQ, onFind],
    [CommandField.C_CANCEL_RQ, onCancel],
  ]);
}

async function stream(
  ctx: RequestContext,
  request: FindRequest,
  state: Running,
  handler: FindHandler,
  honourCancel: boolean,
  pace: Pace,
  reply: (status: number, extra?: FindResultExtra) => void,
): Promise<void> {
  const { channel, association } = ctx;
  const contextId = request.contextId;
  const pendingCommands = new Map<number, { command: DimseCommand; bytes: Buffer }>();
  let iterator: AsyncIterator<FindResult> | Iterator<FindResult>;
  try {
    const source = handler(request);
    iterator = Symbol.asyncIterator in source ? (source as AsyncIterable<FindResult>)[Symbol.asyncIterator]() : (source as Iterable<FindResult>)[Symbol.iterator]();
  } catch (e) {
    return failed(ctx, e, reply);
  }
  let sent = 0;
  /** Pendings written since the socket last had nothing unsent. */
  let ahead = 0;
  try {
    for (;;) {
      if (state.cancelled && honourCancel) {
        await iterator.return?.();
        reply(0xfe00);
        return;
      }
      let next: IteratorResult<FindResult>;
      try {
        next = await iterator.next();
      } catch (e) {
        return failed(ctx, e, reply);
      }
      if (!association.isEstablished && association.state !== 'Sta8') return;
      if (next.done) {
        if (state.cancelled && honourCancel) reply(0xfe00);
        else reply(0x0000);
        return;
      }
      const [status, identifier, extra] = next.value;
      const pending = statusClass(status) === 'Pending';
      if (!pending && (identifier === undefined || identifier === null) && !extra?.command && extra?.contextId === undefined && !extra?.fragment) {
        await iterator.return?.();
        reply(status, extra);
        return;
      }
      const bytes = identifier === undefined || identifier === null ? undefined : Buffer.isBuffer(identifier) ? identifier : encodeDataSet(DataSet.from(identifier, { littleEndian: request.transferSyntax.littleEndian }), request.transferSyntax);
      // The command set of a Pending is the same for every response of the operation: encode it once.
      let cmd = pending && !extra ? pendingCommands.get(status) : undefined;
      if (!cmd) {
        const { command: override, contextId: _c, fragment: _f, ...fields } = extra ?? {};
        const command = { ...findResponse({ messageIdBeingRespondedTo: request.messageId, sopClassUid: request.sopClassUid, status, withIdentifier: bytes !== undefined, ...fields }), ...override };
        cmd = { command, bytes: encodeCommand(command) };
        if (pending && !extra) pendingCommands.set(status, cmd);
      }
      channel.sendEncoded(extra?.contextId ?? contextId, cmd.command, cmd.bytes, bytes, extra?.fragment);
      if (!pending) {
        await iterator.return?.();
        return;
      }
      sent++;
      ahead = association.unsentBytes === 0 ? 0 : ahead + 1;
      if (ahead >= pace.writeAhead || association.writeBackedUp) {
        // Hold the next Pending until these are with the kernel; the peer is read meanwhile.
        await association.flushed();
        ahead = 0;
        if (state.cancelled) continue;
      }
      if (sent % pace.yieldEvery === 0) await nextMacrotask();
    }
  } catch (e) {
    // The association ended under us (abort, peer gone): nothing more can be sent.
    if (e instanceof HarnessError && e.code === 'UL_ASSOCIATION_ABORTED') {
      await iterator.return?.();
      return;
    }
    throw e;
  }
}

function failed(ctx: RequestContext, e: unknown, reply: (status: number, extra?: FindResultExtra) => void): void {
  const error = e instanceof HarnessError ? e : new InternalError(e);
  if (ctx.events.wants('fault')) ctx.events.emit({ kind: 'fault', error, associationId: ctx.association.id, at: ctx.clock.now() });
  // PS3.4 C.4.1.1.4: Cxxx, unable to process, with what went wrong in the Error Comment.
  if (ctx.association.isEstablished) reply(0xc000, { errorComment: errorComment(error.message) });
}
