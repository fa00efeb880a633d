import type { AssembledMessage } from '../dimse/assembler.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { CommandField, NO_DATA_SET, commandFieldName } from '../dimse/command-fields.ts';
import { DimseError } from '../dimse/errors.ts';
import { cancelRequest } from '../dimse/find.ts';
import { statusClass } from '../dimse/status.ts';
import type { StatusClass } from '../dimse/status.ts';
import { DataSet } from '../dataset/data-set.ts';
import { decodeDataSet } from '../dataset/decode.ts';
import { DataSetError } from '../dataset/errors.ts';
import type { TransferSyntaxInfo } from '../dataset/transfer-syntax.ts';
import type { DimseClient } from './dimse-client.ts';

/** One C-FIND-RSP as the SCU received it, with what it broke. */
export interface FindResponse {
  /** 1-based position in the response stream. */
  index: number;
  status: number;
  statusClass: StatusClass;
  final: boolean;
  identifier: DataSet | undefined;
  /** Why the identifier could not be decoded (its bytes are in `identifierBytes`). */
  identifierError: DataSetError | undefined;
  identifierBytes: Buffer | undefined;
  command: DimseCommand;
  /** The P-DATA-TF PDUs that carried it (when the client keeps them). */
  rawPdus: Buffer[] | undefined;
  /** Rules of PS3.4/PS3.7 this response broke. */
  problems: string[];
  /** Whether our C-CANCEL had been sent when it arrived. */
  afterCancel: boolean;
  receivedAt: number;
}

export interface FindSummary {
  messageId: number;
  finalStatus: number | undefined;
  pending: number;
  cancelSent: boolean;
  problems: string[];
}

const HIGH_WATER = 512;
const LOW_WATER = 64;

/**
 * A C-FIND in progress: an async iterator of its responses as they arrive, with C-CANCEL at
 * any moment. Reading stops (TCP backpressure) while too many responses wait for the consumer,
 * so neither side holds a long stream in memory.
 */
export class FindOperation implements AsyncIterable<FindResponse> {
  private readonly queue: FindResponse[] = [];
  private wake: (() => void) | undefined;
  private finished = false;
  private failure: Error | undefined;
  private paused = false;
  private count = 0;
  /** Most responses ever waiting for the consumer at once. */
  maxQueued = 0;
  private pendingCount = 0;
  private cancelSent = false;
  private finalStatus: number | undefined;
  private readonly problems: string[] = [];
  readonly result: Promise<FindSummary>;
  private settleResult!: (s: FindSummary) => void;
  private failResult!: (e: Error) => void;

