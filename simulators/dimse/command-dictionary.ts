/** The command elements of group 0000, PS3.7 Annex E (Table E.1-1), with their VRs. */
export type CommandVr = 'UL' | 'US' | 'UI' | 'AE' | 'LO' | 'AT';

export interface CommandElementDefinition {
  tag: number;
  keyword: string;
  vr: CommandVr;
}

const defs: CommandElementDefinition[] = [
  { tag: 0x00000000, keyword: 'CommandGroupLength', vr: 'UL' },
  { tag: 0x00000002, keyword: 'AffectedSOPClassUID', vr: 'UI' },
  { tag: 0x00000003, keyword: 'RequestedSOPClassUID', vr: 'UI' },
  { tag: 0x00000100, keyword: 'CommandField', vr: 'US' },
  { tag: 0x00000110, keyword: 'MessageID', vr: 'US' },
  { tag: 0x00000120, keyword: 'MessageIDBeingRespondedTo', vr: 'US' },
  { tag: 0x00000600, keyword: 'MoveDestination', vr: 'AE' },
  { tag: 0x00000700, keyword: 'Priority', vr: 'US' },
  { tag: 0x00000800, keyword: 'CommandDataSetType', vr: 'US' },
  { tag: 0x00000900, keyword: 'Status', vr: 'US' },
  { tag: 0x00000901, keyword: 'OffendingElement', vr: 'AT' },
  { tag: 0x00000902, keyword: 'ErrorComment', vr: 'LO' },
  { tag: 0x00000903, keyword: 'ErrorID', vr: 'US' },
  { tag: 0x00001000, keyword: 'AffectedSOPInstanceUID', vr: 'UI' },
  { tag: 0x00001001, keyword: 'RequestedSOPInstanceUID', vr: 'UI' },
  { tag: 0x00001002, keyword: 'EventTypeID', vr: 'US' },
  { tag: 0x00001005, keyword: 'AttributeIdentifierList', vr: 'AT' },
  { tag: 0x00001008, keyword: 'ActionTypeID', vr: 'US' },
  { tag: 0x00001020, keyword: 'NumberOfRemainingSuboperations', vr: 'US' },
  { tag: 0x00001021, keyword: 'NumberOfCompletedSuboperations', vr: 'US' },
  { tag: 0x00001022, keyword: 'NumberOfFailedSuboperations', vr: 'US' },
  { tag: 0x00001023, keyword: 'NumberOfWarningSuboperations', vr: 'US' },
  { tag: 0x00001030, keyword: 'MoveOriginatorApplicationEntityTitle', vr: 'AE' },
  { tag: 0x00001031, keyword: 'MoveOriginatorMessageID', vr: 'US' },
];

export const COMMAND_ELEMENTS: ReadonlyMap<number, CommandElementDefinition> = new Map(defs.map((d) => [d.tag, d]));

export function formatTag(tag: number): string {
  const g = (tag >>> 16).toString(16).padStart(4, '0').toUpperCase();
  const e = (tag & 0xffff).toString(16).padStart(4, '0').toUpperCase();
  return `(${g},${e})`;
}
