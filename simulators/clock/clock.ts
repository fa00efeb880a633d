/** Time source injected into everything that waits, so tests can drive timers with a fake clock. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** A Node timer as a TimerHandle (a class: no closure made per timer). */
class NodeTimer implements TimerHandle {
  private readonly t: NodeJS.Timeout;
  constructor(fn: () => void, ms: number) {
    this.t = setTimeout(fn, ms);
    this.t.unref();
  }
  cancel(): void {
    clearTimeout(this.t);
  }
}

export const systemClock: Clock = {
  now() {
    return performance.now();
  },
  setTimeout(fn, ms) {
    return new NodeTimer(fn, ms);
  },
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
