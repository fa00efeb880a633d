import type { FindModel } from '../dimse/find.ts';
import type { Level } from '../store/entities.ts';

/** Key types (PS3.4 C.2.2.1): Unique, Required, Optional. */
export type KeyType = 'U' | 'R' | 'O';

/** Unique and Required keys per level (PS3.4 Tables C.6-1 … C.6-5); every other attribute is an Optional key. */
const QR: Record<Exclude<Level, 'WORKLIST'>, Record<string, KeyType>> = {
  PATIENT: { PatientName: 'R', PatientID: 'U' },
  STUDY: { StudyDate: 'R', StudyTime: 'R', AccessionNumber: 'R', StudyID: 'R', StudyInstanceUID: 'U' },
  SERIES: { Modality: 'R', SeriesNumber: 'R', SeriesInstanceUID: 'U' },
  IMAGE: { InstanceNumber: 'R', SOPInstanceUID: 'U' },
};

/** Required matching keys of the worklist (PS3.4 Table K.6-1), at the top level or in the Scheduled Procedure Step item. */
const MWL_REQUIRED = new Set([
  'ScheduledProcedureStepSequence', 'ScheduledStationAETitle', 'ScheduledProcedureStepStartDate', 'ScheduledProcedureStepStartTime', 'Modality',
  'ScheduledPerformingPhysicianName', 'PatientName', 'PatientID',
]);

/** The type of a key at the level the query places it (in Study Root the patient's name and ID are required study keys, Table C.6-5). */
export function keyType(model: FindModel, level: Level, keyword: string): KeyType {
  if (model === 'mwl' || level === 'WORKLIST') return MWL_REQUIRED.has(keyword) ? 'R' : 'O';
  if (model === 'study' && level === 'STUDY' && (keyword === 'PatientName' || keyword === 'PatientID')) return 'R';
  return QR[level][keyword] ?? 'O';
}

/** Keys an SCP must always support for existence and matching (C.2.2.1.1, C.2.2.1.2; K.2.2.1.1). */
export function isRequiredOrUnique(model: FindModel, level: Level, keyword: string): boolean {
  return keyType(model, level, keyword) !== 'O';
}

/** Worklist return keys of type 1 and 2 (PS3.4 Table K.6-1): returned whenever requested, zero-length when unknown (K.2.2.1.2). */
const MWL_RETURN_1_2 = new Set([
  ...MWL_REQUIRED, 'AccessionNumber', 'ScheduledProcedureStepID', 'ReferringPhysicianName', 'RequestedProcedureID', 'RequestedProcedureDescription',
  'StudyInstanceUID', 'PatientBirthDate', 'PatientSex', 'ScheduledProcedureStepDescription',
]);

/** Whether a requested key must come back in every Pending (Unique and Required keys; worklist return keys of type 1 and 2). */
export function mustBeReturned(model: FindModel, level: Level, keyword: string): boolean {
  if (model === 'mwl' || level === 'WORKLIST') return MWL_RETURN_1_2.has(keyword);
  return isRequiredOrUnique(model, level, keyword);
}
