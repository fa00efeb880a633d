import type { Clock } from '../clock/clock.ts';
import { NamedTimer } from './timers.ts';
import type { TimerName, TimerPhase } from './timers.ts';

/**
 * The named timers of one upper-layer provider (ARTIM, PS3.8 9.1.5, and the product's own),
 * each made on first use: most associations never need most of them.
 */
export class ProviderTimers {
  private readonly timers = new Map<TimerName, NamedTimer>();

  constructor(
    private readonly clock: Clock,
    private readonly expired: (name: TimerName) => void,
    private readonly report: (name: TimerName, phase: TimerPhase, ms?: number) => void,
  ) {}

  /** Starts (or restarts) a timer; a timeout of 0 disables it, and the timer is not even made. */
  start(name: TimerName, ms: number): void {
    if (ms <= 0) return;
    let t = this.timers.get(name);
    if (!t) {
      t = new NamedTimer(name, this.clock, () => this.expired(name), this.report);
      this.timers.set(name, t);
    }
    t.start(ms);
  }

  stop(name: TimerName): void {
    this.timers.get(name)?.stop();
  }

  /** Every timer but ARTIM: connect, association-request, release and idle. */
  stopAssociationTimers(): void {
    for (const name of ASSOCIATION_TIMERS) this.stop(name);
  }

  stopAll(): void {
    this.stopAssociationTimers();
    this.stop('ARTIM');
  }

  /** Stops every timer and cancels what the clock still holds for them (the transport is closed). */
  dispose(): void {
    this.stopAll();
    for (const t of this.timers.values()) t.dispose();
  }
}

const ASSOCIATION_TIMERS: readonly TimerName[] = ['connect', 'association-request', 'release', 'idle'];
