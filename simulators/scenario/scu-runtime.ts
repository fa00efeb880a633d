import { sleep, systemClock } from '../clock/clock.ts';
import type { Clock } from '../clock/clock.ts';
import { EventStream } from '../events/event-stream.ts';
import { transferSyntax } from '../dataset/transfer-syntax.ts';
import { Priority } from '../dimse/command-fields.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { SopClass } from '../dimse/sop-classes.ts';
import { describeStatus } from '../dimse/status.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import type { ClientEvent } from '../scu/dimse-client.ts';
import type { FindOperation } from '../scu/find-operation.ts';
import type { AssociationEnd } from '../ul/association/association.ts';
import type { ExtendedNegotiation } from '../ul/association/parameters.ts';
import type { Timeouts } from '../ul/timers.ts';
import { HarnessError } from '../wire/errors.ts';
import { scuIdentifier } from './invalid-identifier.ts';
import { delayOf } from './respond.ts';
import { sopClassUid, transferSyntaxUid } from './scp-runtime.ts';
import type { ExtendedNegotiationSpec, FindStep, ScuScenario, ScuStep } from './types.ts';

export interface ScuTarget {
  host: string;
  port: number;
  /** Overrides the scenario's called AE title (the SCP under test). */
  calledAeTitle?: string;
  callingAeTitle?: string;
}

export interface ScuRunOptions {
  events?: EventStream<ClientEvent>;
  clock?: Clock;
  /** DIMSE timeout per response; default 30 s. */
  dimseTimeoutMs?: number;
  timeouts?: Partial<Timeouts>;
  /** Called as each step ends, so a caller can print it at once (nothing is lost if a later step hangs). */
  onStep?: (outcome: StepOutcome) => void;
  /** Ends the run: the step in progress is interrupted, the association aborted, no further step runs. */
  signal?: AbortSignal;
}

/** What one step of the script did, and whether it met its expectations. */
export interface StepOutcome {
  index: number;
  step: string;
  ok: boolean;
  detail: string;
  /** Expectations of the step that were not met. */
  failures: string[];
  /** Rules the peer broke during the step. */
  problems: string[];
  finalStatus?: number;
  pendings?: number;
  /** The run was stopped (`signal`) while this step ran: why (the signal's reason). */
  interrupted?: string;
}

export interface ScuRunResult {
  ok: boolean;
  steps: StepOutcome[];
  /** How each association of the run ended. */
  associations: { established: boolean; detail: string }[];
}

const FIND_SOP_BY_MODEL: Record<string, string> = Object.fromEntries(Object.entries(FIND_MODELS).map(([k, v]) => [k, v.sopClassUid]));
const PRIORITIES: Record<string, number> = { low: Priority.LOW, medium: Priority.MEDIUM, high: Priority.HIGH };
const hex = (s: number | undefined) => (s === undefined ? 'none' : s.toString(16).toUpperCase().padStart(4, '0'));

/** The C-FIND extended negotiation an SCU offers (PS3.4 C.5.1.1; K.5.1 for the worklist). */
function offered(spec: ExtendedNegotiationSpec | undefined, sopClasses: string[]): ExtendedNegotiation[] {
  if (!spec) return [];
  const b = (v: boolean | undefined) => (v ? 1 : 0);
  return sopClasses
    .filter((u) => u !== SopClass.Verification)
    .map((u) => ({
      sopClassUid: u,
      applicationInformation:
        u === SopClass.ModalityWorklistFind
          ? Uint8Array.of(1, 1, b(spec.fuzzy), b(spec.timezone))
          : Uint8Array.of(b(spec.relational), b(spec.datetime), b(spec.fuzzy), b(spec.timezone), 0, b(spec.emptyValue), b(spec.multipleValue)),
    }));
}

/**
 * Runs a scripted SCU against an SCP: C-ECHO, C-FINDs with every cancel variant, invalid
 * identifiers, backpressure, abort or release in the middle of a stream, concurrent C-FINDs —
 * and checks each step's expectations. A step that needs an association opens one when the
 * previous was released or aborted.
 */
