import type { DataSet } from '../dataset/data-set.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import type { Endpoint, JournalConnection } from '../trace/journal.ts';
import type { Pdu } from '../ul/pdu/pdus.ts';
import type { ProxyError } from './errors.ts';

/**
 * What the recording proxy reports: connections opening and closing (the relay), and what a
 * passive observer of each connection saw in the bytes (PDUs, the association, DIMSE messages,
 * broken rules). Every event names its connection.
 */

/** c2s: from the client (association requestor) to the archive; s2c: back. */
export type Direction = 'c2s' | 's2c';

/** The two ends of a proxied connection, as a rule breach is attributed. */
export type Side = 'client' | 'archive';

export const senderOf = (dir: Direction): Side => (dir === 'c2s' ? 'client' : 'archive');
export const otherSide = (side: Side): Side => (side === 'client' ? 'archive' : 'client');

/** A rule one side broke (fail), or a choice or event worth reporting that breaks none (finding). */
export interface ProxyFinding {
  severity: 'fail' | 'finding';
  side: Side;
  rule: string;
  /** Short and stable (the codes of the conformance checks where one exists: identifier-on-final, …). */
  code: string;
  text: string;
}

/** How a connection ended: which side closed first, and whether by FIN, an error (reset …) or the proxy stopping. */
export interface CloseCause {
  by: Side | 'proxy';
  how: 'end' | 'error' | 'proxy';
  /** The socket error, when `how` is error. */
  error?: string;
}

interface Base {
  /** The connection's ID (1, 2, … in the order accepted). */
  connection: string;
  /** Wall-clock time, ms since the epoch (the journal's clock). */
  t: number;
}

export interface AcceptedContextInfo {
  id: number;
  abstractSyntax: string;
  transferSyntax: string;
}

export type ObserverEvent = Base &
  (
    | {
        kind: 'pdu';
        dir: Direction;
        /** Offset of the PDU's first byte in its direction's byte stream. */
        offset: number;
        type: number;
        /** The whole PDU's size, header included. */
        length: number;
        raw: Buffer;
        pdu: Pdu | undefined;
        /** Why the PDU could not be decoded; `offset` there is from the start of the PDU. */
        error?: { code: string; message: string; offset?: number };
      }
    | { kind: 'association'; phase: 'requested'; callingAeTitle: string; calledAeTitle: string; contexts: number; maxLength: number | undefined }
    | { kind: 'association'; phase: 'accepted'; callingAeTitle: string; calledAeTitle: string; contexts: AcceptedContextInfo[]; proposed: number; maxLength: number | undefined }
    | { kind: 'association'; phase: 'rejected'; description: string }
    | { kind: 'association'; phase: 'release-requested' | 'released'; by: Side }
    | { kind: 'association'; phase: 'aborted'; by: Side; source: number; reason: number; description: string }
    | {
        kind: 'message';
        dir: Direction;
        contextId: number;
        command: DimseCommand;
        /** AE titles of the association: the sender's first. */
        from: string;
        to: string;
        transferSyntax: string | undefined;
        dataSet: Buffer | undefined;
        identifier: DataSet | undefined;
        identifierError: string | undefined;
      }
    | ({ kind: 'finding'; dir?: Direction } & ProxyFinding)
  );

export type RelayEvent =
  | { kind: 'listening'; host: string; port: number }
  | (Base & { kind: 'open'; client: Endpoint; server: Endpoint })
  /** Bytes read from one side of a forwarded connection, as journaled (after they were passed on). */
  | (Base & { kind: 'chunk'; dir: Direction; bytes: Buffer })
  | (Base & { kind: 'forward-failed'; error: ProxyError })
  | (Base & { kind: 'observer-failed'; error: ProxyError })
  | (Base & { kind: 'close'; cause: CloseCause; journal: JournalConnection; bytes: Record<Direction, number>; chunks: Record<Direction, number> });

export type ProxyEvent = RelayEvent | ObserverEvent;
