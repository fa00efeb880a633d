import type net from 'node:net';
import type { Clock } from '../clock/clock.ts';
import { ConnectionError } from './errors.ts';

/**
 * The TCP connection under one upper-layer provider: PDU writes batched per tick, backpressure,
 * reading paused and resumed, and the ways to close (PS3.8 9.1.4, or abruptly for faults).
 */
export class SocketTransport {
  /** PDUs written in this tick, sent together as one socket write at its end. */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  /** A PDU was written in this tick: the next ones wait for its end. */
  private tickOpen = false;
  /** Socket writes made and completed (handed to the kernel), for `flushed()`. */
  private writesMade = 0;
  private writesDone = 0;
  private flushWaiters: (() => void)[] = [];
  private readonly onWritten = (): void => {
    if (++this.writesDone === this.writesMade && this.flushWaiters.length) {
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      for (const w of waiters) w();
    }
  };

  constructor(
    readonly socket: net.Socket,
    private readonly clock: Clock,
  ) {
    socket.setNoDelay(true);
    socket.on('end', () => this.onPeerEnd());
  }

  /**
   * One socket write per PDU. The first PDU of a tick leaves at once (an answer reaches the peer
   * before the bookkeeping that follows it); the others written in the same tick leave together
   * at its end, in one system call.
   */
  write(raw: Buffer): boolean {
    if (this.socket.destroyed) return false;
    if (!this.tickOpen) {
      this.tickOpen = true;
      process.nextTick(SocketTransport.endOfTick, this);
      this.writesMade++;
      this.socket.write(raw, this.onWritten);
      return true;
    }
    this.batch.push(raw);
    this.batchBytes += raw.length;
    return true;
  }

  /** The end of a tick in which a PDU was written (a static method: no closure is made per connection). */
  private static endOfTick(t: SocketTransport): void {
    t.flush();
  }

  /** Hands the batch to the socket: one buffer, so one system call however many PDUs it holds. */
  private flush(): void {
    this.tickOpen = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    const bytes = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    if (this.socket.destroyed) return;
    this.writesMade++;
    this.socket.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, bytes), this.onWritten);
  }

  /**
   * Close without lingering (PS3.8 9.1.4): flush what was written, then drop the socket. What the
   * peer has not taken within `maxWaitMs` is dropped with it: a peer that never reads must not
   * hold the connection open for ever.
   */
  close(maxWaitMs: number): void {
    const s = this.socket;
    if (s.destroyed) return;
    this.flush();
    // Everything is with the kernel: closing sends it, then FIN, without a separate shutdown.
    if (s.writableLength === 0) {
      s.destroy();
      return;
    }
    s.end(() => s.destroy());
    const t = this.clock.setTimeout(() => s.destroy(), maxWaitMs);
    s.once('close', () => t.cancel());
  }

  /** The peer closed its side: with nothing left to send, close ours at once instead of a shutdown first. */
  private onPeerEnd(): void {
    if (this.batch.length === 0 && this.socket.writableLength === 0) this.socket.destroy();
  }

  /**
   * Drops the connection outside the protocol. `afterFlush`: what was written still reaches the
   * peer, then FIN (a peer that vanished mid-PDU); otherwise at once, discarding it.
   */
  destroy(afterFlush = false): void {
    const s = this.socket;
    if (!afterFlush) {
      s.destroy();
      return;
    }
    this.flush();
    s.end();
    const t = this.clock.setTimeout(() => s.destroy(), 2000);
    s.once('close', () => t.cancel());
  }

  /** True while unsent bytes are above the high-water mark (backpressure for streaming senders). */
  get backedUp(): boolean {
    return this.socket.writableNeedDrain === true || this.batchBytes >= this.socket.writableHighWaterMark;
  }

  /** Resolves when the socket can take more data (or is gone). */
  drained(): Promise<void> {
    const s = this.socket;
    this.flush();
    if (!s.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /** Bytes written but not yet handed to the kernel: this tick's batch and the socket's own buffer. */
  get unsentBytes(): number {
    return this.batchBytes + this.socket.writableLength;
  }

  /**
   * Resolves once everything written so far is with the kernel (or the socket is gone). The wait
   * passes through the event loop's poll phase, so data from the peer is read meanwhile.
   */
  flushed(): Promise<void> {
    const s = this.socket;
    this.flush();
    if (s.destroyed || this.writesDone === this.writesMade) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        s.off('close', done);
        resolve();
      };
      this.flushWaiters.push(done);
      s.once('close', done);
    });
  }

  /** Stops reading from the peer (backpressure on a slow consumer) or resumes. */
  pauseReading(paused: boolean): void {
    if (paused) this.socket.pause();
    else this.socket.resume();
  }

  get local(): string {
    return addr(this.socket.localAddress, this.socket.localPort);
  }

  get remote(): string {
    return addr(this.socket.remoteAddress, this.socket.remotePort);
  }
}

function addr(host: string | undefined, port: number | undefined): string {
  return `${host ?? '?'}:${port ?? '?'}`;
}

/** A socket error as the typed error a user reads ("connection refused", "host not found" …). */
export function connectionError(err: NodeJS.ErrnoException): ConnectionError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectionError('UL_CONNECTION_REFUSED', `connection refused (${err.message})`, err.code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError('UL_HOST_NOT_FOUND', `host not found (${err.message})`, err.code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError('UL_HOST_UNREACHABLE', `host unreachable (${err.message})`, err.code);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ConnectionError('UL_CONNECTION_RESET', `connection reset by the peer (${err.message})`, err.code);
    default:
      return new ConnectionError('UL_TRANSPORT_ERROR', `transport error (${err.message})`, err.code);
  }
}
