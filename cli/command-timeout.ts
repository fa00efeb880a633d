import { DimseError } from '../simulators/dimse/errors.ts';
import { AssociationAbortedError, TimeoutError } from '../simulators/ul/errors.ts';
import type { Timeouts } from '../simulators/ul/timers.ts';
import type { HarnessError } from '../simulators/wire/errors.ts';
import { UsageError } from './args.ts';
import { ExitCode, exitCodeFor } from './exit-codes.ts';

/**
 * The association settings that make `--timeout N` bound every wait of a command: connecting, the
 * A-ASSOCIATE-AC, each DIMSE response, the A-RELEASE-RP and ARTIM (PS3.8 9.1.5: its value is the
 * implementation's). A wait that runs out sends A-ABORT and closes the transport at once (PS3.8
 * 9.1.4) rather than waiting ARTIM more for a peer silent for N already: the command ends within N.
 */
export function commandTimeouts(seconds: number): { timeouts: Partial<Timeouts>; dimseTimeoutMs: number; closeAfterTimeout: true } {
  const ms = seconds * 1000;
  return {
    timeouts: { connectMs: ms, associationRequestMs: ms, releaseMs: ms, artimMs: ms },
    dimseTimeoutMs: ms,
    closeAfterTimeout: true,
  };
}

/** `--timeout`: 0 or less would wait for ever (the upper layer's timers take 0 as off). */
export function timeoutSeconds(n: number): number {
  if (!(n > 0)) throw new UsageError('--timeout must be at least 1 second');
  return n;
}

/** The timeout behind an error: itself, or the cause of the local abort it led to. */
function timeoutBehind(e: unknown): HarnessError | undefined {
  if (e instanceof TimeoutError) return e;
  if (e instanceof DimseError && e.code === 'DIMSE_TIMEOUT') return e;
  if (e instanceof AssociationAbortedError && e.by === 'local' && e.cause instanceof TimeoutError) return e.cause;
  return undefined;
}

/**
 * A failure as the one line and exit code a command gives: a timeout names what did not come
 * within how long and what was done about it; anything else keeps its message.
 */
export function describeFailure(e: unknown, seconds: number, request: string): { message: string; code: number } {
  const t = timeoutBehind(e);
  if (!t) return { message: (e as Error).message, code: exitCodeFor(e) };
  const within = `within ${seconds} s`;
  const text: Record<string, string> = {
    UL_CONNECT_TIMEOUT: `no TCP connection ${within}`,
    UL_ASSOCIATION_TIMEOUT: `no A-ASSOCIATE-AC ${within}; A-ABORT sent`,
    DIMSE_TIMEOUT: `no ${request} response ${within}; A-ABORT sent`,
    UL_RELEASE_TIMEOUT: `no A-RELEASE-RP ${within}; A-ABORT sent`,
    UL_IDLE_TIMEOUT: `nothing from the peer ${within}; A-ABORT sent`,
    UL_ARTIM_EXPIRED: `the peer did not close the connection ${within} (ARTIM); closed it`,
  };
  return { message: text[t.code] ?? t.message, code: ExitCode.Timeout };
}
