import type { DataSet } from '../dataset/data-set.ts';
import type { DimseCommand } from '../dimse/command-set.ts';
import { CommandField, NO_DATA_SET, commandFieldName } from '../dimse/command-fields.ts';
import { describeStatus, statusClass } from '../dimse/status.ts';
import { wireObservation } from '../conformance/wire-problems.ts';
import { otherSide, senderOf } from './events.ts';
import type { Direction, ProxyFinding, Side } from './events.ts';

/**
 * The rules of whole DIMSE exchanges as a third party sees them (PS3.7 9.1.2, 9.3.2; PS3.4
 * C.4.1): which request each response answers, when an operation has ended, what a C-CANCEL
 * names, what came after it. Requests are tracked per requesting side, so an archive acting as
 * a requestor is judged by the same rules.
 */

export interface ObservedMessage {
  dir: Direction;
  command: DimseCommand;
  /** The encoded data set, and the syntaxes of the presentation context it came on. */
  dataSet: Buffer | undefined;
  abstractSyntax: string | undefined;
  transferSyntax: string | undefined;
  /** The archive's answer to the SOP Class Extended Negotiation for the context's abstract syntax (PS3.7 D.3.3.5), if any. */
  extendedNegotiation: Uint8Array | undefined;
  /** The data set decoded, when it could be. */
  identifier: DataSet | undefined;
}

/** A rule of a C-FIND-RQ's identifier broken (or a choice made), as the conformance judge of requests reports it. */
export interface RequestObservation {
  severity?: 'fail' | 'finding';
  rule: string;
  code: string;
  text: string;
}

export interface ExchangeRulesOptions {
  /**
   * How many operations a side may have outstanding at once: the Asynchronous Operations Window
   * the association negotiated (PS3.7 D.3.3.3; 1 without one, 0 for no limit).
   */
  window(requester: Side): number;
  /** Judges each C-FIND-RQ the client sends: its identifier against its model and level. */
  judgeFindRequest?: (request: ObservedMessage) => RequestObservation[];
}

interface Operation {
  messageId: number;
  request: number;
  sopClassUid: string | undefined;
  pendings: number;
  /** Pendings seen when the C-CANCEL-RQ passed, if one did. */
  cancelledAfter: number | undefined;
  afterCancel: number;
}

const CAN_BE_PENDING: ReadonlySet<number> = new Set([CommandField.C_FIND_RQ, CommandField.C_GET_RQ, CommandField.C_MOVE_RQ]);
/** Finished operations remembered per side, to tell a late response from one to a Message ID never sent. */
const REMEMBERED = 256;

export class ExchangeRules {
  private readonly outstanding: Record<Side, Map<number, Operation>> = { client: new Map(), archive: new Map() };
  private readonly finished: Record<Side, Map<number, Operation>> = { client: new Map(), archive: new Map() };

  constructor(
    private readonly report: (f: ProxyFinding) => void,
    private readonly o: ExchangeRulesOptions,
  ) {}

  message(m: ObservedMessage): void {
    const sender = senderOf(m.dir);
    const field = m.command.CommandField;
    if (field === CommandField.C_CANCEL_RQ) this.cancel(sender, m.command);
    else if (field !== undefined && (field & 0x8000) !== 0) this.response(sender, m);
    else this.request(sender, m);
  }

  /** The association (or connection) ended, by `by`, described by `how`: operations still outstanding never got their final response. */
  end(by: Side, how: string): void {
    for (const side of ['client', 'archive'] as const) {
      for (const op of this.outstanding[side].values()) {
        const pendings = op.pendings ? ` after ${op.pendings} Pending${op.pendings === 1 ? '' : 's'}` : '';
        this.finding(by, 'PS3.7 9.1.2.2', 'no-final-response', `${commandFieldName(op.request)} message ${op.messageId} had no final response${pendings}: ${how}`);
      }
      this.outstanding[side].clear();
    }
  }

