import type { DataSetInput } from '../dataset/data-set.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { describeStatus } from '../dimse/status.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import type { DimseClient } from '../scu/dimse-client.ts';
import type { DataSet } from '../dataset/data-set.ts';
import type { Entity } from '../store/entities.ts';
import type { Store } from '../store/store.ts';
import { sameValue, showDeclared } from './values.ts';
import { HarnessError } from '../wire/errors.ts';
import { identityOf } from './oracle.ts';
import { associate, FIND_TRANSFER_SYNTAXES } from './target.ts';
import type { Target } from './target.ts';

/** Whether the archive holds exactly the declared data: the precondition of every matching verdict. */
export interface CensusPart {
  ok: boolean;
  problems: string[];
  /** False when this part could not be taken (model not accepted, worklist not loadable): its checks are n/a. */
  taken: boolean;
}

export interface CensusReport extends CensusPart {
  found: { patients: number; studies: number; series: number; instances: number };
  worklist: CensusPart;
  ms: number;
}

class CensusQueryError extends Error {}

const universal = (level: string) => Object.fromEntries(CENSUS_KEYS[level]!.map((k) => [k, '']));

async function ask(client: DimseClient, model: FindModel, identifier: DataSetInput, what: string): Promise<DataSet[]> {
  const out = [];
  let final: number | undefined;
  try {
    for await (const r of client.find(model, identifier)) {
      if (r.final) final = r.status;
      else if (r.identifier) out.push(r.identifier);
    }
  } catch (e) {
    if (e instanceof HarnessError) throw new CensusQueryError(`${what}: ${e.message}`);
    throw e;
  }
  if (final !== 0) throw new CensusQueryError(`${what}: the archive answered ${describeStatus(final ?? -1)}`);
  return out;
}

/** The values the queries match on, as the census asks for them at each level (a value the archive changed on storage would make every verdict on it wrong). */
const CENSUS_KEYS: Record<string, string[]> = {
  PATIENT: ['PatientName', 'PatientBirthDate', 'PatientSex'],
  STUDY: ['StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyDescription'],
  SERIES: ['Modality', 'SeriesNumber'],
  IMAGE: ['InstanceNumber'],
};

/** A value the archive returns (non-empty) that is not the declared one. */
function changedValues(ds: DataSet, entity: Entity | undefined, level: string, store: Store, problems: string[], what: string): void {
  if (!entity) return;
  const keys = [...CENSUS_KEYS[level]!, ...(level === 'STUDY' && entity.parent ? CENSUS_KEYS.PATIENT! : [])];
  for (const kw of keys) {
    const got = ds.values(kw);
    if (!got || got.every((v) => v === '')) continue;
    const owner = entity.level === 'STUDY' && CENSUS_KEYS.PATIENT!.includes(kw) ? entity.parent! : entity;
    const declared = store.value(owner, kw);
    if (!sameValue(kw, declared, got)) problems.push(`${what}: ${kw} is "${got.join('\\')}" in the archive, "${showDeclared(declared)}" in the data set`);
  }
}

function compare(kind: string, declared: Map<string, string>, found: Map<string, string>, parentWord: string, problems: string[]): void {
  for (const [id, parent] of declared) {
    if (!found.has(id)) problems.push(`${kind} ${id} is missing`);
    else if (found.get(id) !== parent) problems.push(`${kind} ${id} is under ${parentWord} ${found.get(id)}, not ${parent}`);
  }
  for (const id of found.keys()) if (!declared.has(id)) problems.push(`${kind} ${id} is not in the data set`);
}

/**
 * Queries every level of the archive (baseline hierarchical queries, which every C-FIND SCP must
 * answer: PS3.4 C.4.1.3.1) and compares what it holds with the declared store, entity by entity:
 * patients, studies under their patients, series under their studies, instances under their
 * series, and — when the worklist model is accepted and its items were loaded — the worklist.
 */
