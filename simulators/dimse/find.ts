import type { DimseCommand } from './command-set.ts';
import { CommandField, NO_DATA_SET, Priority } from './command-fields.ts';
import { SopClass } from './sop-classes.ts';

/** The Find information models (PS3.4 C.6, K.6) and their SOP classes. */
export const FIND_MODELS = {
  patient: { sopClassUid: SopClass.PatientRootQueryRetrieveFind, name: 'Patient Root', levels: ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'] },
  study: { sopClassUid: SopClass.StudyRootQueryRetrieveFind, name: 'Study Root', levels: ['STUDY', 'SERIES', 'IMAGE'] },
  psonly: { sopClassUid: SopClass.PatientStudyOnlyQueryRetrieveFind, name: 'Patient/Study Only (retired)', levels: ['PATIENT', 'STUDY'] },
  mwl: { sopClassUid: SopClass.ModalityWorklistFind, name: 'Modality Worklist', levels: [] },
} as const;

export type FindModel = keyof typeof FIND_MODELS;

export const FIND_SOP_CLASSES: readonly string[] = Object.values(FIND_MODELS).map((m) => m.sopClassUid);

export function modelOf(sopClassUid: string): FindModel | undefined {
  for (const [name, m] of Object.entries(FIND_MODELS)) if (m.sopClassUid === sopClassUid) return name as FindModel;
  return undefined;
}

/** C-FIND-RQ, PS3.7 Table 9.3-3. */
export function findRequest(messageId: number, sopClassUid: string, priority: number = Priority.MEDIUM): DimseCommand {
  return { CommandField: CommandField.C_FIND_RQ, AffectedSOPClassUID: sopClassUid, MessageID: messageId, Priority: priority, CommandDataSetType: 0x0000 };
}

export interface FindResponseFields {
  messageIdBeingRespondedTo: number;
  status: number;
  sopClassUid?: string;
  withIdentifier: boolean;
  offendingElement?: number[];
  errorComment?: string;
  errorId?: number;
}

/** C-FIND-RSP, PS3.7 Table 9.3-4. */
export function findResponse(f: FindResponseFields): DimseCommand {
  const c: DimseCommand = {
    CommandField: CommandField.C_FIND_RSP,
    MessageIDBeingRespondedTo: f.messageIdBeingRespondedTo,
    CommandDataSetType: f.withIdentifier ? 0x0000 : NO_DATA_SET,
    Status: f.status,
  };
  if (f.sopClassUid !== undefined) c.AffectedSOPClassUID = f.sopClassUid;
  if (f.offendingElement !== undefined) c.OffendingElement = f.offendingElement;
  if (f.errorComment !== undefined) c.ErrorComment = f.errorComment;
  if (f.errorId !== undefined) c.ErrorID = f.errorId;
  return c;
}

/** C-CANCEL-RQ, PS3.7 Table 9.3-5: no SOP class, no Message ID of its own, no data set. */
export function cancelRequest(messageIdBeingRespondedTo: number): DimseCommand {
  return { CommandField: CommandField.C_CANCEL_RQ, MessageIDBeingRespondedTo: messageIdBeingRespondedTo, CommandDataSetType: NO_DATA_SET };
}

/** PS3.7 C.4.1: an Error Comment is at most 64 characters of the default repertoire. */
export function errorComment(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
