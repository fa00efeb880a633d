import net from 'node:net';
import { systemClock } from '../clock/clock.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { nullSink } from '../events/event-stream.ts';
import type { EventSink } from '../events/event-stream.ts';
import type { Endpoint, JournalConnection } from '../trace/journal.ts';
import { connectionError } from '../ul/transport.ts';
import { ProxyError } from './errors.ts';
import type { CloseCause, Direction, RelayEvent, Side } from './events.ts';

/**
 * The sockets of the recording proxy: accepts connections, connects each to the forward target
 * and copies bytes both ways exactly as read — the same chunks, in order, nothing re-encoded —
 * pausing a side while the other cannot take more (TCP backpressure). Each connection keeps a
 * byte-exact journal. Whatever watches the bytes is fed after they are passed on, and a failure
 * there stops only the watching.
 */

/** What watches one connection's bytes (the passive observer). */
export interface ChunkObserver {
  push(dir: Direction, chunk: Buffer, t: number): void;
  end(cause: CloseCause, t: number): void;
}

export interface RelayOptions {
  forward: Endpoint;
  events?: EventSink<RelayEvent>;
  /** A watcher per connection (none: bytes are only journaled and forwarded). */
  observe?: (connection: string) => ChunkObserver | undefined;
  /** Timers (connect timeout, closing grace). */
  clock?: Clock;
  /** Wall-clock ms since the epoch, for the journal. */
  now?: () => number;
  /** Longest wait for the forward target to accept a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** How long a stopping proxy lets connections close by FIN before destroying them. Default 200 ms. */
  closeGraceMs?: number;
  /**
   * Keep every chunk of a forwarded connection in its journal until it closes (default true).
   * Without, a long-lived connection holds nothing: the `chunk` events carry the bytes to whoever
   * writes them down. What a client sent to an unreachable target is journaled either way.
   */
  keepJournal?: boolean;
}

const wallClock = () => performance.timeOrigin + performance.now();

export class Relay {
  private readonly server: net.Server;
  private readonly live = new Map<string, Connection>();
  private count = 0;
  private readonly events: EventSink<RelayEvent>;
  private readonly clock: Clock;
  readonly now: () => number;

  constructor(readonly o: RelayOptions) {
    this.events = o.events ?? nullSink;
    this.clock = o.clock ?? systemClock;
    this.now = o.now ?? wallClock;
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  /** Binds the listening socket; resolves with the port (0 picks a free one). A port that cannot be bound is a ProxyError. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.message;
        reject(new ProxyError('PROXY_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}${e.code ? ` (${e.code})` : ''}`, e.code));
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const bound = (this.server.address() as net.AddressInfo).port;
        this.emit({ kind: 'listening', host, port: bound });
        resolve(bound);
      });
    });
  }

  /** Connections open now. */
  get connections(): number {
    return this.live.size;
  }

  /**
   * Stops accepting; with `waitMs`, lets open connections end by themselves for that long; then
   * ends every connection left — with `abort`, each forwarded connection it names gets `abort.pdu`
   * on both sides, each side at a PDU boundary, the rest a FIN — destroying what is still open
   * after the grace period. Resolves when all are closed, with the connections sent `abort.pdu`.
   */
  async close(o: { waitMs?: number; abort?: { pdu: Buffer; when: (connection: string) => boolean } } = {}): Promise<string[]> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    if (o.waitMs && this.live.size) await this.within(o.waitMs, Promise.all([...this.live.values()].map((c) => c.closed)));
    const graceMs = this.o.closeGraceMs ?? 200;
    const aborted: string[] = [];
    await Promise.all(
      [...this.live.values()].map((c) => {
        if (!o.abort || !c.isForwarding || !o.abort.when(c.id)) return c.shutdown(graceMs);
        aborted.push(c.id);
        return c.abortBoth(o.abort.pdu, graceMs);
      }),
    );
    await closed;
    return aborted;
  }

  /** Waits for `work` at most `ms` (the timer keeps the process alive meanwhile, and is cancelled after). */
  private async within(ms: number, work: Promise<unknown>): Promise<void> {
    let timer: TimerHandle | undefined;
    await Promise.race([work, new Promise<void>((r) => (timer = this.clock.setTimeout(r, ms, { keepAlive: true })))]);
    timer?.cancel();
  }

  private accept(client: net.Socket): void {
    const id = String(++this.count);
    const c = new Connection(id, client, this, this.clock);
    this.live.set(id, c);
    c.closed.then(() => this.live.delete(id));
  }

  /** Events never reach back into forwarding: a listener that throws is contained here. */
  emit(e: RelayEvent): void {
    try {
      this.events.emit(e);
    } catch {
      // A printing or recording failure must not stop a single byte.
    }
  }
}

