import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput, ElementValue } from '../dataset/data-set.ts';
import type { AttrValue, Entity, Item } from './entities.ts';
import { DERIVED } from './levels.ts';
import type { Store } from './store.ts';

export const MODALITY_WORKLIST_SOP_CLASS = '1.2.840.10008.5.1.4.31';
export const DEFAULT_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7'; // Secondary Capture Image Storage

/** The Image Pixel module of a 2×2 12-bit MONOCHROME2 image (PS3.3 C.7.6.3), without its Pixel Data. */
export const TINY_IMAGE = {
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  Rows: 2,
  Columns: 2,
  BitsAllocated: 16,
  BitsStored: 12,
  HighBit: 11,
  PixelRepresentation: 0,
} as const;

/** Storage SOP classes without pixel data among those a store names (the SR family, PS3.4 Annex B). */
function isStructuredReport(sopClassUid: string): boolean {
  return sopClassUid.startsWith('1.2.840.10008.5.1.4.1.1.88.');
}

/** One instance of the store as a data set, ready to send with C-STORE or to write as a Part 10 file. */
export interface InstanceDataSet {
  sopClassUid: string;
  sopInstanceUid: string;
  dataSet: DataSet;
  entity: Entity;
}

function toElementValue(v: AttrValue): ElementValue {
  if (typeof v === 'string') return v;
  if (v.length > 0 && typeof v[0] === 'object') return (v as Item[]).map((item) => Object.fromEntries(Object.entries(item).map(([k, x]) => [k, toElementValue(x)])) as DataSetInput);
  return v as string[];
}

/**
 * The instance as an archive would receive it: the attributes of its patient, study, series and
 * its own, in its Specific Character Set, without the attributes archives derive (counts,
 * Modalities and SOP Classes in Study: PS3.4 C.6.1.1), plus what its SOP class needs to be a
 * plausible object (a 2×2 image, or an SR document root).
 */
export function instanceDataSet(image: Entity): InstanceDataSet {
  const values: Record<string, ElementValue> = {};
  const charset = image.charset;
  if (charset) values.SpecificCharacterSet = charset.split('\\');
  for (let e: Entity | undefined = image; e; e = e.parent) {
    for (const [k, v] of Object.entries(e.values)) if (!DERIVED.has(k) && !(k in values)) values[k] = toElementValue(v);
  }
  const sopClassUid = typeof image.values.SOPClassUID === 'string' && image.values.SOPClassUID !== '' ? image.values.SOPClassUID : DEFAULT_SOP_CLASS;
  const sopInstanceUid = image.values.SOPInstanceUID as string;
  values.SOPClassUID = sopClassUid;
  if (isStructuredReport(sopClassUid)) {
    Object.assign(values, {
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: [{ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic imaging report' }],
      ContinuityOfContent: 'SEPARATE',
      CompletionFlag: 'COMPLETE',
      VerificationFlag: 'UNVERIFIED',
      ContentSequence: [],
    });
  } else {
    Object.assign(values, TINY_IMAGE);
  }
  const ds = DataSet.from(values);
  if (!isStructuredReport(sopClassUid)) ds.set('PixelData', Buffer.from([0, 0, 100, 0, 200, 0, 44, 1]), 'OW');
  return { sopClassUid, sopInstanceUid, dataSet: ds, entity: image };
}

/** Every instance of the store, in store order. */
export function* storeInstances(store: Store): Iterable<InstanceDataSet> {
  for (const image of store.instances()) yield instanceDataSet(image);
}

/** A worklist item as a data set (what a worklist file holds), in its Specific Character Set. */
export function worklistDataSet(item: Entity): DataSet {
  const values: Record<string, ElementValue> = {};
  if (item.charset) values.SpecificCharacterSet = item.charset.split('\\');
  for (const [k, v] of Object.entries(item.values)) values[k] = toElementValue(v);
  return DataSet.from(values);
}
