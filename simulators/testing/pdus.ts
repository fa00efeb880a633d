import { encodeCommand } from '../dimse/command-set.ts';
import { SopClass, TransferSyntax } from '../dimse/sop-classes.ts';
import { acceptToPdu, requestToPdu } from '../ul/association/pdu-mapping.ts';
import { buildRequest } from '../ul/association/requestor.ts';
import type { RequestorOptions } from '../ul/association/requestor.ts';
import type { AssociateRqPdu } from '../ul/pdu/pdus.ts';
import { encodePdu } from '../ul/pdu/registry.ts';

/** Ready-made PDU bytes for tests that script a raw peer. */
export function associateRq(o: Partial<RequestorOptions> = {}): AssociateRqPdu {
  return requestToPdu(
    buildRequest({
      host: '',
      port: 0,
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'RAWPEER',
      presentationContexts: [{ abstractSyntax: SopClass.Verification, transferSyntaxes: [TransferSyntax.ImplicitVRLittleEndian] }],
      ...o,
    }),
  );
}

export const bytes = {
  rq: (o: Partial<RequestorOptions> = {}) => encodePdu(associateRq(o)),
  ac: (rq: AssociateRqPdu = associateRq()) =>
    encodePdu(
      acceptToPdu(rq, {
        protocolVersion: 1,
        applicationContextName: '1.2.840.10008.3.1.1.1',
        presentationContexts: [{ id: 1, result: 0, transferSyntax: TransferSyntax.ImplicitVRLittleEndian }],
        maxPduLength: 16384,
        implementationClassUid: '1.2.3.4',
        implementationVersionName: 'RAWPEER',
        asyncOperationsWindow: undefined,
        roleSelections: [],
        extendedNegotiations: [],
        userIdentityResponse: undefined,
      }),
    ),
  rj: (result = 1, source = 1, reason = 1) => encodePdu({ type: 0x03, result, source, reason }),
  pdata: (contextId = 1, messageControlHeader = 0x03, data: Buffer = echoRqCommand()) =>
    encodePdu({ type: 0x04, pdvs: [{ contextId, messageControlHeader, data }] }),
  releaseRq: () => encodePdu({ type: 0x05 }),
  releaseRp: () => encodePdu({ type: 0x06 }),
  abort: (source = 0, reason = 0) => encodePdu({ type: 0x07, source, reason }),
  unknownType: () => encodePdu({ type: 0x0a, body: Buffer.from([1, 2, 3, 4]), unknown: true }),
  /** An A-RELEASE-RQ of PDU-length 6: framed, but invalid (PS3.8 Table 9-24 fixes it at 4). */
  badLength: () => Buffer.from('050000000006000000000000', 'hex'),
};

export function echoRqCommand(messageId = 1): Buffer {
  return encodeCommand({ CommandField: 0x0030, AffectedSOPClassUID: SopClass.Verification, MessageID: messageId, CommandDataSetType: 0x0101 });
}

/** Decodes the source and reason of an A-ABORT PDU. */
export function abortOf(pdu: Buffer): { source: number; reason: number } | undefined {
  if (pdu[0] !== 0x07) return undefined;
  return { source: pdu[8]!, reason: pdu[9]! };
}
