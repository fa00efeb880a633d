import { sleep } from '../clock/clock.ts';
import { EventStream } from '../events/event-stream.ts';
import type { EventSink } from '../events/event-stream.ts';
import type { DataSet } from '../dataset/data-set.ts';
import { encodeDataSet } from '../dataset/encode.ts';
import { transferSyntax } from '../dataset/transfer-syntax.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { negotiatedFrom } from '../matching/negotiation.ts';
import { NONE_NEGOTIATED } from '../matching/query.ts';
import type { Negotiated } from '../matching/query.ts';
import { DimseClient } from '../scu/dimse-client.ts';
import type { ClientEvent } from '../scu/dimse-client.ts';
import type { FindResponse } from '../scu/find-operation.ts';
import type { ContextProposal, RequestorOptions } from '../ul/association/requestor.ts';
import { HarnessError } from '../wire/errors.ts';
import type { FindObserved } from './judge-find.ts';

/** The system under test, as the harness reaches it. */
export interface Target {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
  /** No check waits longer than this for a connection, an association or the next response. */
  timeoutMs: number;
  events?: EventSink<ClientEvent>;
}

/** The extended negotiation a check offers (PS3.4 C.5.1.1; K.5.1 for the worklist). */
export type Offer = Partial<Pick<Negotiated, 'relational' | 'dateTime' | 'fuzzy' | 'timezone' | 'emptyValue' | 'multipleValue'>>;

export function offerBytes(model: FindModel, offer: Offer): Uint8Array {
  const b = (v: boolean | undefined) => (v ? 1 : 0);
  if (model === 'mwl') return Uint8Array.of(1, 1, b(offer.fuzzy), b(offer.timezone));
  return Uint8Array.of(b(offer.relational), b(offer.dateTime), b(offer.fuzzy), b(offer.timezone), 0, b(offer.emptyValue), b(offer.multipleValue));
}

export const FIND_TRANSFER_SYNTAXES = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];

/** Requests an association with the target. Rejections, refusals and timeouts are returned, not thrown. */
export async function associate(target: Target, contexts: ContextProposal[], extra: Partial<RequestorOptions> & { events?: EventSink<ClientEvent> } = {}): Promise<{ client?: DimseClient; error?: HarnessError }> {
  try {
    const client = await DimseClient.connect({
      host: target.host,
      port: target.port,
      calledAeTitle: target.calledAeTitle,
      callingAeTitle: target.callingAeTitle,
      presentationContexts: contexts,
      dimseTimeoutMs: target.timeoutMs,
      timeouts: { connectMs: target.timeoutMs, associationRequestMs: target.timeoutMs, releaseMs: target.timeoutMs, artimMs: target.timeoutMs },
      ...(target.events && { events: target.events }),
      ...extra,
    });
    return { client };
  } catch (e) {
    if (e instanceof HarnessError) return { error: e };
    throw e;
  }
}

/** The association's answer for one model, as evidence. */
export function negotiationEvidence(client: DimseClient, sopClassUid: string, offered?: Uint8Array): Record<string, unknown> {
  const a = client.association;
  const proposed = a.request.presentationContexts.find((p) => p.abstractSyntax === sopClassUid);
  const result = a.accept.presentationContexts.find((p) => p.id === proposed?.id);
  const accepted = a.accept.extendedNegotiations.find((e) => e.sopClassUid === sopClassUid);
  return {
    sopClass: sopClassUid,
    context: result ? { id: result.id, result: result.result, transferSyntax: result.transferSyntax } : undefined,
    ...(offered && { extendedNegotiationOffered: [...offered], extendedNegotiationAccepted: accepted ? [...accepted.applicationInformation] : null }),
    peerMaxPduLength: a.peerMaxPduLength,
  };
}

export interface FindRun extends FindObserved {
  /** The association could not be made (unreachable, rejected, timed out): nothing to judge. */
  unreachable?: HarnessError;
  /** The archive did not accept the model's SOP class. */
  contextRejected?: { result: number } | undefined;
}

export interface FindRunOptions {
  model: FindModel;
  identifier: DataSet;
  offer?: Offer;
  priority?: number;
  /** Send C-CANCEL after this many Pendings (0: right after the request). */
  cancelAfter?: number;
  /** Send C-CANCEL once the final response is in (it must have no effect). */
  cancelAfterFinal?: boolean;
  /** After the final response, wait this long for anything more before going on. */
  graceMs?: number;
}

/** An association made for a check: the client, what the archive answered, and what it broke on the way. */
export interface FindSession {
  client?: DimseClient;
  unreachable?: HarnessError;
  contextRejected?: { result: number };
  negotiated: Negotiated;
  negotiation: Record<string, unknown>;
  /** Responses to nothing outstanding (PS3.7 9.3.2.4), as they happen. */
  violations: string[];
  /** PDU-length of every P-DATA-TF received. */
  pDataLengths: number[];
  /** What ended or endangered the association on our side (a PDU too long, an invalid PDU …), by code. */
  faults: { code: string; message: string }[];
}

