/** Time source injected into everything that waits, so tests can drive timers with a fake clock. */
export interface TimerHandle {
  cancel(): void;
}

export interface TimerOptions {
  /**
   * Keep the process alive until the timer fires. Protocol timers (ARTIM, DIMSE) never do: an
   * idle peer must not hold a finished program open. A scripted wait does: it is the program.
   */
  keepAlive?: boolean;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number, o?: TimerOptions): TimerHandle;
}

/** A Node timer as a TimerHandle (a class: no closure made per timer). */
class NodeTimer implements TimerHandle {
  private readonly t: NodeJS.Timeout;
  constructor(fn: () => void, ms: number, keepAlive: boolean) {
    this.t = setTimeout(fn, ms);
    if (!keepAlive) this.t.unref();
  }
  cancel(): void {
    clearTimeout(this.t);
  }
}

export const systemClock: Clock = {
  now() {
    return performance.now();
  },
  setTimeout(fn, ms, o) {
    return new NodeTimer(fn, ms, o?.keepAlive === true);
  },
};

/** Resolves after `ms` on the given clock; the wait keeps the process alive (a scripted delay is work in progress). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms, { keepAlive: true }));
}
