import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import type { DataSet } from '../dataset/data-set.ts';
import { entryForTag } from '../dataset/dictionary.ts';
import { readPart10 } from '../dataset/part10.ts';
import { MODALITY_WORKLIST_SOP_CLASS } from './instances.ts';
import type { AttrValue, Entity, Item, Level, Values } from './entities.ts';
import { UNIQUE_KEY } from './entities.ts';
import { levelOfAttribute } from './levels.ts';
import type { Store } from './store.ts';
import { StoreError } from './store.ts';

export interface FolderReport {
  files: number;
  loaded: number;
  /** Files read as Modality Worklist items (PS3.4 K.6.1). */
  worklist: number;
  /** Files that are not DICOM Part 10 or lack a unique key, with why. */
  skipped: { file: string; reason: string }[];
}

type JsonElement = { vr: string; Value?: unknown[] };

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

function text(vr: string, v: unknown): string {
  if (vr === 'PN' && v && typeof v === 'object') {
    const pn = v as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
    return [pn.Alphabetic ?? '', pn.Ideographic, pn.Phonetic].filter((x, i) => i === 0 || x !== undefined).join('=').replace(/=+$/, '');
  }
  return v === null || v === undefined ? '' : String(v);
}

function convert(dict: Record<string, JsonElement>): { values: Values; charset: string | undefined } {
  const values: Values = {};
  let charset: string | undefined;
  for (const [hex, el] of Object.entries(dict)) {
    const tag = parseInt(hex, 16) >>> 0;
    if (tag >>> 16 === 0x0002 || tag >= 0x7fe00000) continue;
    const entry = entryForTag(tag);
    if (!entry) continue;
    const items = el.Value ?? [];
    if (el.vr === 'SQ') {
      values[entry.keyword] = items.map((i) => convert(i as Record<string, JsonElement>).values as Item);
      continue;
    }
    if (!TEXT_VRS.has(el.vr)) continue;
    const strings = items.map((v) => text(el.vr, v));
    const value: AttrValue = strings.length <= 1 ? (strings[0] ?? '') : strings;
    if (entry.keyword === 'SpecificCharacterSet') charset = strings.join('\\');
    else values[entry.keyword] = value;
  }
  return { values, charset };
}

/** Our codec's data set as store values: text decoded with its character set, sequences as items, binary values left out. */
function valuesOf(ds: DataSet): { values: Values; charset: string | undefined } {
  const values: Values = {};
  for (const e of ds.elements()) {
    const entry = entryForTag(e.tag);
    if (!entry || e.tag >>> 16 === 0x0002 || e.tag === 0x00080005) continue;
    if (e.items) {
      values[entry.keyword] = e.items.map((item) => valuesOf(item).values as Item);
      continue;
    }
    if (!TEXT_VRS.has(e.vr)) continue;
    const list = ds.values(e.tag) ?? [];
    values[entry.keyword] = list.length <= 1 ? (list[0] ?? '') : list;
  }
  return { values, charset: ds.text('SpecificCharacterSet') };
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) walk(p, out);
    else if (s.isFile()) out.push(p);
  }
}

/**
 * Reads a folder of DICOM Part 10 files (recursively, headers only) into the store: each file's
 * attributes go to its patient, study, series and instance (PS3.4 Tables C.6-1 … C.6-4);
 * worklist files (`.wl`, Part 10 or a bare data set, or Part 10 of the Modality Worklist SOP
 * class) become worklist items. Files that cannot be read are skipped and listed with the reason.
 */
export function loadDicomFolder(dir: string, store: Store): FolderReport {
  const files = filesOf(dir);
  const report: FolderReport = { files: files.length, loaded: 0, worklist: 0, skipped: [] };
  const patients = new Map<string, Entity>();
  for (const file of files) loadDicomFile(file, store, report, patients);
  return report;
}

/**
 * The same, awaiting `pace` after each file (which gives the event loop a turn, or throws to stop)
 * and saying how far it got.
 */
