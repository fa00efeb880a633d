import path from 'node:path';
import { sleep, systemClock } from '../clock/clock.ts';
import type { Clock } from '../clock/clock.ts';
import type { EventSink } from '../events/event-stream.ts';
import { DataSet } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { answerFindExtendedNegotiation } from '../matching/negotiation.ts';
import { parseOffset } from '../matching/timezone.ts';
import { PROFILES, STRICT } from '../matching/profile.ts';
import { wildcardRegExp } from '../matching/rules.ts';
import type { FindHandler, FindRequest, FindResult } from '../scp/find-service.ts';
import { Scp } from '../scp/scp.ts';
import type { ScpEvent } from '../scp/scp.ts';
import type { NegotiationDecision, SupportedContext } from '../ul/association/negotiation.ts';
import type { AssociateRequest } from '../ul/association/parameters.ts';
import { storeFindHandler } from '../scp/handlers/store.ts';
import { delayOf, respond } from './respond.ts';
import type { AssociationRule, Behaviour, Scenario } from './types.ts';

const SOP_BY_NAME: Record<string, string> = {
  PatientRoot: SopClass.PatientRootQueryRetrieveFind,
  StudyRoot: SopClass.StudyRootQueryRetrieveFind,
  PatientStudyOnly: SopClass.PatientStudyOnlyQueryRetrieveFind,
  ModalityWorklist: SopClass.ModalityWorklistFind,
  Verification: SopClass.Verification,
};
const TS_BY_NAME: Record<string, string> = {
  ImplicitVRLittleEndian: TransferSyntax.ImplicitVRLittleEndian,
  ExplicitVRLittleEndian: TransferSyntax.ExplicitVRLittleEndian,
  ExplicitVRBigEndian: TransferSyntax.ExplicitVRBigEndian,
};
export const sopClassUid = (name: string): string => SOP_BY_NAME[name] ?? name;
export const transferSyntaxUid = (name: string): string => TS_BY_NAME[name] ?? name;

/** AE titles and values in `when` use the matching syntax: * and ? are wild cards. */
function fits(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (pattern === '' || pattern === '*') return value !== undefined;
  return value !== undefined && wildcardRegExp(pattern, false).test(value.trim());
}

