import { sleep } from '../clock/clock.ts';
import type { Clock } from '../clock/clock.ts';
import { transferSyntax } from '../dataset/transfer-syntax.ts';
import { Priority } from '../dimse/command-fields.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import type { EventSink } from '../events/event-stream.ts';
import { scuIdentifier } from '../scenario/invalid-identifier.ts';
import { delayOf } from '../scenario/respond.ts';
import type { FindStep } from '../scenario/types.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import type { ClientEvent } from '../scu/dimse-client.ts';
import type { FindOperation } from '../scu/find-operation.ts';
import type { AssociationEnd } from '../ul/association/association.ts';
import type { ContextProposal } from '../ul/association/requestor.ts';
import { answerDifference } from './expected.ts';
import type { ExpectedAnswer } from './expected.ts';
import { describeError, failureKindOf } from './failure-kind.ts';
import type { LoadMetrics } from './metrics.ts';
import type { SessionScript, StopMode } from './types.ts';

const PRIORITIES: Record<string, number> = { low: Priority.LOW, medium: Priority.MEDIUM, high: Priority.HIGH };

/** What every session of a run shares. */
export interface SessionContext {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
  contexts: ContextProposal[];
  maxPduLength: number | undefined;
  timeoutMs: number;
  clock: Clock;
  metrics: LoadMetrics;
  /** The answer a correct archive gives (with --store), cached per step by the run. */
  expected: ((step: FindStep, sopClassUid: string, negotiation: Uint8Array | undefined) => ExpectedAnswer | undefined) | undefined;
  /** Encoded identifiers, per step and transfer syntax, cached by the run. */
  identifiers: Map<FindStep, Map<string, Buffer>>;
  random: () => number;
}

/**
 * One session: an association running one script of the mix (C-ECHO, C-FIND with a C-CANCEL or
 * A-ABORT after K Pendings, waits), then A-RELEASE. Every latency, count and failure goes into
 * the run's metrics; a failure ends the session.
 */
export class LoadSession {
  private client: DimseClient | undefined;
  private end: AssociationEnd | undefined;
  private op: FindOperation | undefined;
  private stopMode: StopMode | undefined;
  private wakeStop: (() => void) | undefined;
  /** We ended the association ourselves (a step's A-ABORT, or a stop): what follows is not the peer's failure. */
  private selfAborted = false;
  private protocolSeen = false;
  /** A C-FIND answered differently from every answer the store permits: the session is not ok. */
  private wrongAnswer = false;

  constructor(
    private readonly ctx: SessionContext,
    private readonly script: SessionScript,
  ) {}

  /** Stops the session: abort at once, or cancel an outstanding C-FIND and release after it. */
  stop(mode: StopMode): void {
    if (this.stopMode === 'abort') return;
    this.stopMode = mode;
    this.wakeStop?.();
    if (mode === 'abort') {
      this.abortOwn();
    } else if (this.op && !this.op.done && this.client?.association.isEstablished) {
      // PS3.7 9.3.2.3: the SCP ends the C-FIND with FE00, then the release follows.
      this.op.cancel();
      this.ctx.metrics.count('c_cancel');
    }
  }

  async run(): Promise<boolean> {
    const m = this.ctx.metrics;
    m.count('sessions');
    m.inFlight++;
    let ok = true;
    try {
      for (const step of this.script.steps) {
        if (this.stopMode) break;
        if ('delayMs' in step) await this.delay(delayOf(step.delayMs, this.ctx.random));
        else if ('echo' in step) await this.echo();
        else if ('find' in step) await this.find(step.find);
        else if ('release' in step) await this.release();
        else if ('abort' in step) {
          const a = typeof step.abort === 'object' ? step.abort : {};
          if (this.client?.association.isEstablished) {
            this.selfAborted = true;
            this.client.association.abort(a.source ?? 0, a.reason ?? 0);
            m.count('aborts_sent');
          }
        }
      }
      if (this.stopMode === 'abort') this.abortOwn();
      else if (this.client?.association.isEstablished) await this.release();
    } catch (e) {
      ok = false;
      if (!this.selfAborted || !isAfterOwnAbort(e)) m.fail(failureKindOf(e, this.end), describeError(e));
      else ok = true;
      if (this.client?.association.isEstablished) this.abortOwn();
    } finally {
      m.inFlight--;
    }
    if (this.protocolSeen || this.wrongAnswer) ok = false;
    if (ok) m.count('sessions_ok');
    return ok;
  }

  /** A-ABORT (PS3.8 7.3), and the transport closed without waiting for the peer to. */
  private abortOwn(): void {
    if (!this.client?.association.isEstablished) return;
    this.selfAborted = true;
    this.client.association.abort();
    this.client.association.closeAfterAbort();
  }

  private violations(): EventSink<ClientEvent> {
    return {
      active: true,
      wants: (kind) => kind === 'violation',
      emit: (e) => {
        if (e.kind !== 'violation' || this.protocolSeen) return;
        // One protocol failure per session, with the first rule broken as its example.
        this.protocolSeen = true;
        this.ctx.metrics.fail('protocol', `${e.reference}: ${e.message}`);
      },
    };
  }