  constructor(
    private readonly client: DimseClient,
    readonly messageId: number,
    readonly contextId: number,
    readonly sopClassUid: string,
    private readonly ts: TransferSyntaxInfo,
    /** Send C-CANCEL the moment this many Pendings have arrived, before the rest of what the socket delivered is read. */
    private readonly cancelAfter?: number,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.settleResult = resolve;
      this.failResult = reject;
    });
    this.result.catch(() => {});
  }

  /** Called by the client for each response to this Message ID; true when it was the final one. */
  response(m: AssembledMessage): boolean {
    const c = m.decoded.command;
    const problems: string[] = [...m.problems, ...m.decoded.problems];
    const status = c.Status ?? -1;
    const cls = statusClass(status);
    if (c.CommandField !== CommandField.C_FIND_RSP) problems.push(`${commandFieldName(c.CommandField)} answers a C-FIND-RQ (PS3.7 9.3.2.2)`);
    if (c.Status === undefined) problems.push('C-FIND-RSP without a Status (0000,0900) (PS3.7 Table 9.3-4)');
    if (cls === 'Unknown') problems.push(`status ${status.toString(16).toUpperCase()} belongs to no status class (PS3.7 Annex C)`);
    if (c.AffectedSOPClassUID !== undefined && c.AffectedSOPClassUID !== this.sopClassUid) {
      problems.push(`Affected SOP Class UID ${c.AffectedSOPClassUID} differs from the request's ${this.sopClassUid} (PS3.7 Table 9.3-4)`);
    }
    const pending = cls === 'Pending';
    const hasData = m.dataSetBytes !== undefined;
    if (pending && !hasData) problems.push('a Pending response without an Identifier (PS3.7 9.1.2.1.5)');
    if (!pending && hasData) {
      problems.push(`a ${cls} response (${status.toString(16).toUpperCase().padStart(4, '0')}) carries an Identifier; only Pending responses do (PS3.7 9.1.2.1.5, PS3.4 C.4.1.3.1)`);
    }
    if (c.ErrorComment !== undefined && (c.ErrorComment.length > 64 || /[^\x20-\x7e]/.test(c.ErrorComment))) {
      problems.push('Error Comment longer than 64 characters or outside the default repertoire (PS3.7 C.4.1)');
    }
    let identifier: DataSet | undefined;
    let identifierError: DataSetError | undefined;
    if (hasData) {
      try {
        identifier = decodeDataSet(m.dataSetBytes!, this.ts);
        for (const p of identifier.characterSet.problems) problems.push(p);
      } catch (e) {
        if (!(e instanceof DataSetError)) throw e;
        identifierError = e;
        problems.push(`the Identifier cannot be decoded: ${e.message}`);
      }
    }
    const r: FindResponse = {
      index: ++this.count,
      status,
      statusClass: cls,
      final: !pending,
      identifier,
      identifierError,
      identifierBytes: m.dataSetBytes,
      command: c,
      rawPdus: m.rawPdus,
      problems,
      afterCancel: this.cancelSent,
      receivedAt: this.client.clock.now(),
    };
    for (const p of problems) {
      this.problems.push(`response ${r.index}: ${p}`);
      this.client.violation('PS3.7/PS3.4', `C-FIND message ${this.messageId}, response ${r.index}: ${p}`);
    }
    if (pending) this.pendingCount++;
    else this.finalStatus = status;
    // PS3.7 9.3.2.3: a cancel decided by count goes out at once, not when the consumer reaches it.
    if (pending && this.pendingCount === this.cancelAfter && !this.cancelSent) this.cancel();
    this.queue.push(r);
    if (this.queue.length > this.maxQueued) this.maxQueued = this.queue.length;
    if (!pending) this.finish();
    else if (this.queue.length >= HIGH_WATER && !this.paused) {
      // The consumer is behind: stop reading (TCP backpressure) and stop the DIMSE timer meanwhile.
      this.paused = true;
      this.client.association.pauseReading(true);
      this.client.hold(this.messageId);
    }
    this.wake?.();
    return !pending;
  }

  fail(error: Error): void {
    if (this.finished) return;
    this.failure = error;
    this.finished = true;
    this.resume();
    this.failResult(error);
    this.wake?.();
  }

  /**
   * Sends C-CANCEL-RQ for this operation (PS3.7 9.3.2.3) — before the first Pending, after some,
   * or after the final response (then it has no effect). Returns whether the C-FIND was still
   * outstanding. Sending twice is allowed.
   */
  cancel(): boolean {
    const outstanding = !this.finished;
    if (!this.client.association.isEstablished) return false;
    this.client.channel.send(this.contextId, cancelRequest(this.messageId));
    this.cancelSent = true;
    return outstanding;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Reads every response (in memory); for small result sets and tests. */
  async collect(): Promise<FindResponse[]> {
    const all: FindResponse[] = [];
    for await (const r of this) all.push(r);
    return all;
  }

  /** Reads and discards the responses, counting them; returns the summary. */
  async drain(): Promise<FindSummary> {
    for await (const r of this) void r;
    return this.result;
  }

  [Symbol.asyncIterator](): AsyncIterator<FindResponse> {
    return {
      next: async (): Promise<IteratorResult<FindResponse>> => {
        for (;;) {
          const r = this.queue.shift();
          if (r) {
            if (this.paused && this.queue.length <= LOW_WATER) this.resume();
            return { value: r, done: false };
          }
          if (this.failure) throw this.failure;
          if (this.finished) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
        }
      },
      return: async (): Promise<IteratorResult<FindResponse>> => {
        this.resume();
        return { value: undefined, done: true };
      },
    };
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.client.association.pauseReading(false);
    this.client.touch(this.messageId);
  }

  private finish(): void {
    this.finished = true;
    this.resume();
    this.settleResult({ messageId: this.messageId, finalStatus: this.finalStatus, pending: this.pendingCount, cancelSent: this.cancelSent, problems: this.problems });
  }
}

/** The identifier of a C-FIND-RQ must travel as a data set (CommandDataSetType ≠ 0101, PS3.7 Table 9.3-3). */
export const FIND_HAS_IDENTIFIER = (command: DimseCommand): boolean => command.CommandDataSetType !== NO_DATA_SET;

export function noContextError(sopClassUid: string): DimseError {
  return new DimseError('DIMSE_NO_CONTEXT', `no accepted presentation context for ${sopClassUid}`);
}