  private request(sender: Side, m: ObservedMessage): void {
    const c = m.command;
    const name = commandFieldName(c.CommandField);
    const id = c.MessageID;
    // The judge of requests, when there is one, covers the C-FIND-RQ's command fields and identifier.
    const judged = c.CommandField === CommandField.C_FIND_RQ && sender === 'client' && this.o.judgeFindRequest !== undefined;
    if (judged) {
      for (const o of this.o.judgeFindRequest!(m)) {
        this.report({ severity: o.severity ?? 'fail', side: sender, rule: o.rule, code: o.code, text: `C-FIND-RQ message ${id ?? '(none)'}: ${o.text}` });
      }
    } else if (c.CommandField === CommandField.C_FIND_RQ && (!m.dataSet || c.CommandDataSetType === NO_DATA_SET)) {
      this.fail(sender, 'PS3.7 Table 9.3-3', 'find-without-identifier', `C-FIND-RQ message ${id ?? '(none)'} carries no Identifier`);
    }
    if (id === undefined) {
      if (!judged) this.fail(sender, 'PS3.7 9.1.2.1.1', 'message-id-missing', `${name} without a Message ID (0000,0110)`);
      return;
    }
    const open = this.outstanding[sender];
    if (open.has(id)) {
      this.fail(sender, 'PS3.7 9.1.2.1.1', 'message-id-in-use', `${name} uses Message ID ${id}, which an outstanding ${commandFieldName(open.get(id)!.request)} already has`);
    }
    const window = this.o.window(sender);
    if (window !== 0 && open.size >= window) {
      this.fail(sender, 'PS3.7 D.3.3.3', 'operations-window-exceeded', `${name} message ${id} sent while ${open.size} operation(s) were outstanding; the association allows ${window} at a time`);
    }
    open.set(id, { messageId: id, request: c.CommandField, sopClassUid: c.AffectedSOPClassUID, pendings: 0, cancelledAfter: undefined, afterCancel: 0 });
  }

  private cancel(sender: Side, c: DimseCommand): void {
    const id = c.MessageIDBeingRespondedTo;
    const op = id === undefined ? undefined : this.outstanding[sender].get(id);
    if (op) {
      op.cancelledAfter ??= op.pendings;
      return;
    }
    if (id !== undefined && this.finished[sender].has(id)) {
      const done = this.finished[sender].get(id)!;
      this.finding(sender, 'PS3.7 9.1.2.2', 'cancel-after-final', `C-CANCEL-RQ for ${commandFieldName(done.request)} message ${id} after its final response (it has no effect)`);
      return;
    }
    const open = [...this.outstanding[sender].keys()];
    this.fail(
      sender,
      'PS3.7 9.3.2.3',
      'cancel-unknown-message-id',
      `C-CANCEL-RQ names Message ID ${id ?? '(none)'}, which no request carried (${open.length ? `outstanding: ${open.join(', ')}` : 'nothing outstanding'})`,
    );
  }

  private response(responder: Side, m: ObservedMessage): void {
    const requester = otherSide(responder);
    const c = m.command;
    const name = commandFieldName(c.CommandField);
    const id = c.MessageIDBeingRespondedTo;
    const op = id === undefined ? undefined : this.outstanding[requester].get(id);
    if (!op) {
      const done = id === undefined ? undefined : this.finished[requester].get(id);
      if (done) this.fail(responder, 'PS3.7 9.3.2.4', 'response-after-final', `${name} for message ${id} after its final response`);
      else {
        const open = [...this.outstanding[requester].keys()];
        this.fail(responder, 'PS3.7 9.1.2.1', 'response-to-unknown-message-id', `${name} responds to Message ID ${id ?? '(none)'}, which was never sent (${open.length ? `outstanding: ${open.join(', ')}` : 'nothing outstanding'}) (PS3.7 Table 9.3-4)`);
      }
      return;
    }
    const status = c.Status;
    const pending = CAN_BE_PENDING.has(op.request) && status !== undefined && statusClass(status) === 'Pending';
    const problems = responseProblems(op, c, m.dataSet !== undefined, pending);
    const where = `${name} ${pending ? `Pending ${op.pendings + 1}` : 'final'} for message ${op.messageId}`;
    for (const p of problems) this.fail(responder, ruleOf(p, 'PS3.7 9.1.2'), wireObservation(p).code, `${where}: ${p}`);
    if (pending) {
      op.pendings++;
      if (op.cancelledAfter !== undefined) op.afterCancel++;
      return;
    }
    this.outstanding[requester].delete(op.messageId);
    const done = this.finished[requester];
    done.set(op.messageId, op);
    if (done.size > REMEMBERED) done.delete(done.keys().next().value!);
    if (op.cancelledAfter !== undefined) this.afterCancel(responder, op, status);
  }

