/**
 * The one typed stream of protocol notifications. Every layer emits into an `EventSink` of its
 * own event type; traces, reports and assertions subscribe to an `EventStream` of the union.
 */
export interface EventSink<E> {
  emit(event: E): void;
  /** False when nobody listens: lets hot paths skip building events. */
  readonly active: boolean;
  /** Whether anybody listens to events of this kind (hot paths ask before building one). */
  wants(kind: string): boolean;
}

export type Listener<E> = (event: E) => void;

interface Subscription<E> {
  listener: Listener<E>;
  kinds: ReadonlySet<string> | undefined;
}

export class EventStream<E extends { kind: string }> implements EventSink<E> {
  private subs: Subscription<E>[] = [];
  private everything = 0;
  private byKind = new Map<string, number>();

  get active(): boolean {
    return this.subs.length > 0;
  }

  wants(kind: string): boolean {
    return this.everything > 0 || this.byKind.has(kind);
  }

  emit(event: E): void {
    for (const s of this.subs) if (!s.kinds || s.kinds.has(event.kind)) s.listener(event);
  }

  /** Listens to every event, or only to the kinds given. Returns the unsubscribe function. */
  subscribe(listener: Listener<E>, kinds?: readonly E['kind'][]): () => void {
    const sub: Subscription<E> = { listener, kinds: kinds && new Set(kinds) };
    this.subs = [...this.subs, sub];
    this.count(sub, 1);
    return () => {
      if (!this.subs.includes(sub)) return;
      this.subs = this.subs.filter((s) => s !== sub);
      this.count(sub, -1);
    };
  }

  /** Collects every event from now on; `stop()` detaches. */
  record(): { events: E[]; stop: () => void } {
    const events: E[] = [];
    const stop = this.subscribe((e) => events.push(e));
    return { events, stop };
  }

  private count(sub: Subscription<E>, delta: number): void {
    if (!sub.kinds) {
      this.everything += delta;
      return;
    }
    for (const k of sub.kinds) {
      const n = (this.byKind.get(k) ?? 0) + delta;
      if (n === 0) this.byKind.delete(k);
      else this.byKind.set(k, n);
    }
  }
}

/** A sink that drops everything (the default when the caller does not listen). */
export const nullSink: EventSink<never> = { emit() {}, active: false, wants: () => false };
