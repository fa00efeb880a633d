import type { DimseCommand } from '../dimse/command-set.ts';
import { commandFieldName } from '../dimse/command-fields.ts';
import { describeStatus } from '../dimse/status.ts';
import { uidName } from '../dimse/sop-classes.ts';
import { isUnknownItem } from '../ul/pdu/items.ts';
import { pduTypeName } from '../ul/pdu/constants.ts';
import type { Pdu } from '../ul/pdu/pdus.ts';
import { isUnknownPdu } from '../ul/pdu/pdus.ts';
import { describeAbort, describeReject } from '../ul/reasons.ts';

/** One line saying what a PDU is and its key fields, for traces and reports. */
export function describePdu(pdu: Pdu): string {
  if (isUnknownPdu(pdu)) return `${pduTypeName(pdu.type)} (${pdu.body.length} bytes)`;
  switch (pdu.type) {
    case 0x01:
    case 0x02: {
      const pcs = pdu.items.filter((i) => !isUnknownItem(i) && (i.type === 0x20 || i.type === 0x21)).length;
      const ui = pdu.items.find((i) => !isUnknownItem(i) && i.type === 0x50) as { subItems: { type: number; maxLength?: number }[] } | undefined;
      const max = ui?.subItems.find((s) => s.type === 0x51)?.maxLength;
      return `${pduTypeName(pdu.type)} called "${pdu.calledAeTitle.trim()}" calling "${pdu.callingAeTitle.trim()}", ${pcs} presentation context(s), max PDU ${max ?? 'absent'}`;
    }
    case 0x03:
      return `A-ASSOCIATE-RJ ${describeReject(pdu.result, pdu.source, pdu.reason)}`;
    case 0x04: {
      const parts = pdu.pdvs.map((p) => `ctx ${p.contextId} ${p.messageControlHeader & 1 ? 'command' : 'data set'}${p.messageControlHeader & 2 ? ' last' : ''} ${p.data.length} B`);
      return `P-DATA-TF [${parts.join('; ')}]`;
    }
    case 0x05:
      return 'A-RELEASE-RQ';
    case 0x06:
      return 'A-RELEASE-RP';
    case 0x07:
      return `A-ABORT ${describeAbort(pdu.source, pdu.reason)}`;
  }
}

/** One line for a DIMSE command: name, message IDs, SOP class, status. */
export function describeCommand(c: DimseCommand): string {
  const parts = [commandFieldName(c.CommandField)];
  if (c.MessageID !== undefined) parts.push(`msg ${c.MessageID}`);
  if (c.MessageIDBeingRespondedTo !== undefined) parts.push(`re ${c.MessageIDBeingRespondedTo}`);
  if (c.AffectedSOPClassUID) parts.push(uidName(c.AffectedSOPClassUID));
  if (c.Status !== undefined) parts.push(`status ${describeStatus(c.Status)}`);
  if (c.ErrorComment) parts.push(`"${c.ErrorComment}"`);
  return parts.join(', ');
}
