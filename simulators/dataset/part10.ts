import { DataSet } from './data-set.ts';
import { decodeDataSet } from './decode.ts';
import { encodeDataSet } from './encode.ts';
import { DataSetError } from './errors.ts';
import { EXPLICIT_LITTLE, IMPLICIT_LITTLE, transferSyntax } from './transfer-syntax.ts';
import type { TransferSyntaxInfo } from './transfer-syntax.ts';

/** Who wrote a file (PS3.10 7.1, File Meta Information). */
export interface Part10Writer {
  implementationClassUid: string;
  implementationVersionName?: string;
}

/**
 * A DICOM Part 10 file written with this product's codec, so every text value keeps the bytes of
 * its character set (PS3.10 7.1): a 128-byte preamble, "DICM", the File Meta Information
 * (group 0002, Explicit VR Little Endian, with its group length), then the data set in `ts`.
 */
export function part10Bytes(ds: DataSet, sopClassUid: string, sopInstanceUid: string, writer: Part10Writer, ts: TransferSyntaxInfo = EXPLICIT_LITTLE): Buffer {
  const meta = DataSet.from({
    FileMetaInformationVersion: Buffer.from([0, 1]),
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: ts.uid,
    ImplementationClassUID: writer.implementationClassUid,
    ...(writer.implementationVersionName !== undefined && { ImplementationVersionName: writer.implementationVersionName }),
  });
  const metaBytes = encodeDataSet(meta, EXPLICIT_LITTLE);
  const groupLength = encodeDataSet(DataSet.from({ FileMetaInformationGroupLength: metaBytes.length }), EXPLICIT_LITTLE);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, metaBytes, encodeDataSet(ds, ts)]);
}

export interface Part10File {
  meta: DataSet;
  dataSet: DataSet;
  transferSyntax: TransferSyntaxInfo;
}

/**
 * Reads a Part 10 file (preamble, "DICM", File Meta Information, data set), or — as worklist
 * files often are — a bare data set in Implicit VR Little Endian without the preamble.
 */
export function readPart10(b: Buffer, file = 'file'): Part10File {
  if (b.length >= 132 && b.toString('latin1', 128, 132) === 'DICM') {
    if (b.length < 144 || b.readUInt16LE(132) !== 0x0002 || b.readUInt16LE(134) !== 0x0000) {
      throw new DataSetError('DATASET_TRUNCATED', undefined, 132, `${file}: the File Meta Information does not start with its group length (0002,0000)`);
    }
    const metaEnd = 144 + b.readUInt32LE(140);
    const meta = decodeDataSet(b.subarray(132, metaEnd), EXPLICIT_LITTLE);
    const uid = meta.text('TransferSyntaxUID') ?? '';
    const ts = transferSyntax(uid);
    if (!ts) throw new DataSetError('DATASET_BAD_VALUE', 0x00020010, undefined, `${file}: transfer syntax ${uid || '(none)'} is not an uncompressed one`);
    return { meta, dataSet: decodeDataSet(b.subarray(metaEnd), ts), transferSyntax: ts };
  }
  return { meta: new DataSet(), dataSet: decodeDataSet(b, IMPLICIT_LITTLE), transferSyntax: IMPLICIT_LITTLE };
}
