import type { HarnessError } from '../wire/errors.ts';
import type { DecodeError } from '../wire/errors.ts';
import type { ActionName } from './fsm/actions.ts';
import type { EventName } from './fsm/events.ts';
import type { StateName } from './fsm/states.ts';
import type { Pdu } from './pdu/pdus.ts';
import type { TimerName, TimerPhase } from './timers.ts';
import type { AcceptedContext, AssociateAccept, AssociateReject, AssociateRequest } from './association/parameters.ts';

interface Base {
  associationId: string;
  /** Clock time in ms. */
  at: number;
}

export type TransportEvent = Base & {
  kind: 'transport';
  phase: 'connecting' | 'connected' | 'accepted' | 'closed';
  local?: string;
  remote?: string;
};

export type PduSentEvent = Base & { kind: 'pdu:sent'; pdu: Pdu; raw: Buffer };

/** `pdu` is absent when the bytes could not be decoded; `error` then says why. */
export type PduReceivedEvent = Base & { kind: 'pdu:received'; pdu: Pdu | undefined; raw: Buffer; error?: DecodeError };

export type StateEvent = Base & { kind: 'state'; from: StateName; to: StateName; event: EventName; action: ActionName };

export type TimerEvent = Base & { kind: 'timer'; timer: TimerName; phase: TimerPhase; ms?: number };

export type AssociationEvent = Base & {
  kind: 'association';
  role: 'requestor' | 'acceptor';
} & (
    | { phase: 'requested'; request: AssociateRequest }
    | { phase: 'established'; request: AssociateRequest; accept: AssociateAccept; contexts: AcceptedContext[] }
    | { phase: 'rejected'; reject: AssociateReject; description: string }
    | { phase: 'released'; by: 'local' | 'peer' }
    | { phase: 'aborted'; by: 'local' | 'peer' | 'provider'; source: number; reason: number; description: string }
  );

/** Something went wrong that ends or endangers the association: a peer fault, a timeout, a transport failure. */
export type FaultEvent = Base & { kind: 'fault'; error: HarnessError };

/** The peer broke a rule of the standard in a way that did not end the association (reported, not fatal). */
export type ViolationEvent = Base & { kind: 'violation'; reference: string; message: string };

export type UlEvent =
  | TransportEvent
  | PduSentEvent
  | PduReceivedEvent
  | StateEvent
  | TimerEvent
  | AssociationEvent
  | FaultEvent
  | ViolationEvent;
