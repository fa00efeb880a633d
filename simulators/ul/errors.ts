import { HarnessError } from '../wire/errors.ts';
import type { DecodeError } from '../wire/errors.ts';

/** What the peer did wrong on the wire; `abortReason` is the A-ABORT reason a provider answers with (PS3.8 Table 9-26). */
export type ProtocolErrorCode =
  | 'UL_PDU_DECODE_FAILED'
  | 'UL_PDU_TOO_LONG'
  | 'UL_UNRECOGNIZED_PDU'
  | 'UL_UNEXPECTED_PDU'
  | 'UL_INVALID_PDU_PARAMETER'
  | 'UL_TRANSPORT_CLOSED_MID_PDU';

export class ProtocolError extends HarnessError {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    /** A-ABORT reason when this error ends the association: 1 unrecognized-PDU, 2 unexpected-PDU, 4 unrecognized parameter, 5 unexpected parameter, 6 invalid parameter value. */
    readonly abortReason: number,
    readonly decodeError?: DecodeError,
  ) {
    super(message);
  }
}

export type TimeoutCode =
  | 'UL_ARTIM_EXPIRED'
  | 'UL_CONNECT_TIMEOUT'
  | 'UL_ASSOCIATION_TIMEOUT'
  | 'UL_RELEASE_TIMEOUT'
  | 'UL_IDLE_TIMEOUT';

/** A named timer ran out. */
export class TimeoutError extends HarnessError {
  constructor(
    readonly code: TimeoutCode,
    readonly timer: string,
    readonly ms: number,
  ) {
    super(`${timer} timer expired after ${ms} ms`);
  }
}

export type ConnectionErrorCode =
  | 'UL_CONNECTION_REFUSED'
  | 'UL_HOST_NOT_FOUND'
  | 'UL_HOST_UNREACHABLE'
  | 'UL_CONNECTION_RESET'
  | 'UL_TRANSPORT_CLOSED'
  | 'UL_TRANSPORT_ERROR';

/** The TCP transport failed or ended before the association did. */
export class ConnectionError extends HarnessError {
  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    readonly systemCode?: string,
  ) {
    super(message);
  }
}

/** The peer sent A-ASSOCIATE-RJ (PS3.8 Table 9-21). */
export class AssociationRejectedError extends HarnessError {
  readonly code = 'UL_ASSOCIATION_REJECTED';
  constructor(
    readonly result: number,
    readonly source: number,
    readonly reason: number,
    readonly description: string,
  ) {
    super(`association rejected: ${description}`);
  }
}

/** The association ended by A-ABORT (received) or A-P-ABORT (provider-initiated). */
export class AssociationAbortedError extends HarnessError {
  readonly code = 'UL_ASSOCIATION_ABORTED';
  constructor(
    readonly source: number,
    readonly reason: number,
    readonly description: string,
    readonly by: 'peer' | 'local' | 'provider',
    override readonly cause?: HarnessError,
  ) {
    super(`association aborted: ${description}`);
  }
}

export type UsageErrorCode = 'UL_INVALID_PRIMITIVE' | 'UL_INVALID_PARAMETER' | 'UL_NO_ACCEPTED_CONTEXT';

/** The local user asked for something the current state or the negotiation does not allow. */
export class UsageError extends HarnessError {
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