export async function takeCensus(target: Target, store: Store, o: { worklistLoaded: boolean; queryRetrieve?: boolean; worklist?: boolean }): Promise<CensusReport> {
  const t0 = performance.now();
  const report: CensusReport = { ok: false, taken: false, problems: [], found: { patients: 0, studies: 0, series: 0, instances: 0 }, worklist: { ok: false, taken: false, problems: [] }, ms: 0 };
  const { client, error } = await associate(target, [
    { abstractSyntax: SopClass.StudyRootQueryRetrieveFind, transferSyntaxes: FIND_TRANSFER_SYNTAXES },
    { abstractSyntax: SopClass.PatientRootQueryRetrieveFind, transferSyntaxes: FIND_TRANSFER_SYNTAXES },
    { abstractSyntax: SopClass.ModalityWorklistFind, transferSyntaxes: FIND_TRANSFER_SYNTAXES },
    { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] },
  ]);
  if (!client) {
    report.problems.push(`no association for the census: ${error!.message}`);
    report.worklist.problems.push(report.problems[0]!);
    report.ms = performance.now() - t0;
    return report;
  }
  try {
    const has = (m: FindModel) => client.association.contextFor(FIND_MODELS[m].sopClassUid) !== undefined;
    const model: FindModel | undefined = has('study') ? 'study' : has('patient') ? 'patient' : undefined;
    if (o.queryRetrieve === false) report.problems.push('the Query/Retrieve models are not judged in this run (--models)');
    else if (!model) report.problems.push('the archive accepted neither Study Root nor Patient Root FIND: the Query/Retrieve checks do not apply');
    else {
      report.taken = true;
      const studies = new Map<string, string>();
      const declaredStudies = new Map([...store.studies()].map((s) => [s.values.StudyInstanceUID as string, s.parent!.values.PatientID as string]));
      const patientIds = new Set<string>();
      if (model === 'study') {
        for (const ds of await ask(client, 'study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', PatientID: '', ...universal('STUDY'), ...universal('PATIENT') }, 'every study')) {
          const uid = ds.text('StudyInstanceUID') ?? '';
          studies.set(uid, ds.text('PatientID') ?? '');
          changedValues(ds, store.byUniqueKey('STUDY', uid), 'STUDY', store, report.problems, `study ${uid}`);
        }
        for (const p of studies.values()) patientIds.add(p);
      } else {
        for (const ds of await ask(client, 'patient', { QueryRetrieveLevel: 'PATIENT', PatientID: '', ...universal('PATIENT') }, 'every patient')) {
          const pid = ds.text('PatientID') ?? '';
          patientIds.add(pid);
          changedValues(ds, store.patientsWithId(pid)[0], 'PATIENT', store, report.problems, `patient ${pid}`);
        }
        for (const pid of patientIds) {
          for (const ds of await ask(client, 'patient', { QueryRetrieveLevel: 'STUDY', PatientID: pid, StudyInstanceUID: '', ...universal('STUDY') }, `the studies of patient ${pid}`)) {
            const uid = ds.text('StudyInstanceUID') ?? '';
            studies.set(uid, pid);
            changedValues(ds, store.byUniqueKey('STUDY', uid), 'STUDY', store, report.problems, `study ${uid}`);
          }
        }
      }
      report.found.patients = patientIds.size;
      report.found.studies = studies.size;
      const declaredPatients = new Set(store.patients.map((p) => p.values.PatientID as string));
      for (const p of declaredPatients) if (!patientIds.has(p) && store.patientsWithId(p)[0]!.children.length > 0) report.problems.push(`patient ${p} is missing`);
      for (const p of patientIds) if (!declaredPatients.has(p)) report.problems.push(`patient ${p} is not in the data set`);
      compare('study', declaredStudies, studies, 'patient', report.problems);
      for (const [uid, pid] of studies) {
        const study = store.byUniqueKey('STUDY', uid);
        if (!study) continue;
        const base = model === 'study' ? { StudyInstanceUID: uid } : { PatientID: pid, StudyInstanceUID: uid };
        const series = new Map<string, string>();
        for (const ds of await ask(client, model, { QueryRetrieveLevel: 'SERIES', ...base, SeriesInstanceUID: '', ...universal('SERIES') }, `the series of study ${uid}`)) {
          const seUid = ds.text('SeriesInstanceUID') ?? '';
          series.set(seUid, uid);
          changedValues(ds, store.byUniqueKey('SERIES', seUid), 'SERIES', store, report.problems, `series ${seUid}`);
        }
        report.found.series += series.size;
        compare('series', new Map(study.children.map((se) => [se.values.SeriesInstanceUID as string, uid])), series, 'study', report.problems);
        for (const seUid of series.keys()) {
          const se = store.byUniqueKey('SERIES', seUid);
          if (!se) continue;
          const instances = new Map<string, string>();
          for (const ds of await ask(client, model, { QueryRetrieveLevel: 'IMAGE', ...base, SeriesInstanceUID: seUid, SOPInstanceUID: '', ...universal('IMAGE') }, `the instances of series ${seUid}`)) {
            const iUid = ds.text('SOPInstanceUID') ?? '';
            instances.set(iUid, seUid);
            changedValues(ds, store.byUniqueKey('IMAGE', iUid), 'IMAGE', store, report.problems, `instance ${iUid}`);
          }
          report.found.instances += instances.size;
          compare('instance', new Map(se.children.map((i) => [i.values.SOPInstanceUID as string, seUid])), instances, 'series', report.problems);
        }
      }
      report.ok = report.problems.length === 0;
    }
    if (o.worklist === false) report.worklist.problems.push('the worklist is not judged in this run (--models)');
    else if (!has('mwl')) report.worklist.problems.push('the archive did not accept the Modality Worklist FIND presentation context');
    else if (!o.worklistLoaded) report.worklist.problems.push('worklist items cannot be sent with C-STORE: write them with `qr-harness store export`, give them to the archive, and run with --store');
    else {
      report.worklist.taken = true;
      const found = new Set<string>();
      for (const ds of await ask(client, 'mwl', { PatientID: '', ScheduledProcedureStepSequence: [{ ScheduledProcedureStepID: '' }] }, 'every worklist item')) found.add(ds.items('ScheduledProcedureStepSequence')?.[0]?.text('ScheduledProcedureStepID') ?? '');
      const declared = new Set(store.worklist.map((w) => identityOf(w, 'WORKLIST')));
      for (const id of declared) if (!found.has(id)) report.worklist.problems.push(`worklist item ${id} is missing`);
      for (const id of found) if (!declared.has(id)) report.worklist.problems.push(`worklist item ${id || '(without a Scheduled Procedure Step ID)'} is not in the data set`);
      report.worklist.ok = report.worklist.problems.length === 0;
    }
  } catch (e) {
    if (!(e instanceof CensusQueryError)) throw e;
    report.ok = false;
    report.problems.push(`the census could not be taken: ${e.message}`);
  } finally {
    if (client.association.isEstablished) await client.release().catch(() => client.abort());
  }
  report.ms = performance.now() - t0;
  return report;
}
