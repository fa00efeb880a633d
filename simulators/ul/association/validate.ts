import { isUnknownItem } from '../pdu/items.ts';
import type { PresentationContextAcItem, PresentationContextRqItem, UserInformationSubItem } from '../pdu/items.ts';
import type { AssociateAcPdu, AssociateRqPdu } from '../pdu/pdus.ts';

/**
 * What is wrong with a received A-ASSOCIATE PDU. `invalid` problems make it an invalid PDU
 * (Evt19: the association is aborted); `violation` problems are reported and tolerated.
 */
export interface Problem {
  severity: 'invalid' | 'violation';
  reference: string;
  message: string;
}

const UID_PADDING = /[\0 ]$/;

function subItemsOf(pdu: AssociateRqPdu | AssociateAcPdu): UserInformationSubItem[] | undefined {
  const ui = pdu.items.filter((i) => !isUnknownItem(i) && i.type === 0x50);
  return ui.length === 0 ? undefined : (ui[0] as { subItems: UserInformationSubItem[] }).subItems;
}

function checkUserInformation(subs: UserInformationSubItem[], out: Problem[]): void {
  const count = (t: number) => subs.filter((s) => !isUnknownItem(s) && s.type === t).length;
  if (count(0x51) === 0) out.push({ severity: 'violation', reference: 'PS3.8 D.1', message: 'no Maximum Length sub-item (51H); it is mandatory' });
  if (count(0x52) === 0) out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.2', message: 'no Implementation Class UID sub-item (52H); it is mandatory' });
  for (const t of [0x51, 0x52, 0x53, 0x55]) {
    if (count(t) > 1) out.push({ severity: 'violation', reference: 'PS3.7 D.3.3', message: `sub-item ${t.toString(16).toUpperCase()}H appears ${count(t)} times` });
  }
  for (const s of subs) {
    if (isUnknownItem(s)) continue;
    if (s.type === 0x55 && (s.name.length < 1 || s.name.length > 16)) {
      out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.2.3', message: `Implementation Version Name is ${s.name.length} characters; it must be 1 to 16` });
    }
    if (s.type === 0x52 && UID_PADDING.test(s.uid)) {
      out.push({ severity: 'violation', reference: 'PS3.8 F.1', message: 'Implementation Class UID is padded; UIDs in PDU items carry no padding' });
    }
  }
}

function checkItemOrder(pdu: AssociateRqPdu | AssociateAcPdu, out: Problem[]): void {
  const types = pdu.items.filter((i) => !isUnknownItem(i)).map((i) => i.type);
  for (let i = 1; i < types.length; i++) {
    if (types[i]! < types[i - 1]!) {
      out.push({ severity: 'violation', reference: 'PS3.8 9.3.1', message: 'items are not in increasing item-type order' });
      return;
    }
  }
}

/** Structural rules for an A-ASSOCIATE-RQ (PS3.8 9.3.2, 7.1.1.13; PS3.7 D.3). */
export function validateAssociateRq(pdu: AssociateRqPdu): Problem[] {
  const out: Problem[] = [];
  const known = pdu.items.filter((i) => !isUnknownItem(i));
  const appContexts = known.filter((i) => i.type === 0x10).length;
  if (appContexts !== 1) out.push({ severity: 'invalid', reference: 'PS3.8 9.3.2', message: `${appContexts} Application Context items; exactly one is required` });
  const pcs = known.filter((i): i is PresentationContextRqItem => i.type === 0x20);
  if (pcs.length === 0) out.push({ severity: 'invalid', reference: 'PS3.8 9.3.2', message: 'no Presentation Context item; at least one is required' });
  const seen = new Set<number>();
  for (const pc of pcs) {
    if (pc.contextId % 2 === 0) out.push({ severity: 'invalid', reference: 'PS3.8 9.3.2.2', message: `presentation context ID ${pc.contextId} is even; it must be odd` });
    if (seen.has(pc.contextId)) out.push({ severity: 'invalid', reference: 'PS3.8 7.1.1.13', message: `presentation context ID ${pc.contextId} is used twice` });
    seen.add(pc.contextId);
    const abstract = pc.subItems.filter((s) => !isUnknownItem(s) && s.type === 0x30).length;
    const transfer = pc.subItems.filter((s) => !isUnknownItem(s) && s.type === 0x40).length;
    if (abstract !== 1 || transfer < 1) {
      out.push({
        severity: 'invalid',
        reference: 'PS3.8 9.3.2.2',
        message: `presentation context ${pc.contextId} has ${abstract} abstract syntax and ${transfer} transfer syntax sub-items; one and at least one are required`,
      });
    }
  }
  const ui = known.filter((i) => i.type === 0x50).length;
  if (ui !== 1) out.push({ severity: 'invalid', reference: 'PS3.8 9.3.2', message: `${ui} User Information items; exactly one is required` });
  const subs = subItemsOf(pdu);
  if (subs) {
    checkUserInformation(subs, out);
    if (subs.some((s) => !isUnknownItem(s) && s.type === 0x59)) {
      out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.7', message: 'User Identity response (59H) sent in an A-ASSOCIATE-RQ' });
    }
  }
  if (pdu.calledAeTitle.trim() === '') out.push({ severity: 'violation', reference: 'PS3.8 Table 9-11', message: 'the Called AE title is all spaces' });
  if (pdu.callingAeTitle.trim() === '') out.push({ severity: 'violation', reference: 'PS3.8 Table 9-11', message: 'the Calling AE title is all spaces' });
  checkItemOrder(pdu, out);
  return out;
}