export async function loadDicomFolderAsync(dir: string, store: Store, o: { pace: () => Promise<void>; onProgress?: (done: number, total: number) => void }): Promise<FolderReport> {
  const files = filesOf(dir);
  const report: FolderReport = { files: files.length, loaded: 0, worklist: 0, skipped: [] };
  const patients = new Map<string, Entity>();
  for (const [i, file] of files.entries()) {
    loadDicomFile(file, store, report, patients);
    o.onProgress?.(i + 1, files.length);
    await o.pace();
  }
  return report;
}

function filesOf(dir: string): string[] {
  const files: string[] = [];
  try {
    walk(dir, files);
  } catch (e) {
    throw new StoreError('STORE_UNREADABLE', [{ where: dir, message: (e as Error).message }]);
  }
  return files;
}

function loadDicomFile(file: string, store: Store, report: FolderReport, patients: Map<string, Entity>): void {
  // wlmscpfs keeps an empty lock file beside its worklist files.
  if (path.basename(file) === 'lockfile') {
    report.files--;
    return;
  }
  let converted: { values: Values; charset: string | undefined };
  let worklist = false;
  try {
    const buf = readFileSync(file);
    if (file.endsWith('.wl')) {
      // Worklist files: Part 10 or a bare data set (both are read by wlmscpfs and Orthanc), read with our codec.
      converted = valuesOf(readPart10(buf, file).dataSet);
      worklist = true;
    } else {
      const part10 = dcmjs.data.DicomMessage.readFile(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), { untilTag: '7FE00010', includeUntilTagValue: false });
      const meta = part10.meta as Record<string, JsonElement>;
      converted = convert(part10.dict as Record<string, JsonElement>);
      worklist = meta['00020002']?.Value?.[0] === MODALITY_WORKLIST_SOP_CLASS || (converted.values.ScheduledProcedureStepSequence !== undefined && converted.values.SOPInstanceUID === undefined);
    }
  } catch (e) {
    report.skipped.push({ file, reason: `not a readable DICOM Part 10 file (${(e as Error).message.split('\n')[0]})` });
    return;
  }
  if (worklist) {
    const sps = converted.values.ScheduledProcedureStepSequence;
    if (!Array.isArray(sps) || sps.length !== 1 || typeof sps[0] !== 'object') {
      report.skipped.push({ file, reason: 'a worklist file holds exactly one Scheduled Procedure Step item (PS3.4 K.6.1.2)' });
      return;
    }
    store.addWorklistItem(converted.values, converted.charset, file);
    report.worklist++;
    return;
  }
  const byLevel: Record<Exclude<Level, 'WORKLIST'>, Values> = { PATIENT: {}, STUDY: {}, SERIES: {}, IMAGE: {} };
  for (const [k, v] of Object.entries(converted.values)) byLevel[(levelOfAttribute(k) ?? 'IMAGE') as Exclude<Level, 'WORKLIST'>][k] = v;
  const missing = (Object.keys(UNIQUE_KEY) as Exclude<Level, 'WORKLIST'>[]).find((l) => !byLevel[l][UNIQUE_KEY[l]]);
  if (missing) {
    report.skipped.push({ file, reason: `no ${UNIQUE_KEY[missing]}` });
    return;
  }
  try {
    const pid = byLevel.PATIENT.PatientID as string;
    let patient = patients.get(pid) ?? store.patientsWithId(pid)[0];
    if (!patient) {
      patient = store.add('PATIENT', byLevel.PATIENT, undefined, converted.charset, file);
      patients.set(pid, patient);
    }
    const study = store.byUniqueKey('STUDY', byLevel.STUDY.StudyInstanceUID as string) ?? store.add('STUDY', byLevel.STUDY, patient, undefined, file);
    const series = store.byUniqueKey('SERIES', byLevel.SERIES.SeriesInstanceUID as string) ?? store.add('SERIES', byLevel.SERIES, study, undefined, file);
    store.add('IMAGE', byLevel.IMAGE, series, undefined, file);
    report.loaded++;
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    report.skipped.push({ file, reason: e.problems.map((p) => p.message).join('; ') });
  }
}
