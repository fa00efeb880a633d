import { spawn } from 'node:child_process';
import { processCpuMicros } from './process-cpu.ts';

export interface FleetFigure {
  /** C-FINDs that ended with findscu's exit code 0. */
  queries: number;
  failures: number;
  seconds: number;
  perSecond: number;
  /** CPU (user + system) of the findscu processes per query, µs: what this process's reaped children used. */
  cpuMicrosPerQuery: number | undefined;
}

function findscuOnce(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('findscu', args, { stdio: 'ignore', env: { ...process.env, TCP_NODELAY: '1' } });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * `clients` findscu loops side by side for `seconds`: each runs one findscu process after another
 * (one association, one C-FIND, release — findscu's only way), as a hand-written shell script of
 * parallel findscu processes does. Queries still running at the end are waited for and counted.
 */
export async function findscuFleet(clients: number, seconds: number, args: string[]): Promise<FleetFigure> {
  const cpu0 = processCpuMicros(process.pid);
  const self0 = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  let queries = 0;
  let failures = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      if (await findscuOnce(args)) queries++;
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const elapsed = (performance.now() - started) / 1000;
  const cpu1 = processCpuMicros(process.pid);
  const self = process.cpuUsage(self0);
  // /proc's figure includes this process's own time, and the children it reaped: keep the children's.
  const children = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 - (self.user + self.system);
  return { queries, failures, seconds: elapsed, perSecond: queries / elapsed, cpuMicrosPerQuery: children === undefined || queries === 0 ? undefined : Math.max(0, children) / queries };
}
