import { uidNames } from '../../simulators/dimse/sop-classes.ts';

const byName = new Map<string, string>();
for (const [uid, name] of Object.entries(uidNames)) byName.set(name.toLowerCase(), uid);
byName.set('verification', '1.2.840.10008.1.1');
byName.set('study root find', '1.2.840.10008.5.1.4.1.2.2.1');
byName.set('patient root find', '1.2.840.10008.5.1.4.1.2.1.1');
byName.set('modality worklist find', '1.2.840.10008.5.1.4.31');

/** A UID written in a feature either as a UID or by its name in PS3.6 ("Implicit VR Little Endian", "Verification"). */
export function uidOf(text: string): string {
  const t = text.trim();
  if (/^[0-9.]+$/.test(t)) return t;
  const uid = byName.get(t.toLowerCase());
  if (!uid) throw new Error(`unknown SOP class or transfer syntax name "${t}"`);
  return uid;
}
