import type { Store } from '../store/store.ts';

/** Milliseconds, or [min, max] for a random delay. */
export type Delay = number | [number, number];

export interface ExtendedNegotiationSpec {
  relational?: boolean;
  datetime?: boolean;
  fuzzy?: boolean;
  timezone?: boolean;
  emptyValue?: boolean;
  multipleValue?: boolean;
}

export interface AssociationRule {
  when?: { callingAeTitle?: string; calledAeTitle?: string; nth?: number };
  reject?: { result: number; source: number; reason: number; delayMs?: Delay };
  accept?: {
    delayMs?: Delay;
    never?: boolean;
    maxPduLength?: number;
    contexts?: Record<string, number>;
    abortAfterMs?: number;
    abort?: { source?: number; reason?: number };
    releaseAfterMs?: number;
  };
}

export type RespondStep =
  | { delayMs: Delay }
  | { pending: 'matches' | number | Record<string, unknown>[]; status?: number; delayMs?: Delay; firstDelayMs?: Delay }
  | { cancel: 'honour' | 'ignore' | { after: number } }
  | { final: number; errorComment?: string; offendingElement?: string[]; errorId?: number; identifier?: Record<string, unknown>; anyStatus?: boolean }
  | { fault: string }
  | { send: string | { hex?: string; file?: string } }
  | { abort: boolean | { source?: number; reason?: number } }
  | { close: boolean | { afterBytes?: number } }
  | { releaseRequest: boolean };

export interface Behaviour {
  name?: string;
  when?: { model?: string; level?: string; callingAeTitle?: string; identifier?: Record<string, unknown>; missing?: string[]; state?: string; nth?: number };
  times?: number;
  setState?: string;
  respond: RespondStep[];
}

export interface ScpScenario {
  aeTitle: string;
  port?: number;
  maxPduLength?: number;
  /** Pendings allowed in flight beyond what the socket has flushed (see FindServiceOptions.writeAhead). */
  writeAhead?: number;
  profile?: string;
  /** The archive's timezone (+HHMM), for timezone query adjustment. */
  timezone?: string;
  retrieveAeTitle?: string;
  callingAeTitles?: string[];
  sopClasses?: string[];
  transferSyntaxes?: string[];
  extendedNegotiation?: ExtendedNegotiationSpec;
  timeouts?: { artimMs?: number; idleMs?: number };
  association?: AssociationRule[];
  behaviours?: Behaviour[];
}

export interface FindStep {
  model: string;
  level?: string;
  identifier?: Record<string, unknown>;
  invalid?: string;
  priority?: string;
  cancel?: { after?: number; afterFinal?: boolean; twice?: boolean; wrongMessageId?: boolean };
  pauseReadingMs?: number;
  abortAfter?: number;
  releaseAfter?: number;
  concurrent?: number;
  expect?: { final?: number; pendings?: number; minPendings?: number; maxPendings?: number; violations?: string[] };
}

export type ScuStep = { echo: unknown } | { find: FindStep } | { release: unknown } | { abort: boolean | { source?: number; reason?: number } } | { delayMs: Delay };

export interface ScuScenario {
  callingAeTitle?: string;
  calledAeTitle?: string;
  maxPduLength?: number;
  sopClasses?: string[];
  transferSyntaxes?: string[];
  extendedNegotiation?: ExtendedNegotiationSpec;
  asyncOperationsWindow?: { invoked: number; performed: number };
  steps: ScuStep[];
}

/** One kind of session of `qr-harness load`: an association running these steps, picked by weight. */
export interface LoadMixEntry {
  name?: string;
  weight?: number;
  steps: ScuStep[];
}

export interface LoadSection {
  mix?: LoadMixEntry[];
}

export interface Scenario {
  name: string;
  description?: string;
  /** The file it came from, and the folder relative paths in it are resolved against. */
  file: string;
  store: Store;
  scp?: ScpScenario;
  scu?: ScuScenario;
  load?: LoadSection;
}
