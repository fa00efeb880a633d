/**
 * A-ASSOCIATE service parameters (PS3.8 7.1.1) in the form the API uses: AE titles trimmed,
 * items grouped by meaning. The faithful PDU stays available beside them for conformance checks.
 */
export interface PresentationContextProposal {
  /** Odd, 1–255, unique in the association (PS3.8 9.3.2.2). */
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface PresentationContextResult {
  id: number;
  /** 0 acceptance … 4 transfer-syntaxes-not-supported (PS3.8 Table 9-18). */
  result: number;
  /** The accepted transfer syntax (present even for a rejection, where it is not significant). */
  transferSyntax: string;
}

export interface RoleSelection {
  sopClassUid: string;
  scuRole: boolean;
  scpRole: boolean;
}

export interface AsyncOperationsWindow {
  maxOperationsInvoked: number;
  maxOperationsPerformed: number;
}

export interface ExtendedNegotiation {
  sopClassUid: string;
  applicationInformation: Uint8Array;
}

export interface CommonExtendedNegotiation {
  sopClassUid: string;
  serviceClassUid: string;
  relatedGeneralSopClassUids: string[];
}

export interface UserIdentityRequest {
  /** 1 username, 2 username + passcode, 3 Kerberos, 4 SAML, 5 JWT. */
  type: number;
  positiveResponseRequested: boolean;
  primaryField: Uint8Array;
  secondaryField: Uint8Array;
}

/** Everything an A-ASSOCIATE-RQ carries. */
export interface AssociateRequest {
  protocolVersion: number;
  calledAeTitle: string;
  callingAeTitle: string;
  applicationContextName: string;
  presentationContexts: PresentationContextProposal[];
  /** Maximum Length the requestor receives; 0 = no limit; undefined when the 51H sub-item is missing. */
  maxPduLength: number | undefined;
  implementationClassUid: string | undefined;
  implementationVersionName: string | undefined;
  asyncOperationsWindow: AsyncOperationsWindow | undefined;
  roleSelections: RoleSelection[];
  extendedNegotiations: ExtendedNegotiation[];
  commonExtendedNegotiations: CommonExtendedNegotiation[];
  userIdentity: UserIdentityRequest | undefined;
}

/** Everything an A-ASSOCIATE-AC carries. */
export interface AssociateAccept {
  protocolVersion: number;
  applicationContextName: string;
  presentationContexts: PresentationContextResult[];
  maxPduLength: number | undefined;
  implementationClassUid: string | undefined;
  implementationVersionName: string | undefined;
  asyncOperationsWindow: AsyncOperationsWindow | undefined;
  roleSelections: RoleSelection[];
  extendedNegotiations: ExtendedNegotiation[];
  /** Server response of the 59H sub-item, when sent. */
  userIdentityResponse: Uint8Array | undefined;
}

export interface AssociateReject {
  /** 1 rejected-permanent, 2 rejected-transient. */
  result: number;
  /** 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation). */
  source: number;
  reason: number;
}

/** A presentation context both sides agreed on. */
export interface AcceptedContext {
  id: number;
  abstractSyntax: string;
  transferSyntax: string;
}

/** AE titles: leading and trailing spaces are not significant (PS3.8 Table 9-11; PS3.5 AE). */
export function trimAeTitle(raw: string): string {
  return raw.replace(/^ +| +$/g, '');
}

/** UIDs in PDU items carry no padding (PS3.8 F.1); tolerate a trailing NUL or space when comparing. */
export function normaliseUid(raw: string): string {
  return raw.replace(/[\0 ]+$/, '');
}
