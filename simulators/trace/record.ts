import type { DimseCommand } from '../dimse/command-set.ts';
import type { TraceEvent } from './format.ts';

/**
 * A scenario's traffic as a portable JSON record: what reports are built from, saved in the run's
 * message stream so a report can be rebuilt later. Raw bytes are kept (base64) so a reader can
 * decode and annotate every PDU itself; state and timer events are counted, not kept.
 */
export const TRAFFIC_MEDIA_TYPE = 'application/vnd.qr-harness.traffic+json';

interface Base {
  /** Association ID. */
  a: string;
  /** ms since the scenario started. */
  t: number;
}

export type RecordedEvent = Base &
  (
    | { k: 'transport'; phase: string; local?: string; remote?: string }
    | { k: 'pdu'; dir: 'sent' | 'received'; type: number; length: number; raw?: string; error?: RecordedDecodeError }
    | { k: 'dimse'; dir: 'sent' | 'received'; ctx: number; cmd: DimseCommand; cmdRaw?: string; ds?: string; dsLength?: number; problems?: string[] }
    | { k: 'association'; role: 'requestor' | 'acceptor'; phase: string; by?: string; description?: string; calling?: string; called?: string; contexts?: { id: number; abstractSyntax: string; transferSyntax: string }[] }
    | { k: 'fault'; code: string; message: string }
    | { k: 'violation'; reference: string; message: string }
    | { k: 'folded'; pdus: number; messages: FoldedMessage[] }
  );

/**
 * A DIMSE message of a folded run: time (ms), direction (s sent, r received), Command Field, Status
 * (null when absent), and the Message ID it has or responds to, so a reader can tie it to its request.
 */
export type FoldedMessage = [t: number, dir: 's' | 'r', commandField: number, status?: number | null, messageId?: number];

export interface RecordedDecodeError {
  code: string;
  message: string;
  structure?: string;
  field?: string;
  offset?: number;
}

export interface TrafficRecord {
  version: 1;
  /** Wall-clock time of the scenario's start. */
  startedAt: string;
  events: RecordedEvent[];
  /** State transitions and timer events seen (not kept). */
  stateEvents: number;
  /** PDUs and data sets whose bytes were left out to bound the record's size. */
  omitted: { pduBytes: number; dataSets: number };
  /**
   * Acceptor associations whose PDUs and messages were left out because the requestor's side of
   * the same TCP connection is recorded (the same bytes seen from the other end): acceptor → requestor.
   */
  mirrors: Record<string, string>;
}

