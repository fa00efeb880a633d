import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../clock/clock.ts';
import type { Clock } from '../clock/clock.ts';
import { DataSet } from '../dataset/data-set.ts';
import { parseTag } from '../dataset/dictionary.ts';
import { decodeDataSet } from '../dataset/decode.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { EXPLICIT_BIG, IMPLICIT_LITTLE } from '../dataset/transfer-syntax.ts';
import { encodeCommand } from '../dimse/command-set.ts';
import { findResponse } from '../dimse/find.ts';
import { fragmentMessage } from '../dimse/fragmenter.ts';
import { SopClass } from '../dimse/sop-classes.ts';
import { statusClass } from '../dimse/status.ts';
import type { FindRequest, FindResult, FindResultExtra } from '../scp/find-service.ts';
import { encodePdu } from '../ul/pdu/registry.ts';
import type { Delay, RespondStep } from './types.ts';

/** Pick a delay: fixed, or uniformly random in [min, max]. */
export function delayOf(d: Delay | undefined, random: () => number): number {
  if (d === undefined) return 0;
  return typeof d === 'number' ? d : d[0] + Math.round(random() * (d[1] - d[0]));
}

type Cancel = 'honour' | 'ignore' | { after: number };

export interface RespondContext {
  request: FindRequest;
  /** The store's answer to this request, lazily: Pendings, or the failure it refuses the query with. */
  matches: () => Iterable<FindResult>;
  /** Encodes an identifier written in the scenario. */
  encode: (identifier: Record<string, unknown>) => Buffer;
  random: () => number;
  clock: Clock;
  scenarioDir: string;
}

/** How the following responses are broken (the `fault` step). */
function faultExtra(fault: string, ctx: RespondContext): FindResultExtra | undefined {
  const r = ctx.request;
  switch (fault) {
    case 'wrongMessageId':
      return { command: { MessageIDBeingRespondedTo: (r.messageId + 1) & 0xffff } };
    case 'wrongSopClass':
      return { command: { AffectedSOPClassUID: r.sopClassUid === SopClass.StudyRootQueryRetrieveFind ? SopClass.PatientRootQueryRetrieveFind : SopClass.StudyRootQueryRetrieveFind } };
    case 'wrongContext': {
      const other = [...r.association.contexts.keys()].find((id) => id !== r.contextId);
      return { contextId: other ?? 255 };
    }
    case 'oneByteFragments':
      return { fragment: { maxFragmentLength: 1, onePdvPerPdu: true } };
    case 'twoByteFragments':
      // Legal (PS3.8 E.1 asks only for even fragments) but extreme: one P-DATA-TF per 2 bytes.
      return { fragment: { maxFragmentLength: 2, onePdvPerPdu: true } };
    case 'oversizePdu':
      return { fragment: { ignorePeerMax: true } };
    default:
      return undefined;
  }
}

/** An identifier that no longer fits the peer's maximum PDU (for the oversizePdu fault). */
function oversize(ctx: RespondContext, identifier: Buffer): Buffer {
  const max = ctx.request.association.peerMaxPduLength || 16384;
  const ds = new DataSet(ctx.request.transferSyntax.littleEndian);
  ds.set('(0009,0010)', 'QRHARNESS');
  ds.set('(0009,1000)', Buffer.alloc(max + 2 - (max % 2)), 'UN');
  return Buffer.concat([encodeDataSet(ds, ctx.request.transferSyntax), identifier]);
}

/** The identifier in a transfer syntax other than the negotiated one (wrongTransferSyntax). */
function reencode(ctx: RespondContext, identifier: Buffer): Buffer {
  const ts = ctx.request.transferSyntax;
  return encodeDataSet(decodeDataSet(identifier, ts), ts.explicitVr ? IMPLICIT_LITTLE : EXPLICIT_BIG);
}

function sendBytes(ctx: RespondContext, what: string | { hex?: string; file?: string }): void {
  const a = ctx.request.association;
  if (typeof what !== 'string') {
    a.sendRaw(what.hex !== undefined ? Buffer.from(what.hex.replace(/\s+/g, ''), 'hex') : readFileSync(path.resolve(ctx.scenarioDir, what.file!)));
    return;
  }
  switch (what) {
    case 'unknownPdu':
      a.sendRaw(encodePdu({ type: 0x0a, body: Buffer.from('unknown PDU type 0AH', 'latin1'), unknown: true }));
      return;
    case 'releaseRp':
      a.sendRaw(encodePdu({ type: 0x06 }));
      return;
    case 'associateRq':
      a.sendRaw(encodePdu(a.rqPdu));
      return;
    case 'truncatedPdu': {
      const pdu = pendingPdu(ctx);
      a.sendRaw(pdu.subarray(0, Math.max(7, pdu.length >> 1)));
      a.destroyTransport(true);
      return;
    }
  }
}

/** A whole Pending response (command and a small identifier) as one P-DATA-TF, for the faults that cut it. */
function pendingPdu(ctx: RespondContext): Buffer {
  const r = ctx.request;
  const command = encodeCommand(findResponse({ messageIdBeingRespondedTo: r.messageId, sopClassUid: r.sopClassUid, status: 0xff00, withIdentifier: true }));
  const id = ctx.encode({ QueryRetrieveLevel: r.identifier.text('QueryRetrieveLevel') ?? 'STUDY' });
  return fragmentMessage(r.contextId, command, id, 0)[0]!.raw;
}