  private async connect(): Promise<DimseClient> {
    if (this.client?.association.isEstablished) return this.client;
    const c = this.ctx;
    const ms = c.timeoutMs;
    const t0 = c.clock.now();
    this.selfAborted = false;
    this.end = undefined;
    const client = await DimseClient.connect({
      host: c.host,
      port: c.port,
      calledAeTitle: c.calledAeTitle,
      callingAeTitle: c.callingAeTitle,
      presentationContexts: c.contexts,
      ...(c.maxPduLength !== undefined && { maxPduLength: c.maxPduLength }),
      timeouts: { connectMs: ms, associationRequestMs: ms, releaseMs: ms, artimMs: ms },
      dimseTimeoutMs: ms,
      closeAfterTimeout: true,
      clock: c.clock,
      events: this.violations(),
    });
    c.metrics.record('association', c.clock.now() - t0);
    c.metrics.count('associations');
    client.association.onEnd((end) => (this.end = end));
    this.client = client;
    // A stop that came while connecting.
    if (this.stopMode === 'abort') this.abortOwn();
    return client;
  }

  private async delay(ms: number): Promise<void> {
    await Promise.race([sleep(this.ctx.clock, ms), new Promise<void>((resolve) => (this.wakeStop = resolve))]);
    this.wakeStop = undefined;
  }

  private async echo(): Promise<void> {
    const client = await this.connect();
    const t0 = this.ctx.clock.now();
    this.ctx.metrics.count('c_echo');
    await client.echo();
    this.ctx.metrics.record('echo', this.ctx.clock.now() - t0);
  }

  private async release(): Promise<void> {
    const client = this.client;
    if (!client?.association.isEstablished) return;
    const t0 = this.ctx.clock.now();
    await client.release();
    this.ctx.metrics.record('release', this.ctx.clock.now() - t0);
  }

  private identifier(f: FindStep, tsUid: string): Buffer {
    let byTs = this.ctx.identifiers.get(f);
    if (!byTs) this.ctx.identifiers.set(f, (byTs = new Map()));
    let bytes = byTs.get(tsUid);
    if (!bytes) byTs.set(tsUid, (bytes = scuIdentifier(f.identifier ?? {}, f.level, f.invalid, transferSyntax(tsUid)!)));
    return bytes;
  }

  private async find(f: FindStep): Promise<void> {
    const client = await this.connect();
    const { clock, metrics } = this.ctx;
    const sop = FIND_MODELS[f.model as FindModel].sopClassUid;
    const pc = client.association.contextFor(sop);
    const ts = pc && transferSyntax(pc.transferSyntax);
    const identifier = pc && ts ? this.identifier(f, pc.transferSyntax) : Buffer.alloc(0);
    const negotiation = client.association.accept.extendedNegotiations.find((e) => e.sopClassUid === sop)?.applicationInformation;
    const expected = this.ctx.expected?.(f, sop, negotiation);
    const t0 = clock.now();
    // Throws DIMSE_NO_CONTEXT when the peer accepted no context for the model.
    const op = client.find(f.model as FindModel, identifier, { priority: PRIORITIES[f.priority ?? 'medium']! });
    this.op = op;
    metrics.count('c_find');
    let pendings = 0;
    let cancelledAt: number | undefined;
    let abortedByStep = false;
    const returned: string[] = [];
    const cancel = () => {
      if (cancelledAt !== undefined) return;
      op.cancel();
      cancelledAt = clock.now();
      metrics.count('c_cancel');
    };
    if (f.cancel?.after === 0) cancel();
    try {
      for await (const r of op) {
        if (!r.final) {
          pendings++;
          metrics.count('pendings');
          if (pendings === 1) metrics.record('first_pending', clock.now() - t0);
          if (expected) returned.push((r.identifier?.text(expected.uniqueKey) ?? '').trim());
          if (f.cancel?.after !== undefined && pendings === f.cancel.after) cancel();
          if (f.abortAfter !== undefined && pendings === f.abortAfter) {
            abortedByStep = true;
            this.selfAborted = true;
            client.association.abort();
            metrics.count('aborts_sent');
          }
          continue;
        }
        const now = clock.now();
        metrics.record('final', now - t0);
        metrics.final(r.status);
        if (cancelledAt !== undefined) metrics.record('cancel_to_fe00', now - cancelledAt);
        if (expected && r.status === 0x0000 && cancelledAt === undefined && !this.stopMode) {
          const difference = answerDifference(expected, returned);
          if (difference) {
            this.wrongAnswer = true;
            metrics.fail('wrong_answer', `${this.script.name}: ${difference}`);
          }
        }
      }
    } catch (e) {
      if (!abortedByStep) throw e;
    } finally {
      this.op = undefined;
    }
  }
}

/** The error an operation gets when the association it ran on was ended by our own A-ABORT. */
function isAfterOwnAbort(e: unknown): boolean {
  return e instanceof Error && 'code' in e && (e.code === 'DIMSE_ASSOCIATION_ENDED' || (e.code === 'UL_ASSOCIATION_ABORTED' && (e as { by?: string }).by === 'local'));
}
