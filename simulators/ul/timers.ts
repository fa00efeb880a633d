import type { Clock, TimerHandle } from '../clock/clock.ts';

/**
 * The named timers of an association. ARTIM is PS3.8 9.1.5; the others are this product's
 * (PS3.8 leaves them to the implementation): connect, association-request (waiting for the
 * AC/RJ), release (waiting for the RP) and idle (no PDU received or sent while established).
 */
export type TimerName = 'ARTIM' | 'connect' | 'association-request' | 'release' | 'idle';

export interface Timeouts {
  /** ARTIM (PS3.8 9.1.5): acceptor waiting for the A-ASSOCIATE-RQ, either side in Sta13 waiting for the close. */
  artimMs: number;
  connectMs: number;
  associationRequestMs: number;
  releaseMs: number;
  /** 0 disables it. */
  idleMs: number;
}

export const defaultTimeouts: Timeouts = {
  artimMs: 30_000,
  connectMs: 10_000,
  associationRequestMs: 30_000,
  releaseMs: 30_000,
  idleMs: 0,
};

export type TimerPhase = 'started' | 'stopped' | 'expired';

/**
 * One named timer on an injected clock; restartable; reports every phase. Stopping does not
 * cancel the clock's timer: it is kept and reused by the next start when due no later than the
 * new deadline (ARTIM runs twice per association, the idle timer restarts on every PDU), and
 * re-armed for the rest when it comes due before the deadline. `dispose` cancels it.
 */
export class NamedTimer {
  private handle: TimerHandle | undefined;
  /** When the clock's timer comes due. */
  private handleDue = 0;
  private deadline = 0;
  private ms = 0;
  private active = false;
  private readonly onTimeout = (): void => this.timeout();

  constructor(
    readonly name: TimerName,
    private readonly clock: Clock,
    private readonly onExpire: () => void,
    private readonly report: (name: TimerName, phase: TimerPhase, ms?: number) => void,
  ) {}

  get running(): boolean {
    return this.active;
  }

  start(ms: number): void {
    if (ms <= 0) return;
    const now = this.clock.now();
    this.active = true;
    this.ms = ms;
    this.deadline = now + ms;
    if (this.handle && this.handleDue > this.deadline) {
      this.handle.cancel();
      this.handle = undefined;
    }
    if (!this.handle) this.arm(ms, now);
    this.report(this.name, 'started', ms);
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.report(this.name, 'stopped');
  }

  /** Stops the timer and cancels the clock's timer: nothing of it remains scheduled. */
  dispose(): void {
    this.stop();
    this.handle?.cancel();
    this.handle = undefined;
  }

  private arm(ms: number, now: number): void {
    this.handle = this.clock.setTimeout(this.onTimeout, ms);
    this.handleDue = now + ms;
  }

  private timeout(): void {
    this.handle = undefined;
    if (!this.active) return;
    const now = this.clock.now();
    if (this.deadline > now) {
      this.arm(this.deadline - now, now);
      return;
    }
    this.active = false;
    this.report(this.name, 'expired', this.ms);
    this.onExpire();
  }
}
