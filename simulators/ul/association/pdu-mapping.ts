import { DICOM_APPLICATION_CONTEXT } from '../pdu/constants.ts';
import type { PresentationContextAcItem, PresentationContextRqItem, UserInformationSubItem, VariableItem } from '../pdu/items.ts';
import { isUnknownItem } from '../pdu/items.ts';
import type { AssociateAcPdu, AssociateRjPdu, AssociateRqPdu } from '../pdu/pdus.ts';
import type { AssociateAccept, AssociateReject, AssociateRequest } from './parameters.ts';
import { normaliseUid, trimAeTitle } from './parameters.ts';

function userInfoOf(items: VariableItem[]): UserInformationSubItem[] {
  for (const item of items) if (!isUnknownItem(item) && item.type === 0x50) return item.subItems;
  return [];
}

function known<T extends UserInformationSubItem['type']>(subs: UserInformationSubItem[], type: T): Extract<UserInformationSubItem, { type: T }>[] {
  return subs.filter((s) => !isUnknownItem(s) && s.type === type) as Extract<UserInformationSubItem, { type: T }>[];
}

function applicationContextOf(items: VariableItem[]): string {
  for (const item of items) if (!isUnknownItem(item) && item.type === 0x10) return normaliseUid(item.name);
  return '';
}

/** The A-ASSOCIATE-RQ parameters a PDU carries (first of each sub-item kind wins; validation reports duplicates). */
export function requestFromPdu(pdu: AssociateRqPdu): AssociateRequest {
  const subs = userInfoOf(pdu.items);
  const max = known(subs, 0x51)[0];
  const async = known(subs, 0x53)[0];
  const identity = known(subs, 0x58)[0];
  return {
    protocolVersion: pdu.protocolVersion,
    calledAeTitle: trimAeTitle(pdu.calledAeTitle),
    callingAeTitle: trimAeTitle(pdu.callingAeTitle),
    applicationContextName: applicationContextOf(pdu.items),
    presentationContexts: pdu.items
      .filter((i): i is PresentationContextRqItem => !isUnknownItem(i) && i.type === 0x20)
      .map((pc) => ({
        id: pc.contextId,
        abstractSyntax: normaliseUid(pc.subItems.find((s) => !isUnknownItem(s) && s.type === 0x30)?.['name' as never] ?? ''),
        transferSyntaxes: pc.subItems.filter((s) => !isUnknownItem(s) && s.type === 0x40).map((s) => normaliseUid((s as { name: string }).name)),
      })),
    maxPduLength: max?.maxLength,
    implementationClassUid: known(subs, 0x52)[0]?.uid,
    implementationVersionName: known(subs, 0x55)[0]?.name,
    asyncOperationsWindow: async && { maxOperationsInvoked: async.maxOperationsInvoked, maxOperationsPerformed: async.maxOperationsPerformed },
    roleSelections: known(subs, 0x54).map((r) => ({ sopClassUid: normaliseUid(r.sopClassUid), scuRole: r.scuRole === 1, scpRole: r.scpRole === 1 })),
    extendedNegotiations: known(subs, 0x56).map((e) => ({ sopClassUid: normaliseUid(e.sopClassUid), applicationInformation: e.applicationInformation })),
    commonExtendedNegotiations: known(subs, 0x57).map((c) => ({
      sopClassUid: normaliseUid(c.sopClassUid),
      serviceClassUid: normaliseUid(c.serviceClassUid),
      relatedGeneralSopClassUids: c.relatedGeneralSopClassUids.map(normaliseUid),
    })),
    userIdentity: identity && {
      type: identity.identityType,
      positiveResponseRequested: identity.positiveResponseRequested === 1,
      primaryField: identity.primaryField,
      secondaryField: identity.secondaryField,
    },
  };
}

export function acceptFromPdu(pdu: AssociateAcPdu): AssociateAccept {
  const subs = userInfoOf(pdu.items);
  const async = known(subs, 0x53)[0];
  return {
    protocolVersion: pdu.protocolVersion,
    applicationContextName: applicationContextOf(pdu.items),
    presentationContexts: pdu.items
      .filter((i): i is PresentationContextAcItem => !isUnknownItem(i) && i.type === 0x21)
      .map((pc) => ({
        id: pc.contextId,
        result: pc.result,
        transferSyntax: normaliseUid((pc.subItems.find((s) => !isUnknownItem(s) && s.type === 0x40) as { name: string } | undefined)?.name ?? ''),
      })),
    maxPduLength: known(subs, 0x51)[0]?.maxLength,
    implementationClassUid: known(subs, 0x52)[0]?.uid,
    implementationVersionName: known(subs, 0x55)[0]?.name,
    asyncOperationsWindow: async && { maxOperationsInvoked: async.maxOperationsInvoked, maxOperationsPerformed: async.maxOperationsPerformed },
    roleSelections: known(subs, 0x54).map((r) => ({ sopClassUid: normaliseUid(r.sopClassUid), scuRole: r.scuRole === 1, scpRole: r.scpRole === 1 })),
    extendedNegotiations: known(subs, 0x56).map((e) => ({ sopClassUid: normaliseUid(e.sopClassUid), applicationInformation: e.applicationInformation })),
    userIdentityResponse: known(subs, 0x59)[0]?.serverResponse,
  };
}

