import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../clock/clock.ts';
import type { Clock } from '../../clock/clock.ts';
import { nullSink } from '../../events/event-stream.ts';
import type { EventSink } from '../../events/event-stream.ts';
import type { HarnessError } from '../../wire/errors.ts';
import { AssociationAbortedError, AssociationRejectedError, ProtocolError, UsageError } from '../errors.ts';
import type { UlEvent } from '../events.ts';
import { defaultFramerLimits } from '../framer.ts';
import { DICOM_APPLICATION_CONTEXT } from '../pdu/constants.ts';
import type { AssociateRqPdu } from '../pdu/pdus.ts';
import { isUnknownPdu } from '../pdu/pdus.ts';
import { UpperLayerProvider } from '../provider.ts';
import type { ProviderUser } from '../provider.ts';
import { describeAbort, describeReject } from '../reasons.ts';
import { defaultTimeouts } from '../timers.ts';
import type { Timeouts } from '../timers.ts';
import { Association } from './association.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './identity.ts';
import type { AssociateRequest, AsyncOperationsWindow, CommonExtendedNegotiation, ExtendedNegotiation, RoleSelection, UserIdentityRequest } from './parameters.ts';
import { acceptFromPdu, requestFromPdu, requestToPdu } from './pdu-mapping.ts';
import { validateAssociateAc } from './validate.ts';

export interface ContextProposal {
  abstractSyntax: string;
  transferSyntaxes: string[];
  /** Presentation context ID; assigned 1, 3, 5 … when absent. An even or repeated ID is sent as given (a fault). */
  id?: number;
}

export interface RequestorOptions {
  host: string;
  port: number;
  calledAeTitle: string;
  callingAeTitle: string;
  presentationContexts: ContextProposal[];
  /** Our Maximum Length (51H); 0 = no limit. Default 16384. */
  maxPduLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  asyncOperationsWindow?: AsyncOperationsWindow;
  roleSelections?: RoleSelection[];
  extendedNegotiations?: ExtendedNegotiation[];
  commonExtendedNegotiations?: CommonExtendedNegotiation[];
  userIdentity?: UserIdentityRequest;
  protocolVersion?: number;
  applicationContextName?: string;
  /** Send exactly this A-ASSOCIATE-RQ instead of building one (scripted faults). */
  rqPdu?: AssociateRqPdu;
  timeouts?: Partial<Timeouts>;
  /** Close the transport as soon as a timeout's A-ABORT is written, without the ARTIM wait (PS3.8 9.1.4). */
  closeAfterTimeout?: boolean;
  clock?: Clock;
  events?: EventSink<UlEvent>;
  associationId?: string;
  /** Resolves `host` instead of the system resolver (a site's own name service, or one that never answers). */
  lookup?: net.LookupFunction;
}

export const DEFAULT_MAX_PDU_LENGTH = 16384;

/** The A-ASSOCIATE-RQ parameters these options describe. */
export function buildRequest(o: RequestorOptions): AssociateRequest {
  let next = 1;
  return {
    protocolVersion: o.protocolVersion ?? 1,
    calledAeTitle: o.calledAeTitle,
    callingAeTitle: o.callingAeTitle,
    applicationContextName: o.applicationContextName ?? DICOM_APPLICATION_CONTEXT,
    presentationContexts: o.presentationContexts.map((pc) => {
      const id = pc.id ?? next;
      next = Math.max(next, id) + 2;
      return { id, abstractSyntax: pc.abstractSyntax, transferSyntaxes: pc.transferSyntaxes };
    }),
    maxPduLength: o.maxPduLength ?? DEFAULT_MAX_PDU_LENGTH,
    implementationClassUid: o.implementationClassUid ?? IMPLEMENTATION_CLASS_UID,
    implementationVersionName: o.implementationVersionName ?? IMPLEMENTATION_VERSION_NAME,
    asyncOperationsWindow: o.asyncOperationsWindow,
    roleSelections: o.roleSelections ?? [],
    extendedNegotiations: o.extendedNegotiations ?? [],
    commonExtendedNegotiations: o.commonExtendedNegotiations ?? [],
    userIdentity: o.userIdentity,
  };
}

