import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { describeStoreStatus, storeSucceeded } from '../dimse/store.ts';
import { storeInstances } from '../store/instances.ts';
import type { Store } from '../store/store.ts';
import { HarnessError } from '../wire/errors.ts';
import { associate } from './target.ts';
import type { Target } from './target.ts';

export interface LoadReport {
  sent: number;
  stored: number;
  /** Instances the archive did not take, with its status or the error. */
  failed: { sopInstanceUid: string; sopClassUid: string; reason: string }[];
  /** Instances taken with a warning status. */
  warnings: { sopInstanceUid: string; status: string }[];
  /** SOP classes whose presentation context the archive rejected. */
  rejectedSopClasses: string[];
  ms: number;
}

/**
 * Sends every instance of the store to the archive with C-STORE (PS3.4 Annex B) over one
 * association: one presentation context per SOP class, Explicit and Implicit VR Little Endian.
 * Nothing is thrown for what the archive refuses: each refusal is listed with its cause.
 */
export async function loadIntoArchive(target: Target, store: Store, onProgress?: (done: number, total: number) => void): Promise<LoadReport> {
  const t0 = performance.now();
  const instances = [...storeInstances(store)];
  const classes = [...new Set(instances.map((i) => i.sopClassUid))];
  const report: LoadReport = { sent: 0, stored: 0, failed: [], warnings: [], rejectedSopClasses: [], ms: 0 };
  const { client, error } = await associate(
    target,
    [...classes.map((c) => ({ abstractSyntax: c, transferSyntaxes: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian] })), { abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }],
  );
  if (!client) {
    for (const i of instances) report.failed.push({ sopInstanceUid: i.sopInstanceUid, sopClassUid: i.sopClassUid, reason: `no association: ${error!.message}` });
    report.ms = performance.now() - t0;
    return report;
  }
  report.rejectedSopClasses = classes.filter((c) => !client.association.contextFor(c));
  for (const [n, i] of instances.entries()) {
    if (!client.association.contextFor(i.sopClassUid)) {
      report.failed.push({ sopInstanceUid: i.sopInstanceUid, sopClassUid: i.sopClassUid, reason: 'the archive rejected the presentation context of its SOP class' });
      continue;
    }
    if (!client.association.isEstablished) {
      report.failed.push({ sopInstanceUid: i.sopInstanceUid, sopClassUid: i.sopClassUid, reason: 'the association ended before it was sent' });
      continue;
    }
    report.sent++;
    try {
      const r = await client.store(i.sopClassUid, i.sopInstanceUid, i.dataSet);
      if (!storeSucceeded(r.status)) report.failed.push({ sopInstanceUid: i.sopInstanceUid, sopClassUid: i.sopClassUid, reason: describeStoreStatus(r.status) });
      else {
        report.stored++;
        if (r.status !== 0) report.warnings.push({ sopInstanceUid: i.sopInstanceUid, status: describeStoreStatus(r.status) });
      }
    } catch (e) {
      if (!(e instanceof HarnessError)) throw e;
      report.failed.push({ sopInstanceUid: i.sopInstanceUid, sopClassUid: i.sopClassUid, reason: `${e.code}: ${e.message}` });
    }
    onProgress?.(n + 1, instances.length);
  }
  if (client.association.isEstablished) await client.release().catch(() => client.abort());
  report.ms = performance.now() - t0;
  return report;
}
