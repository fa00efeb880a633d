import type { DimseEvent } from '../dimse/events.ts';
import type { UlEvent } from '../ul/events.ts';
import { describeCommand, describePdu } from './describe.ts';

export type TraceEvent = UlEvent | DimseEvent;

export interface TraceOptions {
  /** Include state transitions and timers. */
  states?: boolean;
  /** Include every PDU (not only DIMSE messages and association milestones). */
  pdus?: boolean;
  /** Time origin, so lines show elapsed ms. */
  origin?: number;
}

/** One text line per event (or undefined when the options leave it out): the trace of the CLI and of reports. */
export function formatEvent(e: TraceEvent, o: TraceOptions = {}): string | undefined {
  const t = `${(e.at - (o.origin ?? 0)).toFixed(1).padStart(9)} ms ${e.associationId.padEnd(12)}`;
  switch (e.kind) {
    case 'pdu:sent':
      return o.pdus ? `${t} → ${describePdu(e.pdu)}` : undefined;
    case 'pdu:received':
      if (!e.pdu) return `${t} ← undecodable PDU (${e.raw.length} bytes): ${e.error?.message ?? ''}`;
      return o.pdus ? `${t} ← ${describePdu(e.pdu)}` : undefined;
    case 'dimse:sent':
      return `${t} → ${describeCommand(e.command)}${e.dataSet ? ` + data set ${e.dataSet.length} B` : ''}`;
    case 'dimse:received':
      return `${t} ← ${describeCommand(e.command)}${e.dataSet ? ` + data set ${e.dataSet.length} B` : ''}${e.problems.length ? ` [${e.problems.join('; ')}]` : ''}`;
    case 'state':
      return o.states ? `${t}   ${e.from} —${e.event}/${e.action}→ ${e.to}` : undefined;
    case 'timer':
      return o.states ? `${t}   timer ${e.timer} ${e.phase}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}` : undefined;
    case 'transport':
      return `${t} ⇄ transport ${e.phase}${e.remote ? ` ${e.remote}` : ''}`;
    case 'association':
      switch (e.phase) {
        case 'requested':
          return `${t} ◆ association requested by "${e.request.callingAeTitle}" for "${e.request.calledAeTitle}"`;
        case 'established':
          return `${t} ◆ association established, ${e.contexts.length} accepted context(s)`;
        case 'rejected':
          return `${t} ◆ association rejected: ${e.description}`;
        case 'released':
          return `${t} ◆ association released (by ${e.by})`;
        case 'aborted':
          return `${t} ◆ association aborted by ${e.by}: ${e.description}`;
      }
      return undefined;
    case 'fault':
      return `${t} ✖ ${e.error.code}: ${e.error.message}`;
    case 'violation':
      return `${t} ⚠ ${e.reference}: ${e.message}`;
  }
}
