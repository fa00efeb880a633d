import chalk from 'chalk';
import type { ThresholdResult } from '../simulators/load/thresholds.ts';
import { FAILURE_KINDS, LATENCY_METRICS } from '../simulators/load/types.ts';
import type { LiveSnapshot, LoadResult } from '../simulators/load/types.ts';
import type { Output } from './output.ts';

const n = (x: number) => x.toLocaleString('en-US');
const fixed = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));

/** A threshold's observed value with its unit: 2 decimals from 1 up, 3 significant digits below. */
export function observedText(x: ThresholdResult): string {
  const v = Math.abs(x.observed) >= 1 || x.observed === 0 ? String(Math.round(x.observed * 100) / 100) : String(Number(x.observed.toPrecision(3)));
  return `${v}${x.unit === 'ms' ? ' ms' : x.unit}`;
}

/** What the run was: target, mix, model, shard. */
export function runLine(r: LoadResult): string {
  const o = r.options;
  const model =
    o.model === 'open'
      ? `open model, ${o.rate}/s for ${o.durationMs! / 1000} s, at most ${o.concurrency} in flight`
      : `closed model, ${o.concurrency} client${o.concurrency === 1 ? '' : 's'}${o.iterations !== null ? `, ${n(o.iterations)} iterations` : ''}${o.durationMs !== null ? `${o.iterations !== null ? ' within' : ' for'} ${o.durationMs / 1000} s` : ''}`;
  const shard = r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : r.shardCount > 1 ? `, ${r.shards.length} shards merged` : '';
  const how = r.stoppedBy === 'completed' ? 'completed' : r.stoppedBy === 'signal' ? 'stopped' : 'target unreachable';
  return `load ${o.host}:${o.port} "${o.calledAeTitle}": mix ${r.mix.name} (${r.mix.sessions.length} session kind${r.mix.sessions.length === 1 ? '' : 's'}), ${model}${shard}; ${(r.wallMs / 1000).toFixed(2)} s, ${how}`;
}

/** The final table: counts, latency percentiles, throughput, CPU per query, failures with an example each, thresholds. */
export function printResult(r: LoadResult, results: ThresholdResult[], io: Output): void {
  const c = r.counters;
  io.out(chalk.bold(runLine(r)));
  io.out(
    `sessions ${n(c.sessions)} (${n(c.sessions_ok)} ok), associations ${n(c.associations)}, C-FIND ${n(c.c_find)}, C-ECHO ${n(c.c_echo)}, C-CANCEL ${n(c.c_cancel)}, Pendings ${n(c.pendings)}${c.aborts_sent ? `, A-ABORT sent ${n(c.aborts_sent)}` : ''}`,
  );
  const finals = Object.entries(r.finals).sort(([a], [b]) => a.localeCompare(b));
  io.out(`final statuses: ${finals.length ? finals.map(([s, k]) => `${s} ${n(k)}`).join(', ') : 'none'}`);
  io.out('');
  const head = ['latency (ms)', 'count', 'p50', 'p95', 'p99', 'max'];
  const rows = LATENCY_METRICS.map((m) => {
    const h = r.latency[m];
    return h.count === 0 ? [m, '0', '-', '-', '-', '-'] : [m, n(h.count), fixed(h.p50), fixed(h.p95), fixed(h.p99), fixed(h.max)];
  });
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  io.out(chalk.dim(line(head)));
  for (const row of rows) io.out(line(row));
  io.out('');
  const t = r.throughput;
  const cpu = r.cpu.microsPerFind === null ? 'no C-FIND' : `${n(r.cpu.microsPerFind)} µs per C-FIND`;
  io.out(`throughput: ${t.findsPerSecond} C-FIND/s, ${t.associationsPerSecond} associations/s, ${t.pendingsPerSecond} Pendings/s; generator CPU ${cpu} (user ${(r.cpu.userMicros / 1e6).toFixed(2)} s, system ${(r.cpu.systemMicros / 1e6).toFixed(2)} s)`);
  const failed = FAILURE_KINDS.filter((k) => r.failures[k].count > 0);
  if (failed.length === 0) io.out(chalk.green('failures: none'));
  else {
    io.out(chalk.red(`failures: ${failed.map((k) => `${k} ${n(r.failures[k].count)}`).join(', ')}`));
    for (const k of failed) io.out(`  ${k}: ${r.failures[k].example ?? ''}`);
  }
  if (results.length) {
    io.out('thresholds:');
    for (const x of results) io.out(`  ${x.ok ? chalk.green('PASS') : chalk.red('FAIL')} ${x.expression} (observed ${observedText(x)})`);
  }
}

/** One line of live statistics. */
export function liveLine(s: LiveSnapshot): string {
  const failures = FAILURE_KINDS.filter((k) => s.failures[k] > 0).map((k) => `${k} ${s.failures[k]}`);
  return `${(s.elapsedMs / 1000).toFixed(0).padStart(4)} s  ${s.associationsPerSecond} assoc/s  ${s.findsPerSecond} C-FIND/s  ${s.pendingsPerSecond} Pendings/s  ${s.inFlight} in flight  failures: ${failures.length ? failures.join(', ') : 'none'}`;
}

/** Live statistics: on a terminal one line redrawn each second (stderr), otherwise a plain line every 5 s. */
export class LiveStats {
  private drawn = false;
  constructor(
    private readonly io: Output,
    private readonly tty: boolean,
  ) {}

  update(s: LiveSnapshot): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${liveLine(s)}`);
      this.drawn = true;
    } else if (Math.round(s.elapsedMs / 1000) % 5 === 0) this.io.err(liveLine(s));
  }

  clear(): void {
    if (this.drawn) process.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}
