import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { entryForTag } from '../dataset/dictionary.ts';
import type { AttrValue, Entity, Item, Level, Values } from './entities.ts';
import { UNIQUE_KEY } from './entities.ts';
import { levelOfAttribute } from './levels.ts';
import type { Store } from './store.ts';
import { StoreError } from './store.ts';

export interface FolderReport {
  files: number;
  loaded: number;
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
 * attributes go to its patient, study, series and instance (PS3.4 Tables C.6-1 … C.6-4). Files
 * that cannot be read are skipped and listed with the reason.
 */
export function loadDicomFolder(dir: string, store: Store): FolderReport {
  const files: string[] = [];
  try {
    walk(dir, files);
  } catch (e) {
    throw new StoreError('STORE_UNREADABLE', [{ where: dir, message: (e as Error).message }]);
  }
  const report: FolderReport = { files: files.length, loaded: 0, skipped: [] };
  const patients = new Map<string, Entity>();
  for (const file of files) {
    let converted: { values: Values; charset: string | undefined };
    try {
      const buf = readFileSync(file);
      const part10 = dcmjs.data.DicomMessage.readFile(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), { untilTag: '7FE00010', includeUntilTagValue: false });
      converted = convert(part10.dict as Record<string, JsonElement>);
    } catch (e) {
      report.skipped.push({ file, reason: `not a readable DICOM Part 10 file (${(e as Error).message.split('\n')[0]})` });
      continue;
    }
    const byLevel: Record<Exclude<Level, 'WORKLIST'>, Values> = { PATIENT: {}, STUDY: {}, SERIES: {}, IMAGE: {} };
    for (const [k, v] of Object.entries(converted.values)) byLevel[(levelOfAttribute(k) ?? 'IMAGE') as Exclude<Level, 'WORKLIST'>][k] = v;
    const missing = (Object.keys(UNIQUE_KEY) as Exclude<Level, 'WORKLIST'>[]).find((l) => !byLevel[l][UNIQUE_KEY[l]]);
    if (missing) {
      report.skipped.push({ file, reason: `no ${UNIQUE_KEY[missing]}` });
      continue;
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
  return report;
}
