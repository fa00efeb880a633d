/** SOP classes and transfer syntaxes this product speaks (PS3.4 A.4, C.6, K.6; PS3.5 A). */
export const SopClass = {
  Verification: '1.2.840.10008.1.1',
  PatientRootQueryRetrieveFind: '1.2.840.10008.5.1.4.1.2.1.1',
  StudyRootQueryRetrieveFind: '1.2.840.10008.5.1.4.1.2.2.1',
  PatientStudyOnlyQueryRetrieveFind: '1.2.840.10008.5.1.4.1.2.3.1',
  ModalityWorklistFind: '1.2.840.10008.5.1.4.31',
} as const;

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
} as const;

export const uidNames: Record<string, string> = {
  '1.2.840.10008.1.1': 'Verification',
  '1.2.840.10008.5.1.4.1.2.1.1': 'Patient Root Query/Retrieve Information Model - FIND',
  '1.2.840.10008.5.1.4.1.2.2.1': 'Study Root Query/Retrieve Information Model - FIND',
  '1.2.840.10008.5.1.4.1.2.3.1': 'Patient/Study Only Query/Retrieve Information Model - FIND (Retired)',
  '1.2.840.10008.5.1.4.31': 'Modality Worklist Information Model - FIND',
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (Retired)',
  '1.2.840.10008.3.1.1.1': 'DICOM Application Context Name',
};

export function uidName(uid: string): string {
  return uidNames[uid] ?? uid;
}
