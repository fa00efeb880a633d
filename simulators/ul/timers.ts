import type { Clock, TimerHandle } from '../clock/clock.ts';

/**
 * The named timers of an association. ARTIM is PS3.8 9.1.5; the others are this product's
 * (PS3.8 leaves them to the implementation): connect, association-request (waiting for the
 * AC/RJ), release (waiting for the RP) and idle (no PDU from the peer while established).
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

/** One named timer on an injected clock; restartable; reports every phase. */
export class NamedTimer {
  private handle: TimerHandle | undefined;
  private generation = 0;

  constructor(
    readonly name: TimerName,
    private readonly clock: Clock,
    private readonly onExpire: () => void,
    private readonly report: (name: TimerName, phase: TimerPhase, ms?: number) => void,
  ) {}

  get running(): boolean {
    return this.handle !== undefined;
  }

  start(ms: number): void {
    if (ms <= 0) return;
    this.handle?.cancel();
    const gen = ++this.generation;
    this.handle = this.clock.setTimeout(() => {
      if (gen !== this.generation) return;
      this.handle = undefined;
      this.report(this.name, 'expired', ms);
      this.onExpire();
    }, ms);
    this.report(this.name, 'started', ms);
  }

  stop(): void {
    if (!this.handle) return;
    this.handle.cancel();
    this.handle = undefined;
    this.generation++;
    this.report(this.name, 'stopped');
  }
}
