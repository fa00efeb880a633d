import net from 'node:net';
import { PduFramer } from '../ul/framer.ts';

/**
 * A scripted peer that speaks raw bytes over a real TCP socket: send exactly what a test says,
 * read back whole PDUs, observe the close. Used to put the real provider in any state and
 * feed it any event, legal or not.
 */
export class RawPeer {
  private readonly framer = new PduFramer({ maxPDataLength: 0, maxOtherLength: 1 << 24, hardLimit: 1 << 26 });
  private readonly received: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private closedFlag = false;
  /** Every byte received, in order. */
  readonly bytes: Buffer[] = [];

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.bytes.push(chunk);
      this.framer.push(chunk, (p) => void this.received.push(p.bytes));
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  /** A listening raw peer (to face our requestor); `accept()` gives the next connection. */
  static async listen(): Promise<{ port: number; accept: () => Promise<RawPeer>; close: () => Promise<void> }> {
    const queue: RawPeer[] = [];
    const waiting: ((p: RawPeer) => void)[] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      const peer = new RawPeer(s);
      const w = waiting.shift();
      if (w) w(peer);
      else queue.push(peer);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      port: (server.address() as net.AddressInfo).port,
      accept: () => new Promise((resolve) => {
        const p = queue.shift();
        if (p) resolve(p);
        else waiting.push(resolve);
      }),
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise((r) => server.close(() => r()));
      },
    };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next whole PDU, or an error after `timeoutMs` (or when the peer closes first). */
  async nextPdu(timeoutMs = 2000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.received.shift();
      if (p) return p;
      if (this.closedFlag) throw new Error('the connection closed before a PDU arrived');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no PDU within ${timeoutMs} ms`);
      await this.wait(left);
    }
  }

  /** Resolves when the connection is closed; rejects after `timeoutMs`. */
  async closedWithin(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closedFlag) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`still open after ${timeoutMs} ms`);
      await this.wait(left);
    }
  }

  /** PDUs received and not yet taken. */
  get unread(): number {
    return this.received.length;
  }

  /** Lets `ms` of real time pass (for asserting that nothing arrives). */
  async idle(ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.waiters = self.waiters.filter((w) => w !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
