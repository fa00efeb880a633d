/** The uncompressed transfer syntaxes a DIMSE data set can travel in (PS3.5 A.1, A.2, A.3). */
export interface TransferSyntaxInfo {
  uid: string;
  name: string;
  explicitVr: boolean;
  littleEndian: boolean;
}

export const IMPLICIT_LITTLE: TransferSyntaxInfo = { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', explicitVr: false, littleEndian: true };
export const EXPLICIT_LITTLE: TransferSyntaxInfo = { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', explicitVr: true, littleEndian: true };
export const EXPLICIT_BIG: TransferSyntaxInfo = { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian (retired)', explicitVr: true, littleEndian: false };

const known = new Map([IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG].map((t) => [t.uid, t]));

/** Deflated and encapsulated syntaxes do not apply to C-FIND identifiers; they are answered as unknown. */
export function transferSyntax(uid: string): TransferSyntaxInfo | undefined {
  return known.get(uid);
}