export async function runScu(s: ScuScenario, target: ScuTarget, o: ScuRunOptions = {}): Promise<ScuRunResult> {
  const clock = o.clock ?? systemClock;
  const events = o.events ?? new EventStream<ClientEvent>();
  const sopClasses = (s.sopClasses ?? ['PatientRoot', 'StudyRoot', 'PatientStudyOnly', 'ModalityWorklist', 'Verification']).map(sopClassUid);
  const tss = (s.transferSyntaxes ?? ['ExplicitVRLittleEndian', 'ImplicitVRLittleEndian']).map(transferSyntaxUid);
  const outcomes: StepOutcome[] = [];
  const associations: ScuRunResult['associations'] = [];
  let client: DimseClient | undefined;
  let ended: Promise<AssociationEnd> | undefined;
  let problems: string[] = [];
  const stop = events.subscribe((e) => e.kind === 'violation' && problems.push(`${e.reference}: ${e.message}`), ['violation']);
  // Rejects when the run is stopped, after aborting the association (PS3.8 7.3): a step awaiting an answer ends at once.
  const interrupted = new Promise<never>((_, reject) => {
    const signal = o.signal;
    if (!signal) return;
    const onAbort = () => {
      if (client?.association.isEstablished) {
        client.association.abort();
        client.association.closeAfterAbort();
      }
      reject(new Error(`interrupted (${String(signal.reason)})`));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  interrupted.catch(() => {});

  const connect = async (): Promise<DimseClient> => {
    if (client?.association.isEstablished) return client;
    try {
      client = await DimseClient.connect({
        host: target.host,
        port: target.port,
        calledAeTitle: target.calledAeTitle ?? s.calledAeTitle ?? 'ANY-SCP',
        callingAeTitle: target.callingAeTitle ?? s.callingAeTitle ?? 'QRHARNESS',
        presentationContexts: sopClasses.map((u) => ({ abstractSyntax: u, transferSyntaxes: tss })),
        ...(s.maxPduLength !== undefined && { maxPduLength: s.maxPduLength }),
        ...(s.asyncOperationsWindow && { asyncOperationsWindow: { maxOperationsInvoked: s.asyncOperationsWindow.invoked, maxOperationsPerformed: s.asyncOperationsWindow.performed } }),
        extendedNegotiations: offered(s.extendedNegotiation, sopClasses),
        events,
        clock,
        dimseTimeoutMs: o.dimseTimeoutMs ?? 30_000,
        ...(o.timeouts && { timeouts: o.timeouts }),
      });
    } catch (e) {
      associations.push({ established: false, detail: (e as Error).message });
      throw e;
    }
    const record = { established: true, detail: 'established' };
    associations.push(record);
    ended = new Promise((resolve) => client!.association.onEnd(resolve));
    void ended.then((end) => (record.detail = end.how === 'released' ? 'released' : `aborted: ${end.description}`));
    return client;
  };

  for (const [index, step] of s.steps.entries()) {
    if (o.signal?.aborted) break;
    problems = [];
    const name = Object.keys(step)[0]!;
    const outcome: StepOutcome = { index: index + 1, step: name, ok: true, detail: '', failures: [], problems };
    try {
      await Promise.race([runStep(step, outcome), interrupted]);
    } catch (e) {
      outcome.ok = false;
      outcome.detail = e instanceof HarnessError ? `${e.code}: ${e.message}` : (e as Error).message;
    }
    if (o.signal?.aborted) {
      outcome.ok = false;
      outcome.interrupted = String(o.signal.reason);
      outcome.detail = `interrupted (${outcome.interrupted})${outcome.detail && !outcome.detail.startsWith('interrupted') ? `: ${outcome.detail}` : ''}`;
    }
    judgeProblems(step, outcome);
    if (outcome.failures.length) outcome.ok = false;
    outcomes.push(outcome);
    o.onStep?.(outcome);
  }
  if (client?.association.isEstablished && !o.signal?.aborted) await client.release().catch(() => {});
  stop();
  return { ok: outcomes.every((x) => x.ok), steps: outcomes, associations };

  /** A rule the peer broke fails the step unless the step expects it (`expect.violations`): a violation is never only printed. */
  function judgeProblems(step: ScuStep, out: StepOutcome): void {
    const expected = 'find' in step ? (step.find.expect?.violations ?? []) : [];
    for (const p of out.problems) if (!expected.some((t) => p.includes(t))) out.failures.push(`the peer broke a rule: ${p}`);
    for (const t of expected) if (!out.problems.some((p) => p.includes(t))) out.failures.push(`expected a violation reading "${t}", none was seen`);
  }

  async function runStep(step: ScuStep, out: StepOutcome): Promise<void> {
    if ('delayMs' in step) {
      const ms = delayOf(step.delayMs, Math.random);
      await sleep(clock, ms);
      out.detail = `waited ${ms} ms`;
    } else if ('echo' in step) {
      const c = await connect();
      const r = await c.echo();
      out.finalStatus = r.status;
      out.detail = `C-ECHO status ${hex(r.status)}`;
      if (r.status !== 0) out.failures.push(`C-ECHO answered ${hex(r.status)}, expected 0000`);
    } else if ('release' in step) {
      if (!client?.association.isEstablished) throw new Error('no association to release');
      await client.release();
      out.detail = 'released';
    } else if ('abort' in step) {
      if (!client?.association.isEstablished) throw new Error('no association to abort');
      const a = typeof step.abort === 'object' ? step.abort : {};
      client.association.abort(a.source ?? 0, a.reason ?? 0);
      out.detail = `A-ABORT source ${a.source ?? 0} reason ${a.reason ?? 0}`;
    } else if ('find' in step) {
      await find(await connect(), step.find, out);
    }
  }

  async function find(c: DimseClient, f: FindStep, out: StepOutcome): Promise<void> {
    const sop = FIND_SOP_BY_MODEL[f.model]!;
    const ctx = c.association.contextFor(sop);
    if (!ctx) throw new Error(`the SCP accepted no presentation context for ${f.model} (${sop})`);
    const ts = transferSyntax(ctx.transferSyntax)!;
    const identifier = scuIdentifier(f.identifier ?? {}, f.level, f.invalid, ts);
    const n = f.concurrent ?? 1;
    const ops: FindOperation[] = [];
    for (let i = 0; i < n; i++) ops.push(c.find(f.model as FindModel, identifier, { priority: PRIORITIES[f.priority ?? 'medium']! }));
    const results = await Promise.all(ops.map((op) => drive(c, op, f)));
    const r = results[0]!;
    out.pendings = r.pendings;
    out.finalStatus = r.final;
    const what = `C-FIND ${f.model}${f.level ? ` ${f.level}` : ''}${f.invalid ? ` (invalid: ${f.invalid})` : ''}${n > 1 ? ` ×${n}` : ''}`;
    out.detail = results
      .map((x) => `${what}: ${x.pendings} Pending${x.pendings === 1 ? '' : 's'}, ${x.final === undefined ? `no final response (${x.error})` : `final ${describeStatus(x.final)}`}${x.notes.length ? `; ${x.notes.join('; ')}` : ''}`)
      .join('\n');
    const e = f.expect;
    for (const [k, x] of results.entries()) {
      const which = n > 1 ? `C-FIND ${k + 1}: ` : '';
      // PS3.7 9.1.2: every C-FIND ends with a final response, unless this step ended the association itself.
      if (x.final === undefined && f.abortAfter === undefined && f.releaseAfter === undefined) out.failures.push(`${which}no final response (${x.error ?? 'the association ended'})`);
      if (!e) continue;
      if (e.final !== undefined && x.final !== e.final) out.failures.push(`${which}final status ${hex(x.final)}, expected ${hex(e.final)}`);
      if (e.pendings !== undefined && x.pendings !== e.pendings) out.failures.push(`${which}${x.pendings} Pendings, expected ${e.pendings}`);
      if (e.minPendings !== undefined && x.pendings < e.minPendings) out.failures.push(`${which}${x.pendings} Pendings, expected at least ${e.minPendings}`);
      if (e.maxPendings !== undefined && x.pendings > e.maxPendings) out.failures.push(`${which}${x.pendings} Pendings, expected at most ${e.maxPendings}`);
    }
  }

  /** Reads one C-FIND's responses, doing what the step asks at the right moment. */
  async function drive(c: DimseClient, op: FindOperation, f: FindStep) {
    const notes: string[] = [];
    let pendings = 0;
    let final: number | undefined;
    let error: string | undefined;
    let releasing: Promise<void> | undefined;
    const cancel = f.cancel ?? {};
    const cancelNow = () => {
      op.cancel();
      notes.push(`C-CANCEL sent after ${pendings} Pending${pendings === 1 ? '' : 's'}`);
      if (cancel.twice) {
        op.cancel();
        notes.push('C-CANCEL sent again');
      }
    };
    if (cancel.wrongMessageId) {
      const wrong = (op.messageId + 0x7000) & 0xffff;
      c.sendCancel(wrong, op.contextId);
      notes.push(`C-CANCEL for message ${wrong}, never sent`);
    }
    if (cancel.after === 0) cancelNow();
    try {
      for await (const r of op) {
        if (!r.final) {
          pendings++;
          if (pendings === 1 && f.pauseReadingMs) {
            c.association.pauseReading(true);
            c.hold(op.messageId);
            await sleep(clock, f.pauseReadingMs);
            c.association.pauseReading(false);
            c.touch(op.messageId);
            notes.push(`stopped reading for ${f.pauseReadingMs} ms`);
          }
          if (cancel.after !== undefined && cancel.after > 0 && pendings === cancel.after) cancelNow();
          if (f.abortAfter !== undefined && pendings === f.abortAfter) {
            c.association.abort();
            notes.push(`A-ABORT after ${pendings} Pendings`);
          }
          if (f.releaseAfter !== undefined && pendings === f.releaseAfter && !releasing) {
            releasing = c.release().catch((e: Error) => void notes.push(`release: ${e.message}`));
            notes.push(`A-RELEASE-RQ after ${pendings} Pendings, C-FIND outstanding`);
          }
        } else {
          final = r.status;
        }
      }
    } catch (e) {
      error = e instanceof HarnessError ? `${e.code}: ${e.message}` : (e as Error).message;
    }
    if (cancel.afterFinal && c.association.isEstablished) {
      op.cancel();
      notes.push('C-CANCEL sent after the final response');
    }
    if (releasing) await releasing;
    return { pendings, final, error, notes };
  }
}
