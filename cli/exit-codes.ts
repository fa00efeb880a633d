import { HarnessError } from '../simulators/wire/errors.ts';

/** Exit codes differ by cause so scripts can tell a refused connection from a rejection or a timeout. */
export const ExitCode = {
  Ok: 0,
  /** The operation completed but the peer answered a failure status. */
  FailureStatus: 1,
  Usage: 2,
  Connection: 3,
  Rejected: 4,
  Timeout: 5,
  Aborted: 6,
  /** The peer broke a rule that leaves the operation unusable (a response to a Message ID never sent): we aborted. */
  ProtocolError: 7,
  /** A load run (or merge) broke one of its --threshold criteria. */
  ThresholdBroken: 8,
  Internal: 70,
  /** Ctrl-C (SIGINT) ended the operation: 128 + the signal number, as shells report it. */
  Interrupted: 130,
  /** SIGTERM ended the operation. */
  Terminated: 143,
} as const;

export function exitCodeFor(e: unknown): number {
  if (!(e instanceof HarnessError)) return ExitCode.Internal;
  const code = e.code;
  if (code === 'UL_ASSOCIATION_REJECTED') return ExitCode.Rejected;
  if (code.endsWith('_TIMEOUT') || code === 'UL_ARTIM_EXPIRED') return ExitCode.Timeout;
  if (['UL_CONNECTION_REFUSED', 'UL_HOST_NOT_FOUND', 'UL_HOST_UNREACHABLE', 'UL_CONNECTION_RESET', 'UL_TRANSPORT_ERROR', 'UL_TRANSPORT_CLOSED'].includes(code)) {
    return ExitCode.Connection;
  }
  if (code === 'UL_ASSOCIATION_ABORTED' || code.startsWith('UL_') || code.startsWith('DIMSE_')) {
    if (code === 'DIMSE_TIMEOUT') return ExitCode.Timeout;
    return ExitCode.Aborted;
  }
  return ExitCode.Internal;
}