function userInformationSubItems(p: {
  maxPduLength: number | undefined;
  implementationClassUid: string | undefined;
  implementationVersionName: string | undefined;
  asyncOperationsWindow: AssociateRequest['asyncOperationsWindow'];
  roleSelections: AssociateRequest['roleSelections'];
  extendedNegotiations: AssociateRequest['extendedNegotiations'];
}): UserInformationSubItem[] {
  const subs: UserInformationSubItem[] = [];
  if (p.maxPduLength !== undefined) subs.push({ type: 0x51, maxLength: p.maxPduLength });
  if (p.implementationClassUid !== undefined) subs.push({ type: 0x52, uid: p.implementationClassUid });
  if (p.asyncOperationsWindow) subs.push({ type: 0x53, ...p.asyncOperationsWindow });
  for (const r of p.roleSelections) subs.push({ type: 0x54, sopClassUid: r.sopClassUid, scuRole: r.scuRole ? 1 : 0, scpRole: r.scpRole ? 1 : 0 });
  if (p.implementationVersionName !== undefined) subs.push({ type: 0x55, name: p.implementationVersionName });
  for (const e of p.extendedNegotiations) subs.push({ type: 0x56, sopClassUid: e.sopClassUid, applicationInformation: e.applicationInformation });
  return subs;
}

/** Builds the A-ASSOCIATE-RQ PDU; items in increasing type order (PS3.8 9.3.1). */
export function requestToPdu(rq: AssociateRequest): AssociateRqPdu {
  const subs = userInformationSubItems(rq);
  for (const c of rq.commonExtendedNegotiations) subs.push({ type: 0x57, subItemVersion: 0, ...c });
  if (rq.userIdentity) {
    subs.push({
      type: 0x58,
      identityType: rq.userIdentity.type,
      positiveResponseRequested: rq.userIdentity.positiveResponseRequested ? 1 : 0,
      primaryField: rq.userIdentity.primaryField,
      secondaryField: rq.userIdentity.secondaryField,
    });
  }
  return {
    type: 0x01,
    protocolVersion: rq.protocolVersion,
    calledAeTitle: rq.calledAeTitle.padEnd(16, ' '),
    callingAeTitle: rq.callingAeTitle.padEnd(16, ' '),
    items: [
      { type: 0x10, name: rq.applicationContextName || DICOM_APPLICATION_CONTEXT },
      ...rq.presentationContexts.map(
        (pc): PresentationContextRqItem => ({
          type: 0x20,
          contextId: pc.id,
          subItems: [{ type: 0x30, name: pc.abstractSyntax }, ...pc.transferSyntaxes.map((ts) => ({ type: 0x40 as const, name: ts }))],
        }),
      ),
      { type: 0x50, subItems: subs },
    ],
  };
}

/** Builds the A-ASSOCIATE-AC; bytes 11–74 echo the request's (PS3.8 Table 9-17). */
export function acceptToPdu(rqPdu: AssociateRqPdu, ac: AssociateAccept): AssociateAcPdu {
  const subs = userInformationSubItems(ac);
  if (ac.userIdentityResponse) subs.push({ type: 0x59, serverResponse: ac.userIdentityResponse });
  const pdu: AssociateAcPdu = {
    type: 0x02,
    protocolVersion: ac.protocolVersion,
    calledAeTitle: rqPdu.calledAeTitle,
    callingAeTitle: rqPdu.callingAeTitle,
    items: [
      { type: 0x10, name: ac.applicationContextName },
      ...ac.presentationContexts.map(
        (pc): PresentationContextAcItem => ({ type: 0x21, contextId: pc.id, result: pc.result, subItems: [{ type: 0x40, name: pc.transferSyntax }] }),
      ),
      { type: 0x50, subItems: subs },
    ],
  };
  if (rqPdu.reservedBytes9to10 !== undefined) pdu.reservedBytes9to10 = rqPdu.reservedBytes9to10;
  if (rqPdu.reservedBytes43to74 !== undefined) pdu.reservedBytes43to74 = rqPdu.reservedBytes43to74;
  return pdu;
}

export function rejectToPdu(rj: AssociateReject): AssociateRjPdu {
  return { type: 0x03, result: rj.result, source: rj.source, reason: rj.reason };
}