/**
 * Runs a scripted answer (a behaviour's `respond` steps) as a stream of find results. C-CANCEL
 * is handled here: honoured (FE00 at once), ignored, or honoured after N more Pendings.
 */
export async function* respond(steps: readonly RespondStep[], ctx: RespondContext): AsyncIterable<FindResult> {
  const r = ctx.request;
  let cancel: Cancel = 'honour';
  let sinceCancel = 0;
  let fault = 'none';
  const faultFields = () => (fault === 'none' ? undefined : faultExtra(fault, ctx));
  const shape = (id: Buffer) => (fault === 'oversizePdu' ? oversize(ctx, id) : fault === 'wrongTransferSyntax' ? reencode(ctx, id) : id);
  const cancelled = (): boolean => {
    if (!r.isCancelled || cancel === 'ignore') return false;
    if (cancel === 'honour') return true;
    return sinceCancel++ >= cancel.after;
  };
  const finalFault = (status: number): FindResult => {
    const identifier = fault === 'identifierOnFinal' ? ctx.encode({ QueryRetrieveLevel: r.identifier.text('QueryRetrieveLevel') ?? '' }) : null;
    return [status, identifier, faultFields()];
  };
  for (const step of steps) {
    if ('delayMs' in step && !('pending' in step)) {
      await sleep(ctx.clock, delayOf(step.delayMs, ctx.random));
    } else if ('pending' in step) {
      const source: Iterable<Buffer | FindResult> =
        step.pending === 'matches'
          ? ctx.matches()
          : typeof step.pending === 'number'
            ? limited(ctx, step.pending)
            : step.pending.map((i) => ctx.encode(i));
      let first = true;
      for (const item of source) {
        if (!Buffer.isBuffer(item) && statusClass(item[0]) !== 'Pending') {
          // The store refuses the query (e.g. A900, C000): that is the answer.
          yield item;
          return;
        }
        const id = Buffer.isBuffer(item) ? item : (item[1] as Buffer);
        const wait = delayOf(first ? (step.firstDelayMs ?? step.delayMs) : step.delayMs, ctx.random);
        first = false;
        if (wait > 0) await sleep(ctx.clock, wait);
        if (cancelled()) {
          yield finalFault(0xfe00);
          return;
        }
        yield [step.status ?? (Buffer.isBuffer(item) ? 0xff00 : item[0]), shape(id), faultFields()];
      }
    } else if ('cancel' in step) {
      cancel = step.cancel;
    } else if ('final' in step) {
      const identifier = step.identifier ? ctx.encode(step.identifier) : fault === 'identifierOnFinal' ? ctx.encode({ QueryRetrieveLevel: r.identifier.text('QueryRetrieveLevel') ?? '' }) : null;
      const extra: FindResultExtra = { ...faultFields() };
      if (step.errorComment !== undefined) extra.errorComment = step.errorComment;
      if (step.errorId !== undefined) extra.errorId = step.errorId;
      if (step.offendingElement) extra.offendingElement = step.offendingElement.map((k) => parseTag(k)!);
      yield [step.final, identifier, extra];
      return;
    } else if ('fault' in step) {
      fault = step.fault;
    } else if ('send' in step) {
      sendBytes(ctx, step.send);
      if (step.send === 'truncatedPdu') {
        await r.association.ended;
        return;
      }
    } else if ('abort' in step) {
      const a = typeof step.abort === 'object' ? step.abort : {};
      r.association.abort(a.source ?? 0, a.reason ?? 0);
      await r.association.ended;
      return;
    } else if ('close' in step) {
      const after = typeof step.close === 'object' ? (step.close.afterBytes ?? 0) : 0;
      if (after > 0) r.association.sendRaw(pendingPdu(ctx).subarray(0, after));
      r.association.destroyTransport(true);
      // Nothing more may be sent: the script is over when the connection is.
      await r.association.ended;
      return;
    } else if ('releaseRequest' in step) {
      void r.association.release().catch(() => {});
      await r.association.ended;
      return;
    }
  }
  yield finalFault(r.isCancelled && cancel !== 'ignore' ? 0xfe00 : 0x0000);
}

/** The first n store matches; generated identifiers make up the rest when the store has fewer. */
function* limited(ctx: RespondContext, n: number): Iterable<Buffer> {
  let i = 0;
  for (const m of ctx.matches()) {
    if (statusClass(m[0]) !== 'Pending') break;
    if (i++ >= n) return;
    yield m[1] as Buffer;
  }
  const level = ctx.request.identifier.text('QueryRetrieveLevel');
  for (; i < n; i++) {
    const uid = `1.2.826.0.1.3680043.9.7433.8.${i + 1}`;
    yield ctx.encode(level === 'PATIENT' ? { QueryRetrieveLevel: level, PatientID: `GEN${i + 1}` } : { ...(level && { QueryRetrieveLevel: level }), StudyInstanceUID: uid, SOPInstanceUID: uid });
  }
}
