import type { Clock } from '../../simulators/clock/clock.ts';
import { systemClock } from '../../simulators/clock/clock.ts';
import { CommandField } from '../../simulators/dimse/command-fields.ts';
import { statusClass } from '../../simulators/dimse/status.ts';
import type { EventStream } from '../../simulators/events/event-stream.ts';
import type { Scp } from '../../simulators/scp/scp.ts';
import type { TraceEvent } from '../../simulators/trace/format.ts';
import type { Association, AssociationEnd } from '../../simulators/ul/association/association.ts';
import { UsageError } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';

/** What `--on-stop` asks of a stopping serve or proxy. */
export type OnStop = 'abort' | 'release';

/** Everything a stop does (grace, aborts, flushing the transport) fits in this, so the process ends within 500 ms of the signal. */
export const STOP_BOUND_MS = 500;
/** `--on-stop release`: how long operations in progress and peers get to end before what is left is aborted. */
export const RELEASE_GRACE_MS = 200;
/** How long an A-ABORT gets to reach the peer before the connection is dropped anyway. */
export const ABORT_GRACE_MS = 100;

export const onStopOption = (description: string) => ({ name: 'on-stop', kind: 'string' as const, description, default: 'abort', valueName: 'abort|release' });

export function parseOnStop(value: unknown): OnStop {
  if (value === 'abort' || value === 'release') return value;
  throw new UsageError(`--on-stop takes abort or release, got "${String(value)}"`);
}

/**
 * Requests each association has in progress (a request seen, its final response not yet sent),
 * read from the DIMSE messages; a C-CANCEL is not an operation (PS3.7 9.3.2.3).
 */
export class Operations {
  private readonly open = new Map<string, Set<number>>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(events: EventStream<TraceEvent>) {
    events.subscribe(
      (e) => {
        if (e.kind !== 'dimse:received' && e.kind !== 'dimse:sent') return;
        const c = e.command;
        const field = c.CommandField ?? 0;
        const isResponse = (field & 0x8000) !== 0;
        if (e.kind === 'dimse:received' && !isResponse && field !== CommandField.C_CANCEL_RQ && c.MessageID !== undefined) {
          const set = this.open.get(e.associationId) ?? new Set<number>();
          set.add(c.MessageID);
          this.open.set(e.associationId, set);
        } else if (e.kind === 'dimse:sent' && isResponse && statusClass(c.Status ?? 0) !== 'Pending' && c.MessageIDBeingRespondedTo !== undefined) {
          const set = this.open.get(e.associationId);
          set?.delete(c.MessageIDBeingRespondedTo);
          if (set?.size === 0) this.idle(e.associationId);
        }
      },
      ['dimse:received', 'dimse:sent'],
    );
  }

  /** Resolves when the association has no operation in progress (at once if it has none). */
  whenIdle(associationId: string): Promise<void> {
    if (!this.open.get(associationId)?.size) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(associationId, [...(this.waiters.get(associationId) ?? []), resolve]));
  }

  private idle(associationId: string): void {
    this.open.delete(associationId);
    const w = this.waiters.get(associationId) ?? [];
    this.waiters.delete(associationId);
    for (const f of w) f();
  }
}

export interface StopOptions {
  onStop?: OnStop;
  /** Needed for `release`: which associations still have an operation in progress. */
  operations?: Operations;
  clock?: Clock;
}

export interface Stopped {
  released: number;
  aborted: number;
}

/**
 * Stops an SCP within STOP_BOUND_MS. `abort`: every established association gets an A-ABORT
 * (PS3.8 7.3). `release`: each association, once its operations
 * in progress have sent their final response, is released by us — either AE may request the
 * release (PS3.8 7.2; 7.2.2 settles both at once) — and whatever has not ended after
 * RELEASE_GRACE_MS is aborted. Then the listener and every connection are closed.
 */
export async function stopScp(scp: Scp, o: StopOptions = {}): Promise<Stopped> {
  const clock = o.clock ?? systemClock;
  // No new association while the open ones end.
  scp.stopListening();
  const open = [...scp.associations];
  const ended = new Map<Association, AssociationEnd['how']>();
  for (const a of open) a.onEnd((end) => ended.set(a, end.how));
  if (o.onStop === 'release' && open.length) {
    const releasing = open.map(async (a) => {
      await (o.operations?.whenIdle(a.id) ?? Promise.resolve());
      // The peer may have released (or aborted) meanwhile.
      if (!ended.has(a)) await a.release().catch(() => {});
    });
    await within(clock, RELEASE_GRACE_MS, Promise.all(releasing));
  }
  const left = [...scp.associations].filter((a) => !ended.has(a));
  for (const a of left) {
    a.abort();
    a.closeAfterAbort();
  }
  await within(clock, ABORT_GRACE_MS, Promise.all(left.map((a) => a.flushed().catch(() => {}))));
  await scp.close();
  return { released: [...ended.values()].filter((how) => how === 'released').length, aborted: left.length };
}

/** Waits for `work` at most `ms`; the timer keeps the process alive while it runs and is cancelled when done. */
async function within(clock: Clock, ms: number, work: Promise<unknown>): Promise<void> {
  let timer: { cancel(): void } | undefined;
  const bound = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms, { keepAlive: true })));
  await Promise.race([work, bound]);
  timer?.cancel();
}

/** Resolves with the name of the first SIGINT or SIGTERM; a second one ends the process at once (the default action). */
export function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => void onStopSignal(resolve));
}

/** Calls `handler` with the first SIGINT or SIGTERM (a second one ends the process at once). Returns the function that stops listening. */
export function onStopSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  const off = () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  const on = (signal: NodeJS.Signals) => {
    off();
    handler(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return off;
}

/**
 * While a command runs, a process whose every handle is gone — a step awaiting a promise nobody
 * will settle — would end silently (exit 0, or 13 for an unsettled top-level await). This guard
 * runs first when that happens: `report` says what was left undone, and the process exits 70
 * (internal). Returns the function that removes the guard, to call when the command is done.
 */
export function guardEarlyExit(report: () => void): () => void {
  const guard = () => {
    report();
    process.exit(ExitCode.Internal);
  };
  process.prependListener('beforeExit', guard);
  return () => void process.off('beforeExit', guard);
}

/** 143 after SIGTERM, else 130 (Ctrl-C), as shells report a process a signal ended. */
export function exitCodeOfSignal(reason: unknown): number {
  return reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
}

/** `stopped (SIGTERM): 1 open association released, 2 aborted`: the summary line's start. */
export function stoppedLine(signal: unknown, s: Stopped): string {
  const n = (x: number) => `${x} open association${x === 1 ? '' : 's'}`;
  const parts = [...(s.released ? [`${n(s.released)} released`] : []), ...(s.aborted ? [s.released ? `${s.aborted} aborted` : `${n(s.aborted)} aborted`] : [])];
  return `stopped${typeof signal === 'string' ? ` (${signal})` : ''}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** How a command stopped by `stop` exits: 130/143 for a signal, 0 when it was stopped otherwise (in process, by its caller). */
export function exitCodeOfStop(reason: unknown): number {
  return reason === 'SIGINT' || reason === 'SIGTERM' ? exitCodeOfSignal(reason) : ExitCode.Ok;
}
