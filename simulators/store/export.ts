import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { part10Bytes } from '../dataset/part10.ts';
import type { Part10Writer } from '../dataset/part10.ts';
import { MODALITY_WORKLIST_SOP_CLASS, storeInstances, worklistDataSet } from './instances.ts';
import type { Store } from './store.ts';

export interface ExportReport {
  instances: number;
  worklist: number;
  instancesDir: string;
  worklistDir: string;
}

/** A stable UID for something that has none of its own (a worklist item's file): 2.25 and a hash of its identity (PS3.5 B.2). */
function derivedUid(seed: string): string {
  return `2.25.${BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 30)}`).toString()}`;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}

/**
 * Writes the store as an archive would be loaded by hand: every instance as a Part 10 file
 * (instances/<SOP Instance UID>.dcm), and every worklist item as a `.wl` file (Part 10, Explicit
 * VR Little Endian) that DCMTK's wlmscpfs and Orthanc's worklist plugin read — under
 * worklist/<AE title>/ with the empty lockfile wlmscpfs wants when an AE title is given.
 */
export function exportStore(store: Store, dir: string, writer: Part10Writer, o: { worklistAeTitle?: string } = {}): ExportReport {
  const instancesDir = path.join(dir, 'instances');
  const worklistDir = o.worklistAeTitle ? path.join(dir, 'worklist', o.worklistAeTitle) : path.join(dir, 'worklist');
  let instances = 0;
  for (const i of storeInstances(store)) {
    if (instances === 0) mkdirSync(instancesDir, { recursive: true });
    writeFileSync(path.join(instancesDir, `${safe(i.sopInstanceUid)}.dcm`), part10Bytes(i.dataSet, i.sopClassUid, i.sopInstanceUid, writer));
    instances++;
  }
  store.worklist.forEach((item, n) => {
    if (n === 0) {
      mkdirSync(worklistDir, { recursive: true });
      if (o.worklistAeTitle) writeFileSync(path.join(worklistDir, 'lockfile'), '');
    }
    const sps = item.values.ScheduledProcedureStepSequence as { ScheduledProcedureStepID?: string }[] | undefined;
    const id = sps?.[0]?.ScheduledProcedureStepID || `item-${n + 1}`;
    const uid = derivedUid(`${item.values.PatientID ?? ''}|${id}|${n}`);
    writeFileSync(path.join(worklistDir, `${safe(id)}.wl`), part10Bytes(worklistDataSet(item), MODALITY_WORKLIST_SOP_CLASS, uid, writer));
  });
  return { instances, worklist: store.worklist.length, instancesDir, worklistDir };
}
