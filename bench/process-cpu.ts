import fs from 'node:fs';

/** /proc reports CPU time in USER_HZ ticks, which the Linux ABI fixes at 100 per second. */
const MICROS_PER_TICK = 10_000;

/**
 * CPU time (user + system, µs) a process has used: all its threads, plus the children it has
 * reaped (dcmqrscp forks one per association). Undefined where /proc is not available.
 */
export function processCpuMicros(pid: number): number | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return cpuMicrosOfStat(stat);
}

/** utime + stime + cutime + cstime (fields 14-17 of proc_pid_stat(5)) in µs, or undefined if the line does not parse. */
export function cpuMicrosOfStat(stat: string): number | undefined {
  // The command name (field 2) may hold spaces and parentheses: the fields after it follow its last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  const ticks = [11, 12, 13, 14].map((i) => Number(fields[i] ?? Number.NaN));
  if (!ticks.every((t) => Number.isInteger(t) && t >= 0)) return undefined;
  return ticks.reduce((a, b) => a + b, 0) * MICROS_PER_TICK;
}

/** CPU time (user + system, µs) this process has used. */
export function ownCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