/** Associates for one model (the model's FIND context, and Verification when asked), listening for stray responses. */
export async function openFindSession(target: Target, model: FindModel, o: { offer?: Offer; maxPduLength?: number; verification?: boolean } = {}): Promise<FindSession> {
  const sop = FIND_MODELS[model].sopClassUid;
  const offered = o.offer && Object.values(o.offer).some(Boolean) ? offerBytes(model, o.offer) : undefined;
  // Our own stream (forwarded to the target's) to hear of responses that answer nothing outstanding.
  const events = new EventStream<ClientEvent>();
  if (target.events) events.subscribe((e) => target.events!.emit(e));
  const session: FindSession = { negotiated: NONE_NEGOTIATED, negotiation: {}, violations: [], pDataLengths: [], faults: [] };
  events.subscribe((e) => e.kind === 'fault' && session.faults.push({ code: e.error.code, message: e.error.message }), ['fault']);
  events.subscribe((e) => e.kind === 'violation' && e.reference === 'PS3.7 9.3.2.4' && session.violations.push(e.message), ['violation']);
  events.subscribe((e) => e.kind === 'pdu:received' && e.raw[0] === 0x04 && e.raw.length >= 6 && session.pDataLengths.push(e.raw.readUInt32BE(2)), ['pdu:received']);
  const contexts = [{ abstractSyntax: sop, transferSyntaxes: FIND_TRANSFER_SYNTAXES }, ...(o.verification ? [{ abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }] : [])];
  const { client, error } = await associate(target, contexts, { events, ...(offered && { extendedNegotiations: [{ sopClassUid: sop, applicationInformation: offered }] }), ...(o.maxPduLength !== undefined && { maxPduLength: o.maxPduLength }) });
  if (!client) return { ...session, unreachable: error! };
  session.client = client;
  session.negotiation = negotiationEvidence(client, sop, offered);
  if (!client.association.contextFor(sop)) {
    session.contextRejected = { result: (session.negotiation.context as { result: number } | undefined)?.result ?? -1 };
    return session;
  }
  const accepted = client.association.accept.extendedNegotiations.find((e) => e.sopClassUid === sop);
  session.negotiated = negotiatedFrom(sop, accepted?.applicationInformation);
  return session;
}

export async function closeSession(s: FindSession): Promise<void> {
  if (s.client?.association.isEstablished) await s.client.release().catch(() => s.client!.abort());
}

/** One C-FIND on an open session: every response kept, cancels as asked, a grace period for stray responses. */
export async function findOn(s: FindSession, o: FindRunOptions): Promise<FindRun> {
  const client = s.client!;
  const ctx = client.association.contextFor(FIND_MODELS[o.model].sopClassUid)!;
  const before = s.violations.length;
  const responses: FindResponse[] = [];
  let failure: HarnessError | undefined;
  const ts = transferSyntax(ctx.transferSyntax)!;
  const op = client.find(o.model, encodeDataSet(o.identifier, ts), { ...(o.priority !== undefined && { priority: o.priority }) });
  if (o.cancelAfter === 0) op.cancel();
  try {
    for await (const r of op) {
      responses.push(r);
      if (!r.final && o.cancelAfter !== undefined && o.cancelAfter > 0 && responses.length === o.cancelAfter) op.cancel();
    }
  } catch (e) {
    if (!(e instanceof HarnessError)) throw e;
    failure = e;
  }
  if (o.cancelAfterFinal && client.association.isEstablished) op.cancel();
  // Anything more for this C-FIND after its final response breaks PS3.7 9.3.2.4: listen a moment.
  if (o.graceMs && client.association.isEstablished) await sleep(client.clock, o.graceMs);
  return {
    negotiated: s.negotiated,
    negotiation: s.negotiation,
    responses,
    violations: s.violations.slice(before),
    ...(failure && { error: { code: failure.code, message: failure.message } }),
    ...(o.cancelAfter !== undefined && { cancelled: true }),
  };
}

/**
 * One C-FIND on an association of its own: the model's SOP class proposed with Explicit and
 * Implicit VR Little Endian (and the extended negotiation the check needs), the identifier
 * encoded in the accepted transfer syntax, every response kept, then a release.
 */
export async function runFind(target: Target, o: FindRunOptions): Promise<FindRun> {
  const s = await openFindSession(target, o.model, { ...(o.offer && { offer: o.offer }) });
  if (s.unreachable) return { negotiated: NONE_NEGOTIATED, negotiation: {}, responses: [], unreachable: s.unreachable };
  if (s.contextRejected) {
    await closeSession(s);
    return { negotiated: NONE_NEGOTIATED, negotiation: s.negotiation, responses: [], contextRejected: s.contextRejected };
  }
  const run = await findOn(s, o);
  await closeSession(s);
  return run;
}

/** What the archive says of itself and accepts, from one association proposing every model. */
export interface Probe {
  implementationClassUid: string | undefined;
  implementationVersionName: string | undefined;
  /** The models whose FIND context it accepted. */
  models: FindModel[];
  /** Result per proposed model (0 accepted, 1-4 why not). */
  results: Record<string, number>;
  echo: number | undefined;
  maxPduLength: number | undefined;
}

/** Associates proposing every FIND model and Verification, echoes, releases: the identity of the system under test. */
export async function probe(target: Target): Promise<{ probe?: Probe; error?: HarnessError }> {
  const models = Object.keys(FIND_MODELS) as FindModel[];
  const { client, error } = await associate(target, [
    ...models.map((m) => ({ abstractSyntax: FIND_MODELS[m].sopClassUid, transferSyntaxes: FIND_TRANSFER_SYNTAXES })),
    { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] },
  ]);
  if (!client) return { error: error! };
  const a = client.association;
  const results: Record<string, number> = {};
  for (const m of models) {
    const id = a.request.presentationContexts.find((p) => p.abstractSyntax === FIND_MODELS[m].sopClassUid)!.id;
    results[m] = a.accept.presentationContexts.find((p) => p.id === id)?.result ?? -1;
  }
  let echo: number | undefined;
  if (a.contextFor(SopClass.Verification)) echo = await client.echo().then((r) => r.status, () => undefined);
  const out: Probe = {
    implementationClassUid: a.accept.implementationClassUid,
    implementationVersionName: a.accept.implementationVersionName,
    models: models.filter((m) => results[m] === 0),
    results,
    echo,
    maxPduLength: a.accept.maxPduLength,
  };
  if (a.isEstablished) await client.release().catch(() => client.abort());
  return { probe: out };
}
