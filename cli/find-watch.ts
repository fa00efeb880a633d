import chalk from 'chalk';
import { CommandField, commandFieldName } from '../simulators/dimse/command-fields.ts';
import type { EventStream } from '../simulators/events/event-stream.ts';
import type { DimseClient } from '../simulators/scu/dimse-client.ts';
import type { FindOperation } from '../simulators/scu/find-operation.ts';
import type { TraceEvent } from '../simulators/trace/format.ts';
import type { Output } from './output.ts';

/** Where SIGINT and SIGTERM come from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export type Signal = 'SIGINT' | 'SIGTERM';

/** Why we sent A-ABORT ourselves. */
export type OwnAbort = { why: 'signal'; signal: Signal } | { why: 'protocol'; message: string };

/** The find-level rules this reference names are broken by responses only (they sit beside the response). */
const RESPONSE_RULES = 'PS3.7/PS3.4';

/**
 * What `find` watches while its C-FIND runs: every rule the peer breaks (`violation` events),
 * a response to a Message ID never sent, and the user's signals. Ctrl-C sends C-CANCEL while
 * the C-FIND is outstanding; a second Ctrl-C, or SIGTERM, sends A-ABORT. `dispose()` removes
 * every listener it added.
 */
export class FindWatch {
  /** Every violation, as "reference: message". */
  readonly violations: string[] = [];
  /** The first signal received. */
  signal: Signal | undefined;
  /** Pendings received when Ctrl-C sent the C-CANCEL. */
  cancelledAfter: number | undefined;
  ownAbort: OwnAbort | undefined;
  private client: DimseClient | undefined;
  private op: FindOperation | undefined;
  private pendings: () => number = () => 0;
  private readonly stopEvents: () => void;
  private readonly onSigint = () => this.interrupted('SIGINT');
  private readonly onSigterm = () => this.interrupted('SIGTERM');
  private listening = false;

  constructor(
    events: EventStream<TraceEvent>,
    private readonly signals: SignalSource,
    private readonly io: Output,
    /** Print violations not tied to a response (false when the trace prints them already). */
    printViolations: boolean,
  ) {
    this.stopEvents = events.subscribe((e) => {
      if (e.kind === 'violation') {
        this.violations.push(`${e.reference}: ${e.message}`);
        // Rules broken by a response are printed beside it; others (the A-ASSOCIATE-AC, stray messages) here.
        if (printViolations && e.reference !== RESPONSE_RULES && !this.ownAbort) io.err(chalk.yellow(`warning: the peer broke a rule: ${e.reference}: ${e.message}`));
      } else if (e.kind === 'dimse:received') {
        this.received(e.command.CommandField, e.command.MessageIDBeingRespondedTo);
      }
    }, ['violation', 'dimse:received']);
  }

  /** Starts handling signals for this association. */
  listen(client: DimseClient): void {
    this.client = client;
    this.signals.on('SIGINT', this.onSigint);
    this.signals.on('SIGTERM', this.onSigterm);
    this.listening = true;
  }

  watch(op: FindOperation, pendings: () => number): void {
    this.op = op;
    this.pendings = pendings;
  }

  dispose(): void {
    this.stopEvents();
    if (!this.listening) return;
    this.signals.off('SIGINT', this.onSigint);
    this.signals.off('SIGTERM', this.onSigterm);
    this.listening = false;
  }

  private interrupted(signal: Signal): void {
    const first = this.signal === undefined;
    this.signal ??= signal;
    const op = this.op;
    if (signal === 'SIGINT' && first && op && !op.done && op.cancel()) {
      this.cancelledAfter = this.pendings();
      this.io.err(chalk.yellow(`interrupted: C-CANCEL sent after ${this.cancelledAfter} Pending${this.cancelledAfter === 1 ? '' : 's'}, waiting for the final response (Ctrl-C again to abort)`));
      return;
    }
    if (this.ownAbort) return;
    this.ownAbort = { why: 'signal', signal };
    this.io.err(chalk.yellow(`interrupted (${signal}): A-ABORT sent`));
    this.client?.abort();
  }

  private received(commandField: number | undefined, respondsTo: number | undefined): void {
    const op = this.op;
    if (!op || op.done || this.ownAbort || commandField === undefined || (commandField & 0x8000) === 0) return;
    if (respondsTo === op.messageId) return;
    // PS3.7 9.1.2.1 and Table 9.3-4: a response carries the Message ID of its request; one for a
    // Message ID never sent cannot be matched to anything, so waiting for the DIMSE timeout is pointless.
    const name = commandFieldName(commandField);
    const expected = commandField === CommandField.C_FIND_RSP ? '' : `, and is not a C-FIND-RSP`;
    this.ownAbort = {
      why: 'protocol',
      message: `${name} answers Message ID ${respondsTo ?? '(none)'}, which was never sent (the C-FIND is Message ID ${op.messageId})${expected}: MessageIDBeingRespondedTo must name the request (PS3.7 9.1.2.1, Table 9.3-4); A-ABORT sent`,
    };
    queueMicrotask(() => this.client?.abort());
  }
}
