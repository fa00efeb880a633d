/** DICOM Part 10 files for seeding real peers (storescu → dcmqrscp / Orthanc), written with dcmjs. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { part10Bytes, readPart10 } from '../dataset/part10.ts';
import { TINY_IMAGE } from '../store/instances.ts';
import { IMPLEMENTATION_CLASS_UID } from '../ul/association/identity.ts';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** Writes one instance (a 2×2 MONOCHROME2 image) with the given attributes; returns its path. */
export function writeInstance(dir: string, attrs: Record<string, unknown>): string {
  const sopClassUid = (attrs.SOPClassUID as string) ?? CT_IMAGE_STORAGE;
  const sopInstanceUid = attrs.SOPInstanceUID as string;
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.207595914356436316563183946405384893441',
    ImplementationVersionName: 'QR_HARNESS_010',
  });
  const dict = new DicomDict(meta);
  dict.dict = DicomMetaDictionary.denaturalizeDataset({
    SOPClassUID: sopClassUid,
    Modality: 'CT',
    ...TINY_IMAGE,
    PixelData: [new Uint16Array([0, 100, 200, 300]).buffer],
    _vrMap: { PixelData: 'OW' },
    ...attrs,
  });
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sopInstanceUid}.dcm`);
  writeFileSync(file, Buffer.from(dict.write()));
  return file;
}

export interface Fixture {
  files: string[];
  patients: { PatientName: string; PatientID: string }[];
  studies: { StudyInstanceUID: string; PatientID: string; instances: number }[];
}

/**
 * The interop fixture: CITIZEN^Jan (two studies: CT with two series, MR) and DOE^Jane (one CT
 * study), plus an optional long series for cancel tests.
 */
export function writeFixture(dir: string, longSeries = 0): Fixture {
  const root = '1.2.826.0.1.3680043.9.7433.2';
  const files: string[] = [];
  const studies: Fixture['studies'] = [];
  const add = (patient: { PatientName: string; PatientID: string }, s: number, date: string, series: { n: number; modality: string; sopClass: string; count: number }[]) => {
    const study = `${root}.${s}`;
    let instances = 0;
    for (const se of series) {
      for (let i = 1; i <= se.count; i++) {
        files.push(
          writeInstance(dir, {
            ...patient,
            PatientBirthDate: '19700101',
            PatientSex: 'M',
            StudyInstanceUID: study,
            StudyDate: date,
            StudyTime: '101500',
            AccessionNumber: `ACC${s}`,
            StudyID: `S${s}`,
            StudyDescription: `STUDY ${s}`,
            ReferringPhysicianName: '',
            SeriesInstanceUID: `${study}.${se.n}`,
            SeriesNumber: String(se.n),
            Modality: se.modality,
            SOPClassUID: se.sopClass,
            SOPInstanceUID: `${study}.${se.n}.${i}`,
            InstanceNumber: String(i),
          }),
        );
        instances++;
      }
    }
    studies.push({ StudyInstanceUID: study, PatientID: patient.PatientID, instances });
  };
  const jan = { PatientName: 'CITIZEN^Jan', PatientID: '1234567' };
  const jane = { PatientName: 'DOE^Jane', PatientID: '7654321' };
  add(jan, 1, '20240105', [
    { n: 1, modality: 'CT', sopClass: CT_IMAGE_STORAGE, count: 2 },
    { n: 2, modality: 'CT', sopClass: CT_IMAGE_STORAGE, count: 1 },
  ]);
  add(jan, 2, '20240301', [{ n: 1, modality: 'MR', sopClass: MR_IMAGE_STORAGE, count: 1 }]);
  add(jane, 3, '20230712', [{ n: 1, modality: 'CT', sopClass: CT_IMAGE_STORAGE, count: 1 }]);
  if (longSeries > 0) add({ PatientName: 'LONG^Stream', PatientID: 'LONG' }, 9, '20240601', [{ n: 1, modality: 'CT', sopClass: CT_IMAGE_STORAGE, count: longSeries }]);
  return { files, patients: [jan, jane], studies };
}

/** Writes a data set as a Part 10 file with this product's own codec (the query files of `findscu`). */
export async function writeDataSetFile(file: string, ds: import('../dataset/data-set.ts').DataSet, sopClassUid: string): Promise<void> {
  writeFileSync(file, part10Bytes(ds, sopClassUid, '2.25.1', { implementationClassUid: IMPLEMENTATION_CLASS_UID }));
}

/** Reads a Part 10 file's data set (after the File Meta Information) with this product's codec. */
export async function readDataSetFile(file: string): Promise<import('../dataset/data-set.ts').DataSet> {
  return readPart10(readFileSync(file), file).dataSet;
}
