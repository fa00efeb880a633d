import { stringify } from 'yaml';

/** The shape of matching-vectors.yaml (PS3.4 Annex C/K test vectors). */
export interface VectorDoc {
  attributes: Record<string, { tag: string; vr: string; PatientRoot?: [string, string]; StudyRoot?: [string, string] }>;
  store: {
    patients: Record<string, unknown>[];
    studies: Record<string, unknown>[];
    series: Record<string, unknown>[];
    instances: Record<string, unknown>[];
    worklist: Record<string, unknown>[];
  };
  queries: VectorQuery[];
}

export interface VectorQuery {
  id: string;
  model: 'PatientRoot' | 'StudyRoot' | 'MWL';
  level?: string;
  identifier: Record<string, unknown>;
  ext_neg?: Record<string, number>;
  conformance: 'strict' | 'implementation-defined';
  expected?: string[];
  must_include?: string[];
  may_include?: string[];
  acceptable_final_status?: string[];
  requires?: string[];
  if_declined?: { same_as?: string; conformance?: string; expected?: string[]; must_include?: string[]; may_include?: string[]; acceptable_final_status?: string[] };
  rule: string;
  response_checks?: string[];
}

function strip(o: Record<string, unknown>, ...drop: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !drop.includes(k)));
}

/** The vectors' flat store (labels and parent references) as a nested YAML store of this product. */
export function nestedStoreYaml(doc: VectorDoc): string {
  const s = doc.store;
  const patients = s.patients.map((p) => ({
    ...strip(p, 'label'),
    studies: s.studies
      .filter((st) => st.patient === p.label)
      .map((st) => ({
        ...strip(st, 'label', 'patient'),
        series: s.series
          .filter((se) => se.study === st.label)
          .map((se) => ({ ...strip(se, 'label', 'study'), instances: s.instances.filter((i) => i.series === se.label).map((i) => strip(i, 'label', 'series')) })),
      })),
  }));
  const worklist = s.worklist.map((w) => strip(w, 'label'));
  return stringify({ patients, worklist });
}
