/**
 * A byte-exact journal of TCP connections as a recording proxy saw them: every chunk read from
 * either side, unchanged, with its time. Captures (pcapng), validation and scenario building are
 * made from it; nothing in it is re-encoded.
 */
export interface Endpoint {
  host: string;
  port: number;
}

export interface JournalChunk {
  /** Wall-clock time the chunk was read, ms since the epoch (fractional). */
  t: number;
  /** c2s: from the client (association requestor) to the server; s2c: back. */
  dir: 'c2s' | 's2c';
  bytes: Buffer;
}

export interface JournalConnection {
  id: string;
  client: Endpoint;
  server: Endpoint;
  openedAt: number;
  chunks: JournalChunk[];
  closedAt?: number;
  /** Who ended the connection, when it ended: a side closing, or an error (reset, forward target down …). */
  closedBy?: 'client' | 'server' | 'error';
}
