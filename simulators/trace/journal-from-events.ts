import type { TraceEvent } from './format.ts';
import type { Endpoint, JournalConnection } from './journal.ts';

/**
 * The connections of a run as a byte journal, rebuilt from our own protocol events: each PDU's
 * bytes as one chunk, in order. A connection whose both ends are ours is taken once, from the
 * requestor's side (the acceptor saw the same bytes). `wallOf` turns event time into epoch ms.
 */
export function journalFromEvents(events: readonly TraceEvent[], wallOf: (at: number) => number): JournalConnection[] {
  const endpoints = new Map<string, { local?: Endpoint; remote?: Endpoint; role: 'requestor' | 'acceptor' }>();
  for (const e of events) {
    if (e.kind !== 'transport' || (e.phase !== 'connected' && e.phase !== 'accepted')) continue;
    endpoints.set(e.associationId, { ...(e.local && { local: parse(e.local) }), ...(e.remote && { remote: parse(e.remote) }), role: e.phase === 'connected' ? 'requestor' : 'acceptor' });
  }
  const requestorLocals = new Set([...endpoints.values()].filter((x) => x.role === 'requestor' && x.local).map((x) => key(x.local!)));
  const out = new Map<string, JournalConnection>();
  for (const e of events) {
    const ends = endpoints.get(e.associationId);
    if (!ends?.local || !ends.remote) continue;
    // The acceptor end of a connection our requestor made: the same bytes, already taken.
    if (ends.role === 'acceptor' && requestorLocals.has(key(ends.remote))) continue;
    let c = out.get(e.associationId);
    if (!c) {
      const [client, server] = ends.role === 'requestor' ? [ends.local, ends.remote] : [ends.remote, ends.local];
      c = { id: e.associationId, client, server, openedAt: wallOf(e.at), chunks: [] };
      out.set(e.associationId, c);
    }
    if (e.kind === 'pdu:sent' || e.kind === 'pdu:received') {
      const fromClient = (e.kind === 'pdu:sent') === (ends.role === 'requestor');
      c.chunks.push({ t: wallOf(e.at), dir: fromClient ? 'c2s' : 's2c', bytes: e.raw });
    } else if (e.kind === 'transport' && e.phase === 'closed') {
      c.closedAt = wallOf(e.at);
    }
  }
  return [...out.values()];
}

function parse(address: string): Endpoint {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

const key = (e: Endpoint) => `${e.host}:${e.port}`;
