import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { DataSetInput } from '../simulators/dataset/data-set.ts';
import { DataSet } from '../simulators/dataset/data-set.ts';
import { yamlSyntaxProblems } from '../simulators/store/yaml-store.ts';
import { UsageError } from './args.ts';

/** Reads a YAML or JSON list of flat records; each must build as a data set (keywords checked). */
export function loadRecords(file: string): DataSetInput[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}`);
  }
  const lines = new LineCounter();
  const parsed = parseDocument(text, { lineCounter: lines });
  const first = yamlSyntaxProblems(parsed, file, lines)[0];
  if (first) throw new UsageError(`${first.where}: ${first.message}`);
  const doc: unknown = parsed.toJS();
  if (!Array.isArray(doc)) throw new UsageError(`${file}: expected a list of records`);
  return doc.map((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new UsageError(`${file}: record ${i + 1} is not a mapping`);
    try {
      DataSet.from(r as DataSetInput);
    } catch (e) {
      throw new UsageError(`${file}: record ${i + 1}: ${(e as Error).message}`);
    }
    return r as DataSetInput;
  });
}

/** N IMAGE-level records under one patient, study and series (for long streams). */
export function syntheticRecords(n: number): DataSetInput[] {
  const study = '1.2.826.0.1.3680043.9.7433.9';
  return Array.from({ length: n }, (_, i) => ({
    QueryRetrieveLevel: 'IMAGE',
    PatientID: 'SYNTH',
    PatientName: 'SYNTHETIC^STREAM',
    StudyInstanceUID: study,
    SeriesInstanceUID: `${study}.1`,
    SOPInstanceUID: `${study}.1.${i + 1}`,
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    InstanceNumber: String(i + 1),
  }));
}
