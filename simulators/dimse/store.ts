import type { DimseCommand } from './command-set.ts';
import { CommandField, Priority } from './command-fields.ts';

/** C-STORE-RQ, PS3.7 Table 9.3-1: the instance travels as the data set. */
export function storeRequest(messageId: number, sopClassUid: string, sopInstanceUid: string, priority: number = Priority.MEDIUM): DimseCommand {
  return {
    CommandField: CommandField.C_STORE_RQ,
    AffectedSOPClassUID: sopClassUid,
    MessageID: messageId,
    Priority: priority,
    CommandDataSetType: 0x0000,
    AffectedSOPInstanceUID: sopInstanceUid,
  };
}

/** Storage statuses in words (PS3.4 Table B.2-1; general codes of PS3.7 Annex C). */
export function describeStoreStatus(status: number): string {
  const hex = status.toString(16).toUpperCase().padStart(4, '0');
  if (status === 0x0000) return `${hex} Success`;
  if (status === 0xb000) return `${hex} Warning: coercion of data elements`;
  if (status === 0xb007) return `${hex} Warning: data set does not match SOP class`;
  if (status === 0xb006) return `${hex} Warning: elements discarded`;
  if (status === 0x0001 || (status >= 0xb000 && status <= 0xbfff)) return `${hex} Warning`;
  if (status >= 0xa700 && status <= 0xa7ff) return `${hex} Refused: out of resources`;
  if (status >= 0xa900 && status <= 0xa9ff) return `${hex} Error: data set does not match SOP class`;
  if (status >= 0xc000 && status <= 0xcfff) return `${hex} Error: cannot understand`;
  if (status === 0x0122) return `${hex} Refused: SOP class not supported`;
  if (status === 0x0124) return `${hex} Refused: not authorized`;
  if (status === 0x0111) return `${hex} Failed: duplicate SOP instance`;
  if (status === 0x0117) return `${hex} Failed: invalid SOP instance`;
  return `${hex} Failed`;
}

/** Success or a Warning: the archive holds the instance (PS3.4 B.2.3). */
export function storeSucceeded(status: number): boolean {
  return status === 0x0000 || status === 0x0001 || (status >= 0xb000 && status <= 0xbfff);
}
