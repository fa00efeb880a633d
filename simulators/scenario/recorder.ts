import type { EventStream } from '../events/event-stream.ts';
import { CommandField, commandFieldName } from '../dimse/command-fields.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import type { DimseEvent } from '../dimse/events.ts';
import { statusClass } from '../dimse/status.ts';
import type { UlEvent } from '../ul/events.ts';

type RecordedEvent = UlEvent | DimseEvent;

/** One DIMSE message a simulator sent or received, as kept for assertions. */
export interface RecordedMessage {
  associationId: string;
  direction: 'sent' | 'received';
  at: number;
  contextId: number;
  name: string;
  command: DimseCommand;
  /** The encoded identifier, when the message had one. */
  dataSet: Buffer | undefined;
  problems: string[];
}

/** What happened to one association, as kept for assertions. */
export interface RecordedAssociation {
  id: string;
  callingAeTitle?: string;
  calledAeTitle?: string;
  outcome: 'requested' | 'established' | 'rejected' | 'released' | 'aborted' | 'closed';
  detail?: string;
  violations: string[];
}

/** A C-CANCEL the SCU sent, placed among the responses of the C-FIND it cancels. */
export interface CancelRecord {
  associationId: string;
  messageIdBeingRespondedTo: number | undefined;
  /** Whether a C-FIND with that Message ID was outstanding on the association. */
  matchesRequest: boolean;
  /** Pendings sent for that C-FIND before the C-CANCEL arrived. */
  pendingsBefore: number;
  /** Pendings sent for it after the C-CANCEL arrived. */
  pendingsAfter: number;
  /** Milliseconds from the C-FIND-RQ to the C-CANCEL-RQ. */
  msAfterRequest: number | undefined;
  /** The final status of the cancelled C-FIND (undefined: none was sent). */
  finalStatus: number | undefined;
}

/**
 * Keeps every DIMSE message and association outcome a simulator saw, from the one event stream,
 * so tests, features and `serve --record` can say what a peer did ("the SCU sent C-CANCEL with
 * MessageIDBeingRespondedTo 1 after 2 Pendings").
 */
export class Recorder {
  readonly messages: RecordedMessage[] = [];
  readonly associations = new Map<string, RecordedAssociation>();
  private readonly listeners: ((m: RecordedMessage) => void)[] = [];

  constructor(
    /** `received`: what the peer sent us is what an SCP test asserts on. */
    private readonly perspective: 'scp' | 'scu' = 'scp',
  ) {}

  /** Starts recording a stream; returns a function that stops. */
  attach(stream: EventStream<RecordedEvent>): () => void {
    return stream.subscribe((e) => this.take(e), ['dimse:sent', 'dimse:received', 'association', 'violation', 'transport']);
  }

  onMessage(listener: (m: RecordedMessage) => void): void {
    this.listeners.push(listener);
  }

  take(e: RecordedEvent): void {
    if (e.kind === 'dimse:sent' || e.kind === 'dimse:received') {
      const m: RecordedMessage = {
        associationId: e.associationId,
        direction: e.kind === 'dimse:sent' ? 'sent' : 'received',
        at: e.at,
        contextId: e.contextId,
        name: commandFieldName(e.command.CommandField),
        command: e.command,
        dataSet: e.dataSet,
        problems: e.problems,
      };
      this.messages.push(m);
      for (const l of this.listeners) l(m);
      return;
    }
    const a = this.associations.get(e.associationId) ?? { id: e.associationId, outcome: 'requested' as const, violations: [] };
    this.associations.set(e.associationId, a);
    if (e.kind === 'violation') a.violations.push(`${e.reference}: ${e.message}`);
    else if (e.kind === 'transport' && e.phase === 'closed' && (a.outcome === 'requested' || a.outcome === 'established')) a.outcome = 'closed';
    else if (e.kind === 'association') {
      if (e.phase === 'requested' || e.phase === 'established') {
        a.callingAeTitle = e.request.callingAeTitle;
        a.calledAeTitle = e.request.calledAeTitle;
      }
      a.outcome = e.phase;
      if (e.phase === 'rejected' || e.phase === 'aborted') a.detail = e.description;
      if (e.phase === 'released') a.detail = `by ${e.by}`;
    }
  }

  /** Messages the peer sent (received by the simulator). */
  fromPeer(name?: string): RecordedMessage[] {
    return this.messages.filter((m) => m.direction === 'received' && (name === undefined || m.name === name));
  }

  /** Messages the simulator sent. */
  toPeer(name?: string): RecordedMessage[] {
    return this.messages.filter((m) => m.direction === 'sent' && (name === undefined || m.name === name));
  }

  /** Every C-CANCEL-RQ seen (as an SCP: received; as an SCU: sent), with the responses around it. */
  cancels(): CancelRecord[] {
    const requestDir = this.perspective === 'scp' ? 'received' : 'sent';
    const out: CancelRecord[] = [];
    for (const [i, m] of this.messages.entries()) {
      if (m.command.CommandField !== CommandField.C_CANCEL_RQ || m.direction !== requestDir) continue;
      const id = m.command.MessageIDBeingRespondedTo;
      const same = (x: RecordedMessage) => x.associationId === m.associationId;
      const request = this.messages.slice(0, i).findLast((x) => same(x) && x.direction === requestDir && x.command.CommandField === CommandField.C_FIND_RQ && x.command.MessageID === id);
      const isResponse = (x: RecordedMessage) => same(x) && x.direction !== requestDir && x.command.CommandField === CommandField.C_FIND_RSP && x.command.MessageIDBeingRespondedTo === id;
      const before = this.messages.slice(0, i).filter(isResponse);
      const after = this.messages.slice(i + 1).filter(isResponse);
      const responses = [...before, ...after];
      const pending = (x: RecordedMessage) => statusClass(x.command.Status ?? 0) === 'Pending';
      const final = responses.find((x) => !pending(x));
      out.push({
        associationId: m.associationId,
        messageIdBeingRespondedTo: id,
        matchesRequest: request !== undefined && !before.some((x) => !pending(x)),
        pendingsBefore: before.filter(pending).length,
        pendingsAfter: after.filter(pending).length,
        msAfterRequest: request ? Math.round(m.at - request.at) : undefined,
        finalStatus: final?.command.Status,
      });
    }
    return out;
  }

  /** A line per message, for logs: "scp-1 ← C-FIND-RQ #1 …". */
  static describe(m: RecordedMessage): string {
    const c = m.command;
    const arrow = m.direction === 'sent' ? '→' : '←';
    const id = c.MessageID !== undefined ? ` #${c.MessageID}` : c.MessageIDBeingRespondedTo !== undefined ? ` re #${c.MessageIDBeingRespondedTo}` : '';
    const status = c.Status !== undefined ? ` status ${c.Status.toString(16).toUpperCase().padStart(4, '0')}` : '';
    const ds = m.dataSet ? ` +identifier (${m.dataSet.length} bytes)` : '';
    const problems = m.problems.length ? ` [${m.problems.join('; ')}]` : '';
    return `${m.associationId} ${arrow} ${m.name}${id}${status} pc ${m.contextId}${ds}${problems}`;
  }

  /** The record as JSON-friendly values (identifiers as hex). */
  static toJson(m: RecordedMessage): Record<string, unknown> {
    return { ...m, dataSet: m.dataSet?.toString('hex') };
  }
}