export interface RecordLimits {
  /** Per association: PDUs and DIMSE messages kept in full for the first N PDUs … */
  first: number;
  /** … and the last M. Between them PDUs and messages fold into one compact event; undecodable PDUs are always kept. */
  last: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = { first: 160, last: 24 };

const b64 = (b: Buffer | Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const ms = (x: number) => Math.round(x * 100) / 100;

/** The requestor association on the other end of each acceptor association, when both are in `events`. */
function mirroredAcceptors(events: readonly TraceEvent[]): Map<string, string> {
  const requestorByLocal = new Map<string, string>();
  for (const e of events) if (e.kind === 'transport' && e.phase === 'connected' && e.local) requestorByLocal.set(e.local, e.associationId);
  const mirrors = new Map<string, string>();
  for (const e of events) {
    if (e.kind !== 'transport' || e.phase !== 'accepted' || !e.remote) continue;
    const rq = requestorByLocal.get(e.remote);
    if (rq) mirrors.set(e.associationId, rq);
  }
  return mirrors;
}

/** The record of `events` (in order), times relative to `origin` (the same clock as the events). */
export function recordTraffic(events: readonly TraceEvent[], origin: number, startedAt: Date, limits: RecordLimits = DEFAULT_RECORD_LIMITS): TrafficRecord {
  const mirrors = mirroredAcceptors(events);
  const pduTotals = new Map<string, number>();
  for (const e of events) if (e.kind === 'pdu:sent' || e.kind === 'pdu:received') pduTotals.set(e.associationId, (pduTotals.get(e.associationId) ?? 0) + 1);
  const pduSeen = new Map<string, number>();
  const folds = new Map<string, Extract<RecordedEvent, { k: 'folded' }>>();
  const out: RecordedEvent[] = [];
  let stateEvents = 0;
  const omitted = { pduBytes: 0, dataSets: 0 };
  /** Whether the association's traffic is now inside its folded middle (counted by PDUs seen so far). */
  const folding = (a: string) => {
    const seen = pduSeen.get(a) ?? 0;
    return seen > limits.first && seen <= pduTotals.get(a)! - limits.last;
  };
  const fold = (a: string, t: number) => {
    let f = folds.get(a);
    if (!f) {
      f = { a, t, k: 'folded', pdus: 0, messages: [] };
      folds.set(a, f);
      out.push(f);
    }
    return f;
  };
  for (const e of events) {
    const base = { a: e.associationId, t: ms(e.at - origin) };
    const mirrored = mirrors.has(e.associationId);
    switch (e.kind) {
      case 'state':
      case 'timer':
        stateEvents++;
        break;
      case 'transport':
        out.push({ ...base, k: 'transport', phase: e.phase, ...(e.local && { local: e.local }), ...(e.remote && { remote: e.remote }) });
        break;
      case 'pdu:sent':
      case 'pdu:received': {
        if (mirrored) break;
        pduSeen.set(e.associationId, (pduSeen.get(e.associationId) ?? 0) + 1);
        const error = e.kind === 'pdu:received' ? e.error : undefined;
        if (folding(e.associationId) && !error) {
          fold(e.associationId, base.t).pdus++;
          omitted.pduBytes++;
          break;
        }
        out.push({
          ...base,
          k: 'pdu',
          dir: e.kind === 'pdu:sent' ? 'sent' : 'received',
          type: e.raw[0] ?? -1,
          length: e.raw.length,
          raw: b64(e.raw),
          ...(error && { error: { code: error.code, message: error.message, ...('offset' in error && { structure: (error as { structure: string }).structure, field: (error as { field: string }).field, offset: (error as { offset: number }).offset }) } }),
        });
        break;
      }
      case 'dimse:sent':
      case 'dimse:received': {
        if (mirrored) break;
        if (folding(e.associationId) && e.problems.length === 0) {
          const m: FoldedMessage = [base.t, e.kind === 'dimse:sent' ? 's' : 'r', e.command.CommandField, e.command.Status ?? null];
          const id = e.command.MessageID ?? e.command.MessageIDBeingRespondedTo;
          if (id !== undefined) m.push(id);
          fold(e.associationId, base.t).messages.push(m);
          if (e.dataSet) omitted.dataSets++;
          break;
        }
        out.push({
          ...base,
          k: 'dimse',
          dir: e.kind === 'dimse:sent' ? 'sent' : 'received',
          ctx: e.contextId,
          cmd: e.command,
          cmdRaw: b64(e.commandBytes),
          ...(e.dataSet && { ds: b64(e.dataSet) }),
          ...(e.problems.length && { problems: e.problems }),
        });
        break;
      }
      case 'association': {
        const a = { ...base, k: 'association' as const, role: e.role, phase: e.phase };
        switch (e.phase) {
          case 'requested':
            out.push({ ...a, calling: e.request.callingAeTitle, called: e.request.calledAeTitle });
            break;
          case 'established':
            out.push({ ...a, calling: e.request.callingAeTitle, called: e.request.calledAeTitle, contexts: e.contexts.map((c) => ({ id: c.id, abstractSyntax: c.abstractSyntax, transferSyntax: c.transferSyntax })) });
            break;
          case 'rejected':
            out.push({ ...a, description: e.description });
            break;
          case 'released':
            out.push({ ...a, by: e.by });
            break;
          case 'aborted':
            out.push({ ...a, by: e.by, description: e.description });
            break;
        }
        break;
      }
      case 'fault':
        out.push({ ...base, k: 'fault', code: e.error.code, message: e.error.message });
        break;
      case 'violation':
        out.push({ ...base, k: 'violation', reference: e.reference, message: e.message });
        break;
    }
  }
  return { version: 1, startedAt: startedAt.toISOString(), events: out, stateEvents, omitted, mirrors: Object.fromEntries(mirrors) };
}