  /** PS3.4 C.4.1.3.1: after a C-CANCEL the archive ends with FE00; Pendings already on their way may precede it. */
  private afterCancel(responder: Side, op: Operation, status: number | undefined): void {
    const final = status === undefined ? 'no status' : describeStatus(status);
    if (status !== undefined && statusClass(status) === 'Failure') {
      this.fail(responder, 'PS3.4 C.4.1.3.1', 'cancel-answered-failure', `message ${op.messageId} was cancelled after ${op.cancelledAfter} Pending(s) and ended with ${final}, not FE00 (Cancel)`);
    }
    if (op.afterCancel > 0) {
      this.finding(responder, 'PS3.4 C.4.1.3.1', 'pendings-after-cancel', `${op.afterCancel} Pending${op.afterCancel === 1 ? '' : 's'} for message ${op.messageId} after the C-CANCEL (sent after Pending ${op.cancelledAfter}), then ${final}`);
    }
  }

  private fail(side: Side, rule: string, code: string, text: string): void {
    this.report({ severity: 'fail', side, rule, code, text });
  }

  private finding(side: Side, rule: string, code: string, text: string): void {
    this.report({ severity: 'finding', side, rule, code, text });
  }
}

/** The rules one response breaks, in the words our SCU reports them with (so the wire-problem codes apply). */
function responseProblems(op: Operation, c: DimseCommand, hasDataSet: boolean, pending: boolean): string[] {
  const problems: string[] = [];
  const expected = op.request | 0x8000;
  if (c.CommandField !== expected) problems.push(`${commandFieldName(c.CommandField)} answers a ${commandFieldName(op.request)} (PS3.7 9.3.2.2)`);
  if (c.Status === undefined) {
    problems.push(`${commandFieldName(expected)} without a Status (0000,0900) (PS3.7 Table 9.3-4)`);
    return problems;
  }
  const cls = statusClass(c.Status);
  if (cls === 'Unknown') problems.push(`status ${c.Status.toString(16).toUpperCase()} belongs to no status class (PS3.7 Annex C)`);
  if (c.AffectedSOPClassUID !== undefined && op.sopClassUid !== undefined && c.AffectedSOPClassUID !== op.sopClassUid) {
    problems.push(`Affected SOP Class UID ${c.AffectedSOPClassUID} differs from the request's ${op.sopClassUid} (PS3.7 Table 9.3-4)`);
  }
  if (op.request === CommandField.C_FIND_RQ) {
    if (pending && !hasDataSet) problems.push('a Pending response without an Identifier (PS3.7 9.1.2.1.5)');
    if (!pending && hasDataSet) {
      problems.push(`a ${cls} response (${c.Status.toString(16).toUpperCase().padStart(4, '0')}) carries an Identifier; only Pending responses do (PS3.7 9.1.2.1.5, PS3.4 C.4.1.3.1)`);
    }
  }
  if (c.ErrorComment !== undefined && (c.ErrorComment.length > 64 || /[^\x20-\x7e]/.test(c.ErrorComment))) {
    problems.push('Error Comment longer than 64 characters or outside the default repertoire (PS3.7 C.4.1)');
  }
  return problems;
}

/** The rule a problem's text cites in parentheses ("… (PS3.8 E.1)"), or `otherwise`. */
export function ruleOf(text: string, otherwise: string): string {
  return /\((PS3\.\d+ (?:Table |Annex )?(?:[A-Z](?:\.\d[\d.-]*)?|\d[\d.-]*))/.exec(text)?.[1] ?? otherwise;
}
