/** Data set codec: encode and decode of a 12-attribute identifier, ours beside dcmjs (Part 10 write/read, its only API). */
import dcmjs from 'dcmjs';
import { DataSet } from '../simulators/dataset/data-set.ts';
import { decodeDataSet } from '../simulators/dataset/decode.ts';
import { encodeDataSet } from '../simulators/dataset/encode.ts';
import { EXPLICIT_LITTLE } from '../simulators/dataset/transfer-syntax.ts';

export const IDENTIFIER = {
  SpecificCharacterSet: 'ISO_IR 100',
  QueryRetrieveLevel: 'IMAGE',
  RetrieveAETitle: 'QRSCP',
  PatientName: 'CITIZEN^Jan',
  PatientID: '1234567',
  StudyDate: '20240105',
  Modality: 'CT',
  StudyInstanceUID: '1.2.826.0.1.3680043.9.7433.1.1',
  SeriesInstanceUID: '1.2.826.0.1.3680043.9.7433.1.1.1',
  SOPInstanceUID: '1.2.826.0.1.3680043.9.7433.1.1.1.1',
  SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
  InstanceNumber: '1',
};

function rate(fn: () => unknown, seconds = 1): number {
  for (let i = 0; i < 20_000; i++) fn();
  let n = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
  }
  return n / seconds;
}

export function benchCodec(): { name: string; encode: number; decode: number }[] {
  const ds = DataSet.from(IDENTIFIER);
  const bytes = encodeDataSet(ds, EXPLICIT_LITTLE);
  const ours = {
    name: 'ours (data set, Explicit VR LE)',
    encode: rate(() => encodeDataSet(ds, EXPLICIT_LITTLE)),
    decode: rate(() => {
      const d = decodeDataSet(bytes, EXPLICIT_LITTLE);
      d.text('PatientName');
    }),
  };
  const { DicomDict, DicomMetaDictionary, DicomMessage } = dcmjs.data;
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: IDENTIFIER.SOPClassUID,
    MediaStorageSOPInstanceUID: IDENTIFIER.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.3',
  });
  const denaturalized = DicomMetaDictionary.denaturalizeDataset({ ...IDENTIFIER });
  const write = () => {
    const d = new DicomDict(meta);
    d.dict = denaturalized;
    return d.write();
  };
  const file = write();
  const theirs = {
    name: 'dcmjs 0.51 (Part 10 write / readFile)',
    encode: rate(write),
    decode: rate(() => DicomMessage.readFile(file)),
  };
  return [ours, theirs];
}