class Connection {
  readonly closed: Promise<void>;
  private settle!: () => void;
  private upstream: net.Socket | undefined;
  private observer: ChunkObserver | undefined;
  private readonly journal: JournalConnection;
  private readonly bytes: Record<Direction, number> = { c2s: 0, s2c: 0 };
  private readonly chunks: Record<Direction, number> = { c2s: 0, s2c: 0 };
  private cause: CloseCause | undefined;
  private connectTimer: TimerHandle | undefined;
  /** Sockets not yet closed (the client's, then the forward one). */
  private open = 1;
  /** The forward connection was made: bytes flow both ways. */
  private forwarding = false;
  private gaveUp = false;
  /** Where each direction's PDUs end, so a stopping proxy adds its A-ABORT between two PDUs, never inside one. */
  private readonly boundary: Record<Direction, PduBoundary> = { c2s: new PduBoundary(), s2c: new PduBoundary() };
  /** Stopping with an A-ABORT: per direction, `forwarding` up to the next PDU boundary, then `done` (nothing more is passed on). */
  private stopping: Record<Direction, 'forwarding' | 'done'> | undefined;
  private abortPdu: Buffer | undefined;

  constructor(
    readonly id: string,
    private readonly client: net.Socket,
    private readonly relay: Relay,
    private readonly clock: Clock,
  ) {
    this.closed = new Promise((r) => (this.settle = r));
    const forward = relay.o.forward;
    this.journal = { id, client: { host: client.remoteAddress ?? '', port: client.remotePort ?? 0 }, server: { ...forward }, openedAt: relay.now(), chunks: [] };
    client.setNoDelay(true);
    client.on('error', (e) => this.failed('client', e));
    client.on('close', () => this.socketClosed());
    this.connect(forward);
  }

