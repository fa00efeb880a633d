import type { Level } from './entities.ts';

/**
 * Which level an attribute belongs to (PS3.4 Tables C.6-1 … C.6-5, with common attributes of
 * the PS3.3 Patient, Study, Series and Instance modules). Attributes not listed take the level
 * at which the store holds them.
 */
const PATIENT = [
  'PatientName', 'PatientID', 'IssuerOfPatientID', 'IssuerOfPatientIDQualifiersSequence', 'ReferencedPatientSequence', 'PatientBirthDate',
  'PatientBirthTime', 'PatientSex', 'OtherPatientIDsSequence', 'OtherPatientNames', 'EthnicGroup', 'PatientComments', 'PatientSpeciesDescription',
  'PatientBreedDescription', 'ResponsiblePerson', 'ResponsibleOrganization', 'PatientIdentityRemoved', 'PatientMotherBirthName', 'PatientAddress',
  'PatientTelephoneNumbers', 'NumberOfPatientRelatedStudies', 'NumberOfPatientRelatedSeries', 'NumberOfPatientRelatedInstances', 'QualityControlSubject',
];
const STUDY = [
  'StudyDate', 'StudyTime', 'AccessionNumber', 'IssuerOfAccessionNumberSequence', 'StudyID', 'StudyInstanceUID', 'ModalitiesInStudy', 'SOPClassesInStudy',
  'AnatomicRegionsInStudyCodeSequence', 'ReferringPhysicianName', 'StudyDescription', 'ProcedureCodeSequence', 'NameOfPhysiciansReadingStudy',
  'PhysiciansOfRecord', 'AdmittingDiagnosesDescription', 'ReferencedStudySequence', 'PatientAge', 'PatientSize', 'PatientWeight', 'Occupation',
  'AdditionalPatientHistory', 'OtherStudyNumbers', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'StudyUpdateDateTime',
  'RequestingPhysician', 'RequestedProcedureDescription', 'InterpretationAuthor', 'StudyStatusID', 'ReasonForPerformedProcedureCodeSequence',
];
const SERIES = [
  'Modality', 'SeriesNumber', 'SeriesInstanceUID', 'NumberOfSeriesRelatedInstances', 'SeriesDescription', 'SeriesDate', 'SeriesTime', 'BodyPartExamined',
  'Laterality', 'ProtocolName', 'OperatorsName', 'PerformingPhysicianName', 'PerformedProcedureStepStartDate', 'PerformedProcedureStepStartTime',
  'PerformedProcedureStepID', 'PerformedProcedureStepDescription', 'RequestAttributesSequence', 'StationName', 'InstitutionName',
  'InstitutionalDepartmentName', 'Manufacturer', 'ManufacturerModelName', 'FrameOfReferenceUID', 'PatientPosition', 'SeriesType',
];
const IMAGE = [
  'InstanceNumber', 'SOPInstanceUID', 'SOPClassUID', 'AvailableTransferSyntaxUID', 'AlternateRepresentationSequence', 'RelatedGeneralSOPClassUID',
  'ConceptNameCodeSequence', 'ContentTemplateSequence', 'ContainerIdentifier', 'SpecimenDescriptionSequence', 'ContentDate', 'ContentTime',
  'AcquisitionDate', 'AcquisitionTime', 'AcquisitionDateTime', 'AcquisitionNumber', 'ImageType', 'Rows', 'Columns', 'NumberOfFrames', 'ImageComments',
  'InstanceCreationDate', 'InstanceCreationTime', 'CompletionFlag', 'VerificationFlag', 'ContentLabel', 'ContentDescription', 'PresentationCreationDate',
];

/** Attributes of the identifier that are not keys (PS3.4 C.4.1.1.3). */
export const NON_KEY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'QueryRetrieveLevel',
  'SpecificCharacterSet',
  'TimezoneOffsetFromUTC',
  'QueryRetrieveView',
  'RetrieveAETitle',
  'InstanceAvailability',
  'StorageMediaFileSetID',
  'StorageMediaFileSetUID',
]);

const byKeyword = new Map<string, Level>();
for (const [level, list] of [
  ['PATIENT', PATIENT],
  ['STUDY', STUDY],
  ['SERIES', SERIES],
  ['IMAGE', IMAGE],
] as const) {
  for (const k of list) byKeyword.set(k, level);
}

export function levelOfAttribute(keyword: string): Level | undefined {
  return byKeyword.get(keyword);
}

/** Attributes the store derives when they are not stored (PS3.4 Tables C.6-1/2/3). */
export const DERIVED: ReadonlySet<string> = new Set([
  'NumberOfPatientRelatedStudies',
  'NumberOfPatientRelatedSeries',
  'NumberOfPatientRelatedInstances',
  'NumberOfStudyRelatedSeries',
  'NumberOfStudyRelatedInstances',
  'NumberOfSeriesRelatedInstances',
  'ModalitiesInStudy',
  'SOPClassesInStudy',
]);
