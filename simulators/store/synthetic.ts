import { stringify } from 'yaml';
import type { Entity, Values } from './entities.ts';
import { Store } from './store.ts';

export interface SyntheticShape {
  patients: number;
  studiesPerPatient: number;
  seriesPerStudy: number;
  instancesPerSeries: number;
  /** Seed of the pseudo-random choices (names, dates, modalities): the same seed gives the same store. */
  seed?: number;
}

const FAMILY = ['SMITH', 'JONES', 'TAYLOR', 'BROWN', 'WILLIAMS', 'WILSON', 'JOHNSON', 'DAVIES', 'ROBINSON', 'WRIGHT', 'THOMPSON', 'EVANS', 'WALKER', 'WHITE', 'ROBERTS', 'GREEN', 'HALL', 'WOOD', 'JACKSON', 'CLARKE', 'CITIZEN', 'MULLER', 'GARCIA', 'MARTIN'];
const GIVEN = ['JAN', 'ANNA', 'JOHN', 'MARY', 'PETER', 'SARAH', 'DAVID', 'EMMA', 'PAUL', 'LAURA', 'MARK', 'JULIA', 'TOM', 'NINA', 'OMAR', 'LI'];
const MODALITIES: [string, string][] = [
  ['CT', '1.2.840.10008.5.1.4.1.1.2'],
  ['MR', '1.2.840.10008.5.1.4.1.1.4'],
  ['CR', '1.2.840.10008.5.1.4.1.1.1'],
  ['US', '1.2.840.10008.5.1.4.1.1.6.1'],
  ['PT', '1.2.840.10008.5.1.4.1.1.128'],
  ['DX', '1.2.840.10008.5.1.4.1.1.1.1'],
];
const ROOT = '1.2.826.0.1.3680043.9.7433.3';

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function date(r: () => number, from: number, years: number): string {
  const d = new Date(Date.UTC(from, 0, 1) + Math.floor(r() * years * 365) * 86_400_000);
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}

/** Entities of a synthetic archive, generated in order (patients, their studies, series, instances). */
export function* syntheticEntities(shape: SyntheticShape): Iterable<{ level: 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE'; values: Values }> {
  const r = prng(shape.seed ?? 7433);
  for (let p = 1; p <= shape.patients; p++) {
    yield {
      level: 'PATIENT',
      values: {
        PatientID: `P${String(p).padStart(7, '0')}`,
        PatientName: `${pick(r, FAMILY)}^${pick(r, GIVEN)}`,
        PatientBirthDate: date(r, 1930, 85),
        PatientSex: r() < 0.5 ? 'F' : 'M',
      },
    };
    for (let s = 1; s <= shape.studiesPerPatient; s++) {
      const study = `${ROOT}.${p}.${s}`;
      const [modality, sopClass] = pick(r, MODALITIES);
      yield {
        level: 'STUDY',
        values: {
          StudyInstanceUID: study,
          StudyDate: date(r, 2015, 10),
          StudyTime: `${String(7 + Math.floor(r() * 12)).padStart(2, '0')}${String(Math.floor(r() * 60)).padStart(2, '0')}00`,
          AccessionNumber: `A${p}${s}`,
          StudyID: String(s),
          StudyDescription: `${modality} STUDY ${s}`,
          ReferringPhysicianName: `${pick(r, FAMILY)}^${pick(r, GIVEN)}`,
        },
      };
      for (let se = 1; se <= shape.seriesPerStudy; se++) {
        const series = `${study}.${se}`;
        yield { level: 'SERIES', values: { SeriesInstanceUID: series, Modality: modality, SeriesNumber: String(se), SeriesDescription: `SERIES ${se}` } };
        for (let i = 1; i <= shape.instancesPerSeries; i++) {
          yield { level: 'IMAGE', values: { SOPInstanceUID: `${series}.${i}`, SOPClassUID: sopClass, InstanceNumber: String(i) } };
        }
      }
    }
  }
}

/** A synthetic store built in memory (a million instances in seconds). */
export function syntheticStore(shape: SyntheticShape, store = new Store()): Store {
  const add = adder(store);
  for (const e of syntheticEntities(shape)) add(e);
  return store;
}

/** The same, awaiting `pace` after each patient (which gives the event loop a turn, or throws to stop). */
export async function syntheticStoreAsync(shape: SyntheticShape, store: Store, pace: () => Promise<void>): Promise<Store> {
  const add = adder(store);
  for (const e of syntheticEntities(shape)) {
    if (e.level === 'PATIENT') await pace();
    add(e);
  }
  return store;
}

function adder(store: Store): (e: { level: 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE'; values: Values }) => void {
  const parents: Partial<Record<string, Entity>> = {};
  const up = { STUDY: 'PATIENT', SERIES: 'STUDY', IMAGE: 'SERIES' } as const;
  return (e) => {
    const parent = e.level === 'PATIENT' ? undefined : parents[up[e.level]];
    parents[e.level] = store.add(e.level, e.values, parent);
  };
}

/** The same synthetic archive as a YAML store document. */
export function syntheticYaml(shape: SyntheticShape): string {
  const patients: Record<string, unknown>[] = [];
  let patient: Record<string, unknown> | undefined;
  let study: Record<string, unknown> | undefined;
  let series: Record<string, unknown> | undefined;
  for (const e of syntheticEntities(shape)) {
    if (e.level === 'PATIENT') patients.push((patient = { ...e.values, studies: [] }));
    else if (e.level === 'STUDY') (patient!.studies as unknown[]).push((study = { ...e.values, series: [] }));
    else if (e.level === 'SERIES') (study!.series as unknown[]).push((series = { ...e.values, instances: [] }));
    else (series!.instances as unknown[]).push(e.values);
  }
  return `# Synthetic store: ${shape.patients} patients × ${shape.studiesPerPatient} studies × ${shape.seriesPerStudy} series × ${shape.instancesPerSeries} instances (seed ${shape.seed ?? 7433})\n${stringify({ patients })}`;
}
