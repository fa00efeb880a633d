import chalk from 'chalk';
import { EventStream } from '../simulators/events/event-stream.ts';
import { formatEvent } from '../simulators/trace/format.ts';
import type { TraceEvent } from '../simulators/trace/format.ts';

/** Where a command prints: stdout for results, stderr for traces and errors. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const processOutput: Output = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

/** An event stream that prints a trace on stderr at the verbosity asked for (0 = none, 1 = messages, 2 = PDUs and states). */
export function traceStream(verbosity: number, output: Output): EventStream<TraceEvent> {
  const stream = new EventStream<TraceEvent>();
  if (verbosity > 0) {
    const origin = performance.now();
    stream.subscribe((e) => {
      const line = formatEvent(e, { origin, pdus: verbosity >= 2, states: verbosity >= 2 });
      if (line) output.err(chalk.dim(line));
    });
  }
  return stream;
}

export function errorLine(message: string): string {
  return `${chalk.red('error:')} ${message}`;
}