/**
 * Opens a TCP connection and negotiates an association (PS3.8 7.1). Resolves with the
 * established association; rejects with AssociationRejectedError, ConnectionError,
 * TimeoutError or AssociationAbortedError.
 */
export function requestAssociation(o: RequestorOptions): Promise<Association> {
  for (const ae of [o.calledAeTitle, o.callingAeTitle]) {
    if (ae.length === 0 || ae.length > 16) throw new UsageError('UL_INVALID_PARAMETER', `AE title "${ae}" must be 1 to 16 characters`);
  }
  const clock = o.clock ?? systemClock;
  const events: EventSink<UlEvent> = o.events ?? nullSink;
  const id = o.associationId ?? `rq-${randomUUID().slice(0, 8)}`;
  const request = o.rqPdu ? requestFromPdu(o.rqPdu) : buildRequest(o);
  const rqPdu = o.rqPdu ?? requestToPdu(request);
  const ourMax = request.maxPduLength ?? 0;

  return new Promise<Association>((resolve, reject) => {
    let association: Association | undefined;
    let settled = false;
    const fail = (e: HarnessError) => {
      if (settled) return;
      settled = true;
      reject(e);
    };
    const user: ProviderUser = {
      associateAccepted: (acPdu) => {
        const accept = acceptFromPdu(acPdu);
        association = new Association(id, 'requestor', request, accept, rqPdu, acPdu, provider, events, clock);
        const a = association;
        user.pData = (pdu, raw) => a.handlePData(pdu, raw);
        user.releaseIndication = (c) => a.handleReleaseIndication(c);
        user.releaseConfirmation = () => a.handleReleaseConfirmation();
        user.abortIndication = (info) => a.handleAbortIndication(info);
        user.closed = () => a.handleClosed();
        if (events.wants('association')) {
          events.emit({
            kind: 'association',
            role: 'requestor',
            phase: 'established',
            request,
            accept,
            contexts: [...association.contexts.values()],
            associationId: id,
            at: clock.now(),
          });
        }
        settled = true;
        resolve(association);
      },
      associateRejected: (rj) => {
        const description = describeReject(rj.result, rj.source, rj.reason);
        if (events.wants('association')) {
          events.emit({
            kind: 'association',
            role: 'requestor',
            phase: 'rejected',
            reject: { result: rj.result, source: rj.source, reason: rj.reason },
            description,
            associationId: id,
            at: clock.now(),
          });
        }
        fail(new AssociationRejectedError(rj.result, rj.source, rj.reason, description));
      },
      pData: () => {},
      releaseIndication: () => {},
      releaseConfirmation: () => {},
      abortIndication: (info) => {
        fail(info.error ?? new AssociationAbortedError(info.source, info.reason, `aborted during negotiation: ${describeAbort(info.source, info.reason)}`, info.by));
      },
      closed: () => {},
    };
    const provider: UpperLayerProvider = new UpperLayerProvider({
      role: 'requestor',
      associationId: id,
      clock,
      events,
      timeouts: { ...defaultTimeouts, ...o.timeouts },
      closeAfterTimeout: o.closeAfterTimeout ?? false,
      limits: { ...defaultFramerLimits, maxPDataLength: ourMax },
      inspect: (pdu) => {
        if (isUnknownPdu(pdu) || pdu.type !== 0x02) return undefined;
        const problems = validateAssociateAc(pdu, rqPdu);
        for (const p of problems.filter((x) => x.severity === 'violation')) {
          if (events.wants('violation')) events.emit({ kind: 'violation', reference: p.reference, message: `A-ASSOCIATE-AC: ${p.message}`, associationId: id, at: clock.now() });
        }
        const invalid = problems.find((x) => x.severity === 'invalid');
        return invalid && new ProtocolError('UL_INVALID_PDU_PARAMETER', `A-ASSOCIATE-AC: ${invalid.message} (${invalid.reference})`, 6);
      },
      user,
    });
    if (events.wants('association')) events.emit({ kind: 'association', role: 'requestor', phase: 'requested', request, associationId: id, at: clock.now() });
    provider.requestAssociation(rqPdu, o.host, o.port, o.lookup);
  });
}
