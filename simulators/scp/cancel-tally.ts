import type { EventStream } from '../events/event-stream.ts';
import { CommandField } from '../dimse/command-fields.ts';
import type { DimseEvent } from '../dimse/events.ts';
import { statusClass } from '../dimse/status.ts';

/** How promptly an SCP stopped a cancelled C-FIND, counted in the order it read and wrote (PS3.7 9.3.2.3). */
export interface CancelTally {
  associationId: string;
  messageId: number;
  /** Pendings written before the C-CANCEL-RQ was read. */
  pendingsBefore: number;
  /** Pendings written after it was read, before the final response. */
  pendingsAfter: number;
  /** The final status (FE00 when honoured). */
  finalStatus: number;
}

/**
 * Counts, per outstanding C-FIND, the Pendings an SCP wrote before and after a C-CANCEL-RQ was
 * read, and reports each cancelled C-FIND when its final response goes. Keeps only counters, so
 * a long stream costs no memory. Returns the unsubscribe function.
 */
export function tallyCancels<E extends { kind: string }>(events: EventStream<E>, onTally: (t: CancelTally) => void): () => void {
  const running = new Map<string, { pendings: number; cancelledAt: number | undefined }>();
  const key = (associationId: string, messageId: number | undefined) => `${associationId}#${messageId ?? 0}`;
  return events.subscribe(
    (e) => {
      const m = e as unknown as DimseEvent;
      const c = m.command;
      if (m.kind === 'dimse:received') {
        if (c.CommandField === CommandField.C_FIND_RQ) running.set(key(m.associationId, c.MessageID), { pendings: 0, cancelledAt: undefined });
        else if (c.CommandField === CommandField.C_CANCEL_RQ) {
          const r = running.get(key(m.associationId, c.MessageIDBeingRespondedTo));
          if (r && r.cancelledAt === undefined) r.cancelledAt = r.pendings;
        }
        return;
      }
      if (c.CommandField !== CommandField.C_FIND_RSP) return;
      const k = key(m.associationId, c.MessageIDBeingRespondedTo);
      const r = running.get(k);
      if (!r) return;
      if (statusClass(c.Status ?? 0) === 'Pending') {
        r.pendings++;
        return;
      }
      running.delete(k);
      if (r.cancelledAt === undefined) return;
      onTally({
        associationId: m.associationId,
        messageId: c.MessageIDBeingRespondedTo ?? 0,
        pendingsBefore: r.cancelledAt,
        pendingsAfter: r.pendings - r.cancelledAt,
        finalStatus: c.Status ?? 0,
      });
    },
    ['dimse:received', 'dimse:sent'] as E['kind'][],
  );
}

/** The line `serve -v` prints at the end of a cancelled C-FIND. */
export function describeCancelTally(t: CancelTally): string {
  const status = t.finalStatus.toString(16).toUpperCase().padStart(4, '0');
  return `C-CANCEL read after ${t.pendingsBefore} Pendings written; ${t.pendingsAfter} more written after it, then ${status}`;
}