/** Rules for an A-ASSOCIATE-AC, judged against the request we sent (PS3.8 9.3.3, 7.1.1.14; PS3.7 D.3.3). */
export function validateAssociateAc(pdu: AssociateAcPdu, rq: AssociateRqPdu): Problem[] {
  const out: Problem[] = [];
  const proposed = new Map<number, PresentationContextRqItem>();
  for (const i of rq.items) if (!isUnknownItem(i) && i.type === 0x20) proposed.set(i.contextId, i);
  const results = pdu.items.filter((i): i is PresentationContextAcItem => !isUnknownItem(i) && i.type === 0x21);
  const answered = new Set<number>();
  for (const r of results) {
    const p = proposed.get(r.contextId);
    if (!p) {
      out.push({ severity: 'invalid', reference: 'PS3.8 7.1.1.14', message: `result for presentation context ${r.contextId}, which was not proposed` });
      continue;
    }
    if (answered.has(r.contextId)) out.push({ severity: 'invalid', reference: 'PS3.8 7.1.1.14', message: `two results for presentation context ${r.contextId}` });
    answered.add(r.contextId);
    if (r.result > 4) out.push({ severity: 'invalid', reference: 'PS3.8 Table 9-18', message: `presentation context ${r.contextId} has result ${r.result}, not 0-4` });
    const ts = r.subItems.filter((s) => !isUnknownItem(s) && s.type === 0x40) as { name: string }[];
    if (r.result === 0) {
      const offered = p.subItems.filter((s) => !isUnknownItem(s) && s.type === 0x40).map((s) => (s as { name: string }).name.replace(/[\0 ]+$/, ''));
      const chosen = ts[0]?.name.replace(/[\0 ]+$/, '');
      if (ts.length !== 1 || chosen === undefined || !offered.includes(chosen)) {
        out.push({
          severity: 'invalid',
          reference: 'PS3.8 9.3.3.2',
          message: `accepted presentation context ${r.contextId} must name exactly one of the offered transfer syntaxes, got ${ts.map((t) => t.name).join(', ') || 'none'}`,
        });
      }
    } else if (ts.length !== 1) {
      out.push({ severity: 'violation', reference: 'PS3.8 Table 9-18', message: `rejected presentation context ${r.contextId} has ${ts.length} transfer syntax sub-items; one is expected` });
    }
  }
  for (const id of proposed.keys()) {
    if (!answered.has(id)) out.push({ severity: 'violation', reference: 'PS3.8 7.1.1.14', message: `no result for proposed presentation context ${id}` });
  }
  const subs = subItemsOf(pdu);
  if (!subs) {
    out.push({ severity: 'invalid', reference: 'PS3.8 9.3.3', message: 'no User Information item' });
  } else {
    checkUserInformation(subs, out);
    const rqSubs = subItemsOf(rq) ?? [];
    const has = (list: UserInformationSubItem[], t: number) => list.some((s) => !isUnknownItem(s) && s.type === t);
    if (has(subs, 0x53) && !has(rqSubs, 0x53)) out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.3', message: 'Asynchronous Operations Window in the AC but not in the RQ' });
    if (has(subs, 0x57)) out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.6', message: 'SOP Class Common Extended Negotiation (57H) in an A-ASSOCIATE-AC' });
    const rqIdentity = rqSubs.find((s) => !isUnknownItem(s) && s.type === 0x58) as { positiveResponseRequested: number } | undefined;
    if (has(subs, 0x59) && rqIdentity?.positiveResponseRequested !== 1) {
      out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.7', message: 'User Identity response (59H) without a request for one' });
    }
    for (const s of subs) {
      if (isUnknownItem(s)) continue;
      if (s.type === 0x54) {
        const asked = rqSubs.find((r) => !isUnknownItem(r) && r.type === 0x54 && r.sopClassUid === s.sopClassUid) as { scuRole: number; scpRole: number } | undefined;
        if (!asked) out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.4', message: `role selection for ${s.sopClassUid}, which was not proposed` });
        else if ((s.scuRole === 1 && asked.scuRole !== 1) || (s.scpRole === 1 && asked.scpRole !== 1)) {
          out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.4', message: `role selection for ${s.sopClassUid} grants a role that was not proposed` });
        }
      }
      if (s.type === 0x56 && !rqSubs.some((r) => !isUnknownItem(r) && r.type === 0x56 && r.sopClassUid === s.sopClassUid)) {
        out.push({ severity: 'violation', reference: 'PS3.7 D.3.3.5', message: `extended negotiation for ${s.sopClassUid}, which was not offered` });
      }
    }
  }
  checkItemOrder(pdu, out);
  return out;
}
