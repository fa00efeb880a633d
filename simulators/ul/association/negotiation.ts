import { DICOM_APPLICATION_CONTEXT } from '../pdu/constants.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './identity.ts';
import type {
  AsyncOperationsWindow,
  AssociateAccept,
  AssociateReject,
  AssociateRequest,
  ExtendedNegotiation,
  PresentationContextResult,
  RoleSelection,
  UserIdentityRequest,
} from './parameters.ts';

/** An abstract syntax the acceptor supports, with its transfer syntaxes in order of preference. */
export interface SupportedContext {
  abstractSyntax: string;
  transferSyntaxes: string[];
  /** Roles the acceptor grants for this SOP class when the requestor proposes them (PS3.7 D.3.3.4). Default: requestor may be SCU, not SCP. */
  grantScuRole?: boolean;
  grantScpRole?: boolean;
}

export type NegotiationDecision = { kind: 'accept'; accept: AssociateAccept } | { kind: 'reject'; reject: AssociateReject };

/** How an acceptor answers an A-ASSOCIATE-RQ. Everything a scripted peer may vary is here. */
export interface AcceptorPolicy {
  aeTitle: string;
  /** Reject with 1/1/7 when the Called AE title is not ours (PS3.8 7.1.1.4). Default true. */
  checkCalledAeTitle?: boolean;
  /** Calling AE titles accepted; undefined or containing "ANY" accepts all. Others get 1/1/3. */
  callingAeTitles?: string[];
  contexts: SupportedContext[];
  /** Pick the transfer syntax by the requestor's order of preference instead of ours. */
  preferRequestorTransferSyntaxOrder?: boolean;
  maxPduLength: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  /** What we support; answered only when proposed (PS3.7 D.3.3.3). Default 1/1 (synchronous). */
  asyncOperationsWindow?: AsyncOperationsWindow;
  /** Answer to a SOP Class Extended Negotiation sub-item; undefined sends none for that class. */
  extendedNegotiation?: (sopClassUid: string, requested: Uint8Array) => Uint8Array | undefined;
  /** Judge a User Identity; `accept: false` rejects the association (PS3.7 D.3.3.7.3). */
  userIdentity?: (identity: UserIdentityRequest) => { accept: boolean; serverResponse?: Uint8Array };
  /** Final say: sees the request and the computed decision, may return another (any result/source/reason). */
  decide?: (request: AssociateRequest, computed: NegotiationDecision) => NegotiationDecision | Promise<NegotiationDecision>;
}

const DEFAULT_ASYNC: AsyncOperationsWindow = { maxOperationsInvoked: 1, maxOperationsPerformed: 1 };

/** 0 means unlimited (PS3.7 D.3.3.3.1): the answer never exceeds a limited proposal. */
function minOps(proposed: number, ours: number): number {
  if (proposed === 0) return ours;
  if (ours === 0) return proposed;
  return Math.min(proposed, ours);
}

export function negotiate(rq: AssociateRequest, p: AcceptorPolicy): NegotiationDecision {
  const reject = (source: number, reason: number): NegotiationDecision => ({ kind: 'reject', reject: { result: 1, source, reason } });
  // PS3.7 A.2.1: only the DICOM application context name is supported.
  if (rq.applicationContextName !== DICOM_APPLICATION_CONTEXT) return reject(1, 2);
  if ((p.checkCalledAeTitle ?? true) && rq.calledAeTitle !== p.aeTitle) return reject(1, 7);
  if (p.callingAeTitles && !p.callingAeTitles.includes('ANY') && !p.callingAeTitles.includes(rq.callingAeTitle)) return reject(1, 3);

  let userIdentityResponse: Uint8Array | undefined;
  if (rq.userIdentity && p.userIdentity) {
    const verdict = p.userIdentity(rq.userIdentity);
    // PS3.7 D.3.3.7.3: an authorization failure is rejected-permanent from the service provider.
    if (!verdict.accept) return reject(2, 1);
    // PS3.7 D.3.3.7.2: respond only when a positive response was requested.
    if (rq.userIdentity.positiveResponseRequested) userIdentityResponse = verdict.serverResponse ?? new Uint8Array(0);
  }

  const presentationContexts: PresentationContextResult[] = rq.presentationContexts.map((pc) => {
    const supported = p.contexts.find((c) => c.abstractSyntax === pc.abstractSyntax);
    if (!supported) return { id: pc.id, result: 3, transferSyntax: pc.transferSyntaxes[0] ?? '' };
    const chosen = p.preferRequestorTransferSyntaxOrder
      ? pc.transferSyntaxes.find((ts) => supported.transferSyntaxes.includes(ts))
      : supported.transferSyntaxes.find((ts) => pc.transferSyntaxes.includes(ts));
    if (!chosen) return { id: pc.id, result: 4, transferSyntax: pc.transferSyntaxes[0] ?? '' };
    return { id: pc.id, result: 0, transferSyntax: chosen };
  });

  const roleSelections: RoleSelection[] = [];
  for (const r of rq.roleSelections) {
    const supported = p.contexts.find((c) => c.abstractSyntax === r.sopClassUid);
    if (!supported) continue;
    roleSelections.push({
      sopClassUid: r.sopClassUid,
      scuRole: r.scuRole && (supported.grantScuRole ?? true),
      scpRole: r.scpRole && (supported.grantScpRole ?? false),
    });
  }

  const extendedNegotiations: ExtendedNegotiation[] = [];
  if (p.extendedNegotiation) {
    for (const e of rq.extendedNegotiations) {
      const answer = p.extendedNegotiation(e.sopClassUid, e.applicationInformation);
      if (answer) extendedNegotiations.push({ sopClassUid: e.sopClassUid, applicationInformation: answer });
    }
  }

  const ours = p.asyncOperationsWindow ?? DEFAULT_ASYNC;
  const asyncOperationsWindow = rq.asyncOperationsWindow && {
    maxOperationsInvoked: minOps(rq.asyncOperationsWindow.maxOperationsInvoked, ours.maxOperationsInvoked),
    maxOperationsPerformed: minOps(rq.asyncOperationsWindow.maxOperationsPerformed, ours.maxOperationsPerformed),
  };

  return {
    kind: 'accept',
    accept: {
      protocolVersion: 1,
      applicationContextName: DICOM_APPLICATION_CONTEXT,
      presentationContexts,
      maxPduLength: p.maxPduLength,
      implementationClassUid: p.implementationClassUid ?? IMPLEMENTATION_CLASS_UID,
      implementationVersionName: p.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME,
      asyncOperationsWindow,
      roleSelections,
      extendedNegotiations,
      userIdentityResponse,
    },
  };
}
