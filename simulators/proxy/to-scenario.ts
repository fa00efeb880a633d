import { stringify } from 'yaml';
import type { DataSet } from '../dataset/data-set.ts';
import { CommandField } from '../dimse/command-fields.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { statusClass } from '../dimse/status.ts';
import { DERIVED, levelOfAttribute, NON_KEY_ATTRIBUTES } from '../store/levels.ts';
import type { ObserverEvent } from './events.ts';

/**
 * A recorded field session as a scenario file: our SCP plays the archive, each recorded C-FIND
 * answered as the archive answered it — the same Pendings with the same identifiers and gaps,
 * the same final status and Error Comment, a C-CANCEL treated as it was — so that
 * `serve --scenario` replays the session offline to the same client.
 */
type Message = Extract<ObserverEvent, { kind: 'message' }>;

const MODEL_BY_UID = new Map<string, FindModel>(Object.entries(FIND_MODELS).map(([k, m]) => [m.sopClassUid, k as FindModel]));
const hex = (n: number) => n.toString(16).padStart(4, '0').toUpperCase();

export interface RecordedFind {
  connection: string;
  callingAeTitle: string;
  calledAeTitle: string;
  model: FindModel;
  request: DataSet | undefined;
  requestAt: number;
  cancelAt: number | undefined;
  pendings: { t: number; identifier: DataSet | undefined; status: number }[];
  final: { t: number; status: number; errorComment?: string; offendingElement?: number[] } | undefined;
}

/** Every C-FIND of the recording with the archive's answers, in the order the client sent them. */
export function recordedFinds(events: readonly ObserverEvent[]): RecordedFind[] {
  const finds: RecordedFind[] = [];
  const open = new Map<string, RecordedFind>();
  for (const e of events) {
    if (e.kind !== 'message') continue;
    const m = e as Message;
    const c = m.command;
    const key = (id: number | undefined) => `${m.connection}/${id}`;
    if (m.dir === 'c2s' && c.CommandField === CommandField.C_FIND_RQ) {
      const model = MODEL_BY_UID.get(c.AffectedSOPClassUID ?? '');
      if (!model) continue;
      const f: RecordedFind = { connection: m.connection, callingAeTitle: m.from, calledAeTitle: m.to, model, request: m.identifier, requestAt: m.t, cancelAt: undefined, pendings: [], final: undefined };
      finds.push(f);
      open.set(key(c.MessageID), f);
    } else if (m.dir === 'c2s' && c.CommandField === CommandField.C_CANCEL_RQ) {
      const f = open.get(key(c.MessageIDBeingRespondedTo));
      if (f && f.cancelAt === undefined) f.cancelAt = m.t;
    } else if (m.dir === 's2c' && c.CommandField === CommandField.C_FIND_RSP && c.Status !== undefined) {
      const f = open.get(key(c.MessageIDBeingRespondedTo));
      if (!f || f.final) continue;
      if (statusClass(c.Status) === 'Pending') f.pendings.push({ t: m.t, identifier: m.identifier, status: c.Status });
      else f.final = { t: m.t, status: c.Status, ...(c.ErrorComment && { errorComment: c.ErrorComment }), ...(c.OffendingElement?.length && { offendingElement: c.OffendingElement }) };
    }
  }
  return finds;
}

/** Values a `when` can match literally: no wild card, range or list in the request's value. */
function literalKeys(request: DataSet | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!request) return out;
  for (const [k, v] of Object.entries(request.toObject())) {
    if (k === 'SpecificCharacterSet' || k === 'QueryRetrieveLevel' || typeof v !== 'string' || v === '') continue;
    if (/[*?\\]/.test(v) || (/^(?:\d*-\d*)$/.test(v) && v.includes('-'))) continue;
    out[k] = v;
  }
  return out;
}

const ms = (x: number) => Math.max(0, Math.round(x));