  private connect(forward: Endpoint): void {
    const upstream = net.connect({ host: forward.host, port: forward.port, allowHalfOpen: true });
    this.upstream = upstream;
    this.open++;
    upstream.setNoDelay(true);
    upstream.on('close', () => this.socketClosed());
    const timeoutMs = this.relay.o.connectTimeoutMs ?? 10_000;
    this.connectTimer = this.clock.setTimeout(() => upstream.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    upstream.on('error', (e: NodeJS.ErrnoException) => (this.forwarding ? this.failed('archive', e) : this.unreachable(e)));
    upstream.once('connect', () => {
      this.connectTimer?.cancel();
      this.forwarding = true;
      this.relay.emit({ kind: 'open', connection: this.id, t: this.relay.now(), client: this.journal.client, server: this.journal.server });
      this.observer = this.watch();
      this.pipe(this.client, upstream, 'c2s');
      this.pipe(upstream, this.client, 's2c');
      this.client.resume();
    });
  }

  private watch(): ChunkObserver | undefined {
    try {
      return this.relay.o.observe?.(this.id);
    } catch (e) {
      this.observerFailed(e);
      return undefined;
    }
  }

  /** Copies chunks from `src` to `dst` as read; journals them; the observer sees them after they are passed on. */
  private pipe(src: net.Socket, dst: net.Socket, dir: Direction): void {
    let waiting = false;
    let yielding = false;
    const resume = () => {
      waiting = false;
      if (!yielding) src.resume();
    };
    // One chunk per turn of the event loop: libuv otherwise reads up to 32 in a row from a busy
    // socket, and with the record and the capture taking each, a signal or a timer waited 0.5-2 s.
    const turn = () => {
      yielding = false;
      if (!waiting) src.resume();
    };
    src.on('data', (whole: Buffer) => {
      if (!yielding) {
        yielding = true;
        src.pause();
        setImmediate(turn);
      }
      let chunk = whole;
      if (this.stopping) {
        if (this.stopping[dir] === 'done') return;
        const n = this.boundary[dir].take(whole, true);
        chunk = whole.subarray(0, n);
        if (this.boundary[dir].atBoundary) queueMicrotask(() => this.abortTowards(dir));
        if (!n) return;
      } else {
        this.boundary[dir].take(whole, false);
      }
      const t = this.relay.now();
      if (this.relay.o.keepJournal !== false) this.journal.chunks.push({ t, dir, bytes: chunk });
      this.bytes[dir] += chunk.length;
      this.chunks[dir]++;
      if (!dst.destroyed && !dst.write(chunk) && !waiting) {
        waiting = true;
        src.pause();
        dst.once('drain', resume);
      }
      this.relay.emit({ kind: 'chunk', connection: this.id, t, dir, bytes: chunk });
      this.observe((o) => o.push(dir, chunk, t));
    });
    src.on('end', () => {
      this.cause ??= { by: dir === 'c2s' ? 'client' : 'archive', how: 'end' };
      if (!dst.destroyed) dst.end();
    });
  }

  /** The forward target could not be reached: the client's connection is closed — the proxy sends no PDU of its own. */
  private unreachable(e: NodeJS.ErrnoException): void {
    if (this.gaveUp) return;
    this.gaveUp = true;
    this.connectTimer?.cancel();
    const f = this.relay.o.forward;
    const error = new ProxyError('PROXY_FORWARD_FAILED', `cannot reach ${f.host}:${f.port}: ${connectionError(e).message}`, e.code);
    this.cause = { by: 'archive', how: 'error', error: error.message };
    this.relay.emit({ kind: 'forward-failed', connection: this.id, t: this.relay.now(), error });
    // What the client sent meanwhile is journaled; then it sees the connection end (FIN), not a reset.
    this.client.on('data', (chunk: Buffer) => {
      this.journal.chunks.push({ t: this.relay.now(), dir: 'c2s', bytes: chunk });
      this.bytes.c2s += chunk.length;
      this.chunks.c2s++;
    });
    this.client.end();
    this.client.resume();
    const timer = this.clock.setTimeout(() => this.client.destroy(), 2000);
    this.client.once('close', () => timer.cancel());
  }

  /** A socket error on one side (a reset …): the other side is reset too, as a reset passes through TCP. */
  private failed(side: Side, e: NodeJS.ErrnoException): void {
    this.cause ??= { by: side, how: 'error', error: e.code ?? e.message };
    const other = side === 'client' ? this.upstream : this.client;
    if (other && !other.destroyed) other.resetAndDestroy();
  }

  private observe(fn: (o: ChunkObserver) => void): void {
    if (!this.observer) return;
    try {
      fn(this.observer);
    } catch (e) {
      this.observer = undefined;
      this.observerFailed(e);
    }
  }

  private observerFailed(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.relay.emit({ kind: 'observer-failed', connection: this.id, t: this.relay.now(), error: new ProxyError('PROXY_OBSERVER_FAILED', `the observer stopped: ${message}; forwarding goes on`) });
  }

  get isForwarding(): boolean {
    return this.forwarding;
  }

  /**
   * Sends `pdu` (an A-ABORT) to both sides: each direction first passes on the rest of the PDU in
   * flight, then stops; the side gets the PDU and a FIN. Whatever is still open after `graceMs` is destroyed.
   */
  abortBoth(pdu: Buffer, graceMs: number): Promise<void> {
    this.cause ??= { by: 'proxy', how: 'proxy' };
    this.abortPdu = pdu;
    this.stopping = { c2s: 'forwarding', s2c: 'forwarding' };
    for (const dir of ['c2s', 's2c'] as const) if (this.boundary[dir].atBoundary) this.abortTowards(dir);
    const timer = this.clock.setTimeout(() => {
      for (const s of [this.client, this.upstream]) s?.destroy();
    }, graceMs);
    return this.closed.then(() => timer.cancel());
  }

  /** The bytes going `dir` are at a PDU boundary: nothing more is passed on that way; the A-ABORT goes, then a FIN. */
  private abortTowards(dir: Direction): void {
    if (!this.stopping || this.stopping[dir] === 'done') return;
    this.stopping[dir] = 'done';
    const dst = dir === 'c2s' ? this.upstream : this.client;
    const pdu = this.abortPdu!;
    if (!dst || dst.destroyed || dst.writableEnded) return;
    dst.end(pdu);
    this.relay.emit({ kind: 'chunk', connection: this.id, t: this.relay.now(), dir, bytes: pdu });
  }

  /** Ends both sides with FIN; whatever is still open after `graceMs` is destroyed. */
  shutdown(graceMs: number): Promise<void> {
    this.cause ??= { by: 'proxy', how: 'proxy' };
    for (const s of [this.client, this.upstream]) if (s && !s.destroyed) s.end();
    const timer = this.clock.setTimeout(() => {
      for (const s of [this.client, this.upstream]) s?.destroy();
    }, graceMs);
    return this.closed.then(() => timer.cancel());
  }

  private socketClosed(): void {
    if (--this.open > 0) return;
    this.connectTimer?.cancel();
    const t = this.relay.now();
    const cause = this.cause ?? { by: 'client', how: 'end' };
    this.journal.closedAt = t;
    // A connection the proxy stopped has no closer of its own: closedAt alone says it ended.
    if (cause.how === 'error') this.journal.closedBy = 'error';
    else if (cause.by !== 'proxy') this.journal.closedBy = cause.by === 'client' ? 'client' : 'server';
    this.observe((o) => o.end(cause, t));
    this.relay.emit({ kind: 'close', connection: this.id, t, cause, journal: this.journal, bytes: { ...this.bytes }, chunks: { ...this.chunks } });
    this.settle();
  }
}

/**
 * Where the PDUs of one direction end: each is a 6-byte header whose bytes 3-6 give the length of
 * what follows (PS3.8 9.3.1). Only headers are read: a long P-DATA-TF is skipped over.
 */
class PduBoundary {
  private readonly header = Buffer.alloc(6);
  private have = 0;
  private remaining = 0;

  get atBoundary(): boolean {
    return this.have === 0 && this.remaining === 0;
  }

  /** Reads `chunk` through; with `untilBoundary`, stops at the first PDU end (0 when already at one). Returns the bytes read. */
  take(chunk: Buffer, untilBoundary: boolean): number {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        this.remaining -= n;
        i += n;
        if (this.remaining === 0 && untilBoundary) return i;
        continue;
      }
      if (untilBoundary && this.have === 0) return i;
      this.header[this.have++] = chunk[i++]!;
      if (this.have === 6) {
        this.have = 0;
        this.remaining = this.header.readUInt32BE(2);
        if (this.remaining === 0 && untilBoundary) return i;
      }
    }
    return i;
  }
}