/** A deterministic pseudo-random source, per SCP, for random delays. */
function random(seed = 7433): () => number {
  let s = seed;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export interface ScenarioScpOptions {
  events?: EventSink<ScpEvent>;
  clock?: Clock;
  /** Timeouts that win over the scenario's (serve --artim / --idle given explicitly). */
  timeouts?: { artimMs?: number; idleMs?: number };
}

/**
 * Builds the SCP a scenario describes: its association rules (reject with any result/source/
 * reason, delay, never answer, force context results, a different maximum PDU, abort or release
 * afterwards) and its C-FIND behaviours (first match wins; state that advances across requests),
 * answering from the scenario's store by default.
 */
export function scpFromScenario(s: Scenario, o: ScenarioScpOptions = {}): Scp {
  const c = s.scp;
  if (!c) throw new Error(`scenario "${s.name}" has no scp section`);
  const clock = o.clock ?? systemClock;
  const profile = c.profile ? PROFILES[c.profile]! : STRICT;
  /** The rule that accepted each association, for what it asks after the A-ASSOCIATE-AC. */
  const acceptedBy = new WeakMap<AssociateRequest, AssociationRule>();
  const rnd = random();
  const sopClasses = (c.sopClasses ?? ['PatientRoot', 'StudyRoot', 'PatientStudyOnly', 'ModalityWorklist', 'Verification']).map(sopClassUid);
  const transferSyntaxes = (c.transferSyntaxes ?? ['ExplicitVRLittleEndian', 'ImplicitVRLittleEndian', 'ExplicitVRBigEndian']).map(transferSyntaxUid);
  const contexts: SupportedContext[] = sopClasses.filter((u) => u !== SopClass.Verification).map((u) => ({ abstractSyntax: u, transferSyntaxes }));
  const state = { name: 'start', associations: 0 };
  const counters = new Map<Behaviour, { seen: number; answered: number }>();
  const ruleHits = new Map<AssociationRule, number>();
  const retrieveAe = c.retrieveAeTitle ?? c.aeTitle;
  const ext = c.extendedNegotiation ?? { relational: true, datetime: true, fuzzy: true, timezone: true, emptyValue: true, multipleValue: true };
  const answerExt = answerFindExtendedNegotiation({
    relational: ext.relational ?? false,
    dateTime: ext.datetime ?? false,
    fuzzy: ext.fuzzy ?? false,
    timezone: ext.timezone ?? false,
    emptyValue: ext.emptyValue ?? false,
    multipleValue: ext.multipleValue ?? false,
  });

  const decide = (rq: AssociateRequest, computed: NegotiationDecision): NegotiationDecision | Promise<NegotiationDecision> => {
    state.associations++;
    // PS3.8 Table 9-21: calling AE title not recognized (1/1/3); the allow-list takes patterns.
    if (computed.kind === 'accept' && c.callingAeTitles && !c.callingAeTitles.some((p) => fits(p, rq.callingAeTitle))) {
      computed = { kind: 'reject', reject: { result: 1, source: 1, reason: 3 } };
    }
    const rule = (c.association ?? []).find((r) => {
      if (!fits(r.when?.callingAeTitle, rq.callingAeTitle) || !fits(r.when?.calledAeTitle, rq.calledAeTitle)) return false;
      const n = (ruleHits.get(r) ?? 0) + 1;
      ruleHits.set(r, n);
      return r.when?.nth === undefined || r.when.nth === n;
    });
    if (!rule) return computed;
    if (rule.reject) {
      const d: NegotiationDecision = { kind: 'reject', reject: { result: rule.reject.result, source: rule.reject.source, reason: rule.reject.reason } };
      const wait = delayOf(rule.reject.delayMs, rnd);
      return wait > 0 ? sleep(clock, wait).then(() => d) : d;
    }
    const a = rule.accept!;
    acceptedBy.set(rq, rule);
    if (a.never) return new Promise<NegotiationDecision>(() => {});
    let d = computed;
    if (d.kind === 'accept') {
      const accept = { ...d.accept };
      if (a.maxPduLength !== undefined) accept.maxPduLength = a.maxPduLength;
      if (a.contexts) {
        const forced = new Map(Object.entries(a.contexts).map(([k, v]) => [sopClassUid(k), v]));
        accept.presentationContexts = accept.presentationContexts.map((pc) => {
          const abstract = rq.presentationContexts.find((p) => p.id === pc.id)?.abstractSyntax;
          const r = abstract === undefined ? undefined : forced.get(abstract);
          return r === undefined ? pc : { ...pc, result: r };
        });
      }
      d = { kind: 'accept', accept };
    }
    const wait = delayOf(a.delayMs, rnd);
    return wait > 0 ? sleep(clock, wait).then(() => d) : d;
  };

  const afterAccept = (association: import('../ul/association/association.ts').Association) => {
    const a = acceptedBy.get(association.request)?.accept;
    if (a?.abortAfterMs !== undefined) clock.setTimeout(() => association.isEstablished && association.abort(a.abort?.source ?? 0, a.abort?.reason ?? 0), a.abortAfterMs);
    if (a?.releaseAfterMs !== undefined) clock.setTimeout(() => void (association.isEstablished && association.release().catch(() => {})), a.releaseAfterMs);
  };

  const handler: FindHandler = (request) => {
    const behaviour = select(request);
    const matches = () => fromStore(request) as Iterable<FindResult>;
    const encode = (i: Record<string, unknown>) => encodeDataSet(DataSet.from(withCharset(i) as never, { littleEndian: request.transferSyntax.littleEndian }), request.transferSyntax);
    const ctx = { request, matches, encode, random: rnd, clock, scenarioDir: path.dirname(s.file) };
    if (!behaviour) return answerFromStore(request);
    if (behaviour.setState !== undefined) state.name = behaviour.setState;
    return respond(behaviour.respond, ctx);
  };

  const fromStore = storeFindHandler(s.store, { profile, retrieveAeTitle: retrieveAe, storeOffset: parseOffset(c.timezone ?? '+0000') ?? 0 });
  /** No behaviour applies: the store answers (failures included), and a C-CANCEL is honoured. */
  async function* answerFromStore(request: FindRequest): AsyncIterable<FindResult> {
    for await (const r of fromStore(request) as Iterable<FindResult>) {
      if (request.isCancelled) {
        yield [0xfe00, null];
        return;
      }
      yield r;
    }
  }

  function select(request: FindRequest): Behaviour | undefined {
    for (const b of c!.behaviours ?? []) {
      const w = b.when ?? {};
      if (w.state !== undefined && w.state !== state.name) continue;
      if (w.model !== undefined && w.model !== request.model) continue;
      if (w.level !== undefined && request.identifier.text('QueryRetrieveLevel') !== w.level) continue;
      if (!fits(w.callingAeTitle, request.association.callingAeTitle)) continue;
      if (w.identifier && !Object.entries(w.identifier).every(([k, v]) => fits(String(v ?? ''), request.identifier.text(k)))) continue;
      if (w.missing && w.missing.some((k) => request.identifier.has(k))) continue;
      const count = counters.get(b) ?? { seen: 0, answered: 0 };
      counters.set(b, count);
      count.seen++;
      if (w.nth !== undefined && count.seen !== w.nth) continue;
      if (b.times !== undefined && count.answered >= b.times) continue;
      count.answered++;
      return b;
    }
    return undefined;
  }

  return new Scp({
    aeTitle: c.aeTitle,
    contexts,
    find: { handler, honourCancel: false, sopClasses: [], ...(c.writeAhead !== undefined && { writeAhead: c.writeAhead }) },
    policy: {
      maxPduLength: c.maxPduLength ?? 16384,
      decide,
      extendedNegotiation: answerExt,
    },
    ...((c.timeouts || o.timeouts) && { timeouts: { ...c.timeouts, ...o.timeouts } }),
    ...(o.events && { events: o.events }),
    ...(o.clock && { clock: o.clock }),
    onAssociation: afterAccept,
  });
}

/** Scripted identifiers with text outside ASCII and no Specific Character Set are sent as UTF-8 (ISO_IR 192). */
function withCharset(identifier: Record<string, unknown>): Record<string, unknown> {
  if (identifier.SpecificCharacterSet !== undefined || identifier['(0008,0005)'] !== undefined) return identifier;
  return /[^\x00-\x7f]/.test(JSON.stringify(identifier)) ? { SpecificCharacterSet: 'ISO_IR 192', ...identifier } : identifier;
}
