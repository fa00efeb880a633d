import { DimseError } from '../dimse/errors.ts';
import type { AssociationEnd } from '../ul/association/association.ts';
import { AssociationAbortedError, AssociationRejectedError, ConnectionError, ProtocolError, TimeoutError } from '../ul/errors.ts';
import { HarnessError } from '../wire/errors.ts';
import type { FailureKind } from './types.ts';

/**
 * The kind of failure an error of a session is: the peer refused (rejected), ended the
 * association (aborted), did not answer in time (timeout), the connection failed (connection),
 * or the peer broke a rule (protocol). `end` is how the association ended, when it did.
 * Anything not a HarnessError is a fault of ours and is rethrown.
 */
export function failureKindOf(e: unknown, end?: AssociationEnd): FailureKind {
  if (!(e instanceof HarnessError)) throw e;
  if (e instanceof TimeoutError) return 'timeout';
  if (e instanceof AssociationRejectedError) return 'rejected';
  if (e instanceof ConnectionError) return 'connection';
  if (e instanceof ProtocolError) return 'protocol';
  if (e instanceof AssociationAbortedError) {
    if (e.by === 'peer') return 'aborted';
    return e.cause ? failureKindOf(e.cause) : 'aborted';
  }
  if (e.code === 'UL_NO_ACCEPTED_CONTEXT') return 'rejected';
  if (e instanceof DimseError) {
    if (e.code === 'DIMSE_TIMEOUT') return 'timeout';
    // A presentation context the peer did not accept for what the session asks.
    if (e.code === 'DIMSE_NO_CONTEXT') return 'rejected';
    if (e.code === 'DIMSE_ASSOCIATION_ENDED') {
      if (end?.how === 'aborted' && end.error) return failureKindOf(end.error);
      return 'aborted';
    }
    return 'protocol';
  }
  if (e.code.endsWith('_TIMEOUT')) return 'timeout';
  return 'protocol';
}

/** The one line kept as a failure's example: its code and message. */
export function describeError(e: unknown): string {
  return e instanceof HarnessError ? `${e.code}: ${e.message}` : String(e);
}
