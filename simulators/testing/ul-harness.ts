import { FakeClock } from '../clock/fake-clock.ts';
import { EventStream } from '../events/event-stream.ts';
import { AssociationAcceptor } from '../ul/association/acceptor.ts';
import type { Association } from '../ul/association/association.ts';
import type { AcceptorPolicy } from '../ul/association/negotiation.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import type { UlEvent, StateEvent } from '../ul/events.ts';

/** Waits (in real time) until an event matching `match` has been seen. */
export async function until<E>(events: E[] | (() => E[]), match: (e: E) => boolean, timeoutMs = 2000, what = 'event'): Promise<E> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (typeof events === 'function' ? events() : events).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function cell(t: { from: string; event: string; action: string; to: string }): string {
  return `${t.from}+${t.event}->${t.action}->${t.to}`;
}

/** Records every state transition of every association it hears about. */
export class TransitionLog {
  readonly events: UlEvent[] = [];
  constructor(stream: EventStream<UlEvent>) {
    stream.subscribe((e) => this.events.push(e));
  }
  get transitions(): StateEvent[] {
    return this.events.filter((e): e is StateEvent => e.kind === 'state');
  }
  /** Waits for the transition `from+event`, returns it. */
  expect(from: string, event: string, timeoutMs = 2000, associationId?: string): Promise<StateEvent> {
    return until(
      () => this.transitions,
      (t) => t.from === from && t.event === event && (associationId === undefined || t.associationId === associationId),
      timeoutMs,
      `transition ${from}+${event}`,
    ).then((t) => t);
  }
}

export interface AcceptorHarness {
  port: number;
  clock: FakeClock;
  stream: EventStream<UlEvent>;
  log: TransitionLog;
  associations: Association[];
  close(): Promise<void>;
}

export async function startAcceptor(policy: Partial<AcceptorPolicy> = {}, onAssociation?: (a: Association) => void): Promise<AcceptorHarness> {
  const clock = new FakeClock();
  const stream = new EventStream<UlEvent>();
  const log = new TransitionLog(stream);
  const associations: Association[] = [];
  const acceptor = new AssociationAcceptor({
    policy: {
      aeTitle: 'QRSCP',
      maxPduLength: 16384,
      contexts: [{ abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }],
      ...policy,
    },
    onAssociation: (a) => {
      associations.push(a);
      onAssociation?.(a);
    },
    clock,
    events: stream,
    timeouts: { artimMs: 1000, releaseMs: 5000, associationRequestMs: 5000 },
  });
  const port = await acceptor.listen(0);
  return { port, clock, stream, log, associations, close: () => acceptor.close() };
}
