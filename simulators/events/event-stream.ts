/**
 * The one typed stream of protocol notifications. Every layer emits into an `EventSink` of its
 * own event type; traces, reports and assertions subscribe to an `EventStream` of the union.
 */
export interface EventSink<E> {
  emit(event: E): void;
  /** False when nobody listens: lets hot paths skip building events. */
  readonly active: boolean;
}

export type Listener<E> = (event: E) => void;

export class EventStream<E> implements EventSink<E> {
  private listeners: Listener<E>[] = [];

  get active(): boolean {
    return this.listeners.length > 0;
  }

  emit(event: E): void {
    for (const l of this.listeners) l(event);
  }

  subscribe(listener: Listener<E>): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Collects every event from now on; `stop()` detaches. */
  record(): { events: E[]; stop: () => void } {
    const events: E[] = [];
    const stop = this.subscribe((e) => events.push(e));
    return { events, stop };
  }
}

/** A sink that drops everything (the default when the caller does not listen). */
export const nullSink: EventSink<never> = { emit() {}, active: false };
