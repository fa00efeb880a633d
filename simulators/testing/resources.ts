import { readdirSync } from 'node:fs';

/** What the process holds at one moment: memory, file descriptors and the handles keeping the event loop alive. */
export interface ResourceSnapshot {
  rssMb: number;
  heapUsedMb: number;
  /** Entries of /proc/self/fd; undefined where there is no /proc (not Linux). */
  openFds: number | undefined;
  /** Active resources by type (TCPSocketWrap, TCPServerWrap, Timeout, FSReqCallback …); unref'd timers are not among them. */
  handles: Record<string, number>;
}

const MB = 1024 * 1024;

/** Takes the snapshot a soak test compares over time to see RSS, descriptors and handles stay flat. */
export function resourceSnapshot(): ResourceSnapshot {
  const memory = process.memoryUsage();
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  return { rssMb: round(memory.rss / MB), heapUsedMb: round(memory.heapUsed / MB), openFds: openFds(), handles };
}

/** The handle types whose count grew from `before` to `after`, with the growth. */
export function handleGrowth(before: ResourceSnapshot, after: ResourceSnapshot): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [type, n] of Object.entries(after.handles)) {
    const d = n - (before.handles[type] ?? 0);
    if (d > 0) grown[type] = d;
  }
  return grown;
}

function openFds(): number | undefined {
  try {
    // The listing opens a descriptor of its own for the directory: not counted.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

function round(mb: number): number {
  return Math.round(mb * 10) / 10;
}
