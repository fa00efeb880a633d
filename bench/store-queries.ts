/**
 * A 1,000,000-instance synthetic archive (10,000 patients, 100,000 studies) in our SCP: load time,
 * memory per instance, and query latency to the final response from our SCU — selective queries
 * by Patient ID and Study Instance UID, and a STUDY-level wild card on Patient's Name.
 */
import { readFileSync } from 'node:fs';
import { DimseClient } from '../simulators/scu/dimse-client.ts';
import { syntheticStore } from '../simulators/store/synthetic.ts';
import { startOurScp } from './our-scp.ts';

const SHAPE = { patients: 10_000, studiesPerPatient: 10, seriesPerStudy: 2, instancesPerSeries: 5 };

export interface StoreFigures {
  instances: number;
  buildSeconds: number;
  bytesPerInstance: number;
  scpRssMb: number;
  queries: { name: string; matches: number; medianMs: number; p95Ms: number }[];
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

export async function benchStoreQueries(): Promise<StoreFigures> {
  // Memory and build time, measured in this process.
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t = performance.now();
  const store = syntheticStore(SHAPE);
  const buildSeconds = (performance.now() - t) / 1000;
  globalThis.gc?.();
  const bytesPerInstance = (process.memoryUsage().heapUsed - heapBefore) / store.counts.instances;
  const somePatients = store.patients.filter((_, i) => i % 997 === 0);
  const someStudies = somePatients.map((p) => p.children[3]!.values.StudyInstanceUID as string);
  const names = somePatients.map((p) => (p.values.PatientName as string).split('^')[0]!);
  // Latency, against the same archive in a separate SCP process.
  const scp = await startOurScp(['--synthetic-store', `patients=${SHAPE.patients},studies=${SHAPE.studiesPerPatient},series=${SHAPE.seriesPerStudy},instances=${SHAPE.instancesPerSeries}`]);
  const rss = () => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${scp.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  };
  try {
    const client = await DimseClient.connect({
      host: scp.host,
      port: scp.port,
      calledAeTitle: scp.aeTitle,
      callingAeTitle: 'BENCH',
      presentationContexts: [
        { abstractSyntax: '1.2.840.10008.5.1.4.1.2.1.1', transferSyntaxes: ['1.2.840.10008.1.2.1'] },
        { abstractSyntax: '1.2.840.10008.5.1.4.1.2.2.1', transferSyntaxes: ['1.2.840.10008.1.2.1'] },
      ],
      dimseTimeoutMs: 120_000,
    });
    const time = async (name: string, make: (i: number) => [string, Record<string, string>], n: number) => {
      const times: number[] = [];
      let matches = 0;
      for (let i = 0; i < n; i++) {
        const [model, identifier] = make(i);
        const t0 = performance.now();
        matches = (await client.find(model, identifier).collect()).length - 1;
        times.push(performance.now() - t0);
      }
      return { name, matches, medianMs: percentile(times, 0.5), p95Ms: percentile(times, 0.95) };
    };
    for (let i = 0; i < 20; i++) await client.find('study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: someStudies[i % someStudies.length]! }).collect();
    const queries = [
      await time('PATIENT by PatientID (Patient Root)', (i) => ['patient', { QueryRetrieveLevel: 'PATIENT', PatientID: somePatients[i % somePatients.length]!.values.PatientID as string, PatientName: '' }], 50),
      await time('STUDY by StudyInstanceUID (Study Root)', (i) => ['study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: someStudies[i % someStudies.length]!, StudyDate: '', PatientName: '' }], 50),
      await time('STUDY of a patient (Patient Root, PatientID)', (i) => ['patient', { QueryRetrieveLevel: 'STUDY', PatientID: somePatients[i % somePatients.length]!.values.PatientID as string, StudyInstanceUID: '', StudyDate: '' }], 50),
      await time('STUDY, PatientName wild card over 100,000 studies', (i) => ['study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', PatientName: `${names[i % names.length]!.slice(0, 3)}*^J*` }], 10),
      await time('STUDY, StudyDate range over 100,000 studies', () => ['study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '', StudyDate: '20240101-20240107' }], 10),
    ];
    await client.release();
    return { instances: store.counts.instances, buildSeconds, bytesPerInstance, scpRssMb: rss(), queries };
  } finally {
    await scp.stop();
  }
}