/** The scenario (as YAML text) that answers each recorded C-FIND as the archive did. */
export function scenarioFromRecording(events: readonly ObserverEvent[], o: { name?: string; source?: string } = {}): { yaml: string; finds: number } {
  const finds = recordedFinds(events);
  const aeTitle = finds[0]?.calledAeTitle ?? 'QRSCP';
  const seen = new Map<string, number>();
  const behaviours = finds.map((f, i) => {
    const level = f.request?.text('QueryRetrieveLevel');
    const identifier = literalKeys(f.request);
    const when = { model: f.model, ...(level && ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'].includes(level) && { level }), ...(Object.keys(identifier).length && { identifier }) };
    // The same request twice: the n-th time gets the n-th recorded answer.
    const sig = JSON.stringify(when);
    const nth = (seen.get(sig) ?? 0) + 1;
    seen.set(sig, nth);
    const respond: Record<string, unknown>[] = [];
    // C-CANCEL as the archive treated it: n more Pendings then FE00, or ignored to the end (PS3.4 C.4.1.3.1 leaves the timing open).
    if (f.cancelAt !== undefined) {
      const after = f.pendings.filter((p) => p.t > f.cancelAt!).length;
      respond.push({ cancel: f.final?.status === 0xfe00 ? { after } : 'ignore' });
    }
    let last = f.requestAt;
    const honoured = f.cancelAt !== undefined && f.final?.status === 0xfe00;
    for (const p of f.pendings) {
      respond.push({ pending: [p.identifier ? p.identifier.toObject() : {}], ...(p.status !== 0xff00 && { status: hex(p.status) }), firstDelayMs: ms(p.t - last) });
      last = p.t;
    }
    if (honoured) {
      // The replayed client's C-CANCEL brings the FE00; should it never come, the stream ends as recorded.
      respond.push({ final: 'FE00' });
    } else if (f.final) {
      if (f.final.t - last >= 1) respond.push({ delayMs: ms(f.final.t - last) });
      respond.push({ final: hex(f.final.status), ...(f.final.errorComment && { errorComment: f.final.errorComment }), ...(f.final.offendingElement && { offendingElement: f.final.offendingElement.map((t) => `(${(t >>> 16).toString(16).padStart(4, '0')},${(t & 0xffff).toString(16).padStart(4, '0')})`) }) });
    } else respond.push({ abort: true });
    return {
      name: `recorded C-FIND ${i + 1} (connection ${f.connection}, "${f.callingAeTitle}" → "${f.calledAeTitle}"${f.cancelAt !== undefined ? `, cancelled after ${ms(f.cancelAt - f.requestAt)} ms` : ''})`,
      when: { ...when, ...(nth > 1 && { nth }) },
      respond,
    };
  });
  const store = storeFromAnswers(finds);
  const scenario = {
    name: o.name ?? `recorded session with ${aeTitle}`,
    description: `Replays ${finds.length} C-FIND(s) recorded by qr-harness proxy${o.source ? ` (${o.source})` : ''}: the archive's Pendings, gaps, final statuses and C-CANCEL handling, request by request.`,
    ...(store.patients.length && { store: { patients: store.patients } }),
    scp: { aeTitle, behaviours },
  };
  const header = `# Written by qr-harness proxy --to-scenario from a recording; replay it with: qr-harness serve --scenario THIS_FILE\n# The store holds the entities the archive returned${store.unplaced ? ` (${store.unplaced} answer(s) left out: their place in the hierarchy was not in any answer)` : ''}; each recorded C-FIND is answered as recorded.\n`;
  return { yaml: header + stringify(scenario, { lineWidth: 0 }), finds: finds.length };
}

type Entity = Record<string, unknown>;
const UID_OF = { PATIENT: 'PatientID', STUDY: 'StudyInstanceUID', SERIES: 'SeriesInstanceUID', IMAGE: 'SOPInstanceUID' } as const;

/**
 * A store of the entities the archive returned (Query/Retrieve answers only): each answer's
 * attributes placed at their level (PS3.4 C.6), entities linked by the unique keys the answers
 * carry. Derived attributes, non-key attributes and zero-length values are left out; an answer
 * whose parents no answer names cannot be placed and is counted.
 */
export function storeFromAnswers(finds: readonly RecordedFind[]): { patients: Entity[]; unplaced: number } {
  const patients = new Map<string, Entity>();
  const studies = new Map<string, { entity: Entity; patient: string }>();
  const series = new Map<string, { entity: Entity; study: string }>();
  const instances = new Map<string, { entity: Entity; series: string }>();
  const answers: Record<string, unknown>[] = [];
  for (const f of finds) if (f.model !== 'mwl') for (const p of f.pendings) if (p.identifier) answers.push(p.identifier.toObject());
  const take = (into: Entity, a: Record<string, unknown>, level: string) => {
    for (const [k, v] of Object.entries(a)) {
      if (v === '' || v === undefined || (Array.isArray(v) && !v.length) || DERIVED.has(k) || NON_KEY_ATTRIBUTES.has(k)) continue;
      if ((levelOfAttribute(k) ?? 'IMAGE') === level && !(k in into)) into[k] = v;
    }
  };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  // Two passes: links first (any answer may name a parent another answer lacks), then entities.
  const studyPatient = new Map<string, string>();
  const seriesStudy = new Map<string, string>();
  const instanceSeries = new Map<string, string>();
  for (const a of answers) {
    const [p, st, se, im] = [str(a.PatientID), str(a.StudyInstanceUID), str(a.SeriesInstanceUID), str(a.SOPInstanceUID)];
    if (st && p) studyPatient.set(st, p);
    if (se && st) seriesStudy.set(se, st);
    if (im && se) instanceSeries.set(im, se);
  }
  let unplaced = 0;
  for (const a of answers) {
    const im = str(a.SOPInstanceUID);
    const se = str(a.SeriesInstanceUID) ?? (im && instanceSeries.get(im));
    const st = str(a.StudyInstanceUID) ?? (se && seriesStudy.get(se));
    const p = str(a.PatientID) ?? (st && studyPatient.get(st));
    if (!p || (se && !st) || (im && !se)) {
      unplaced++;
      continue;
    }
    let patient = patients.get(p);
    if (!patient) patients.set(p, (patient = { [UID_OF.PATIENT]: p, studies: [] }));
    take(patient, a, 'PATIENT');
    if (!st) continue;
    let study = studies.get(st);
    if (!study) {
      study = { entity: { [UID_OF.STUDY]: st, series: [] }, patient: p };
      studies.set(st, study);
      (patient.studies as Entity[]).push(study.entity);
    }
    take(study.entity, a, 'STUDY');
    if (!se) continue;
    let s = series.get(se);
    if (!s) {
      s = { entity: { [UID_OF.SERIES]: se, instances: [] }, study: st };
      series.set(se, s);
      (study.entity.series as Entity[]).push(s.entity);
    }
    take(s.entity, a, 'SERIES');
    if (!im) continue;
    let i = instances.get(im);
    if (!i) {
      i = { entity: { [UID_OF.IMAGE]: im }, series: se };
      instances.set(im, i);
      (s.entity.instances as Entity[]).push(i.entity);
    }
    take(i.entity, a, 'IMAGE');
  }
  // Empty child lists say nothing: leave them out.
  for (const pt of patients.values()) {
    for (const st of pt.studies as Entity[]) {
      for (const se of st.series as Entity[]) if (!(se.instances as Entity[]).length) delete se.instances;
      if (!(st.series as Entity[]).length) delete st.series;
    }
    if (!(pt.studies as Entity[]).length) delete pt.studies;
  }
  return { patients: [...patients.values()], unplaced };
}
