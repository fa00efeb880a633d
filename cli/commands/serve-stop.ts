import type { Scp } from '../../simulators/scp/scp.ts';
import { ExitCode } from '../exit-codes.ts';

/** Ends every established association with an A-ABORT (PS3.8 7.3), then closes the listener and every connection. Returns how many were aborted. */
export async function stopScp(scp: Scp): Promise<number> {
  const open = [...scp.associations];
  for (const a of open) a.abort();
  await scp.close();
  return open.length;
}

/** Resolves with the name of the first SIGINT or SIGTERM; a second one ends the process at once (the default action). */
export function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** 143 after SIGTERM, else 130 (Ctrl-C), as shells report a process a signal ended. */
export function exitCodeOfSignal(reason: unknown): number {
  return reason === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
}
