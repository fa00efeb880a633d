import { createHash } from 'node:crypto';
import type { Scenario, ScuStep } from '../scenario/types.ts';
import { LoadError } from './errors.ts';
import type { LoadMix, SessionScript } from './types.ts';

const find = (f: Extract<ScuStep, { find: unknown }>['find']): ScuStep => ({ find: f });

/**
 * Realistic queries over the conformance data set (scenarios/stores/conformance.yaml): a patient
 * by name, studies by Patient ID, by a date range and by a wild card name, the series of a study,
 * the instances of a series, and a long stream cancelled after 2 Pendings (PS3.7 9.3.2.3).
 */
export function defaultMix(): LoadMix {
  const sessions: SessionScript[] = [
    { name: 'patient-by-name', weight: 2, steps: [find({ model: 'patient', level: 'PATIENT', identifier: { PatientName: 'Doe^John', PatientID: '', PatientBirthDate: '' } })] },
    { name: 'studies-by-patient-id', weight: 3, steps: [find({ model: 'study', level: 'STUDY', identifier: { PatientID: 'PAT001', StudyInstanceUID: '', StudyDate: '', StudyDescription: '' } })] },
    { name: 'studies-by-date-range', weight: 2, steps: [find({ model: 'study', level: 'STUDY', identifier: { StudyDate: '20240101-20240131', StudyInstanceUID: '', PatientID: '' } })] },
    { name: 'studies-by-wildcard-name', weight: 2, steps: [find({ model: 'study', level: 'STUDY', identifier: { PatientName: 'Sm*', StudyInstanceUID: '', PatientID: '' } })] },
    { name: 'series-of-study', weight: 2, steps: [find({ model: 'study', level: 'SERIES', identifier: { StudyInstanceUID: '2.25.1001', SeriesInstanceUID: '', Modality: '' } })] },
    { name: 'images-of-series', weight: 1, steps: [find({ model: 'study', level: 'IMAGE', identifier: { StudyInstanceUID: '2.25.1001', SeriesInstanceUID: '2.25.2001', SOPInstanceUID: '', InstanceNumber: '' } })] },
    {
      name: 'echo-then-cancel-after-2',
      weight: 1,
      steps: [{ echo: true }, find({ model: 'study', level: 'IMAGE', identifier: { StudyInstanceUID: '2.25.1100', SeriesInstanceUID: '2.25.2100', SOPInstanceUID: '' }, cancel: { after: 2 } })],
    },
  ];
  return { name: 'default', sessions, sopClasses: ['PatientRoot', 'StudyRoot', 'Verification'] };
}

/** A scenario's `load.mix` (weighted sessions), or its `scu.steps` as the one session. */
export function mixFromScenario(s: Scenario): LoadMix {
  const proposal = {
    ...(s.scu?.sopClasses && { sopClasses: s.scu.sopClasses }),
    ...(s.scu?.transferSyntaxes && { transferSyntaxes: s.scu.transferSyntaxes }),
    ...(s.scu?.maxPduLength !== undefined && { maxPduLength: s.scu.maxPduLength }),
  };
  if (s.load?.mix?.length) {
    return { name: s.name, sessions: s.load.mix.map((m, i) => ({ name: m.name ?? `session-${i + 1}`, weight: m.weight ?? 1, steps: m.steps })), ...proposal };
  }
  if (!s.scu?.steps.length) throw new LoadError('LOAD_INVALID_MIX', `scenario "${s.name}" has neither load.mix nor scu.steps: nothing to run`);
  return { name: s.name, sessions: [{ name: s.name, weight: 1, steps: s.scu.steps }], ...proposal };
}

/** Identifies a mix's content, so results of different mixes are never merged. */
export function mixFingerprint(mix: LoadMix): string {
  const content = JSON.stringify([mix.sessions, mix.sopClasses ?? null, mix.transferSyntaxes ?? null, mix.maxPduLength ?? null]);
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

/** What a load session cannot do of a scripted SCU's find step (it would change the traffic unseen). */
const UNSUPPORTED: [string, (f: Extract<ScuStep, { find: unknown }>['find']) => boolean][] = [
  ['pauseReadingMs', (f) => f.pauseReadingMs !== undefined],
  ['releaseAfter', (f) => f.releaseAfter !== undefined],
  ['concurrent', (f) => (f.concurrent ?? 1) > 1],
  ['cancel.twice', (f) => f.cancel?.twice === true],
  ['cancel.afterFinal', (f) => f.cancel?.afterFinal === true],
  ['cancel.wrongMessageId', (f) => f.cancel?.wrongMessageId === true],
];

/** Checks every session of a mix: a weight ≥ 1, and only steps a load session runs (expectations are not judged). */
export function checkMix(mix: LoadMix): void {
  if (mix.sessions.length === 0) throw new LoadError('LOAD_INVALID_MIX', `mix "${mix.name}" has no sessions`);
  for (const s of mix.sessions) {
    if (!Number.isInteger(s.weight) || s.weight < 1) throw new LoadError('LOAD_INVALID_MIX', `session "${s.name}" of mix "${mix.name}" has weight ${s.weight}; a weight is a whole number ≥ 1`);
    s.steps.forEach((step, i) => {
      if (!('find' in step)) return;
      const found = UNSUPPORTED.find(([, has]) => has(step.find));
      if (found) throw new LoadError('LOAD_INVALID_MIX', `session "${s.name}", step ${i + 1}: find.${found[0]} is not supported by load (only cancel.after, abortAfter, priority, invalid)`);
    });
  }
}

/**
 * The session of each arrival index: smooth weighted round robin over one cycle of the weights,
 * so every run (and every shard of it) picks the same session for the same index.
 */
export function sessionPicker(mix: LoadMix): (index: number) => SessionScript {
  checkMix(mix);
  const total = mix.sessions.reduce((a, s) => a + s.weight, 0);
  const current = mix.sessions.map(() => 0);
  const cycle: SessionScript[] = [];
  for (let n = 0; n < total; n++) {
    let best = 0;
    mix.sessions.forEach((s, i) => {
      current[i]! += s.weight;
      if (current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    cycle.push(mix.sessions[best]!);
  }
  return (index) => cycle[index % total]!;
}
