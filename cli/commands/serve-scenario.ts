import chalk from 'chalk';
import { CommandField } from '../../simulators/dimse/command-fields.ts';
import { describeStatus, statusClass } from '../../simulators/dimse/status.ts';
import { Recorder } from '../../simulators/scenario/recorder.ts';
import { scpFromScenario } from '../../simulators/scenario/scp-runtime.ts';
import type { EventStream } from '../../simulators/events/event-stream.ts';
import type { TraceEvent } from '../../simulators/trace/format.ts';
import { port, UsageError } from '../args.ts';
import type { ParsedOptions } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { attributeLines } from '../identifiers.ts';
import type { AssociationBook } from '../identifiers.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';
import { RecordFile } from '../record-file.ts';
import { loadScenarioFor, summary } from './scenario.ts';
import { exitCodeOfStop, Operations, parseOnStop, stopScp, stoppedLine } from './serve-stop.ts';

/** Options that describe an SCP, which a scenario file already does. */
const SCENARIO_SAYS = ['store', 'synthetic-store', 'profile', 'decline', 'timezone', 'records', 'synthetic', 'handler', 'ignore-cancel', 'delay', 'calling-ae', 'max-pdu', 'ae-title'];

/**
 * `serve --scenario FILE`: the scenario's SCP on a real socket, printing what each peer sends
 * (C-FIND requests with their identifiers decoded, cancels, finals with the count of Pendings
 * before them) and, with `--record FILE`, writing every DIMSE message as one JSON line.
 */
export async function serveScenario(options: ParsedOptions, explicit: ParsedOptions, events: EventStream<TraceEvent>, io: Output, stop: Promise<unknown>, book: AssociationBook): Promise<number> {
  for (const name of SCENARIO_SAYS) {
    if (explicit[name] !== undefined) throw new UsageError(`--${name} cannot be combined with --scenario (the scenario file sets it)`);
  }
  const file = options.scenario as string;
  const onStop = parseOnStop(options['on-stop']);
  const scenario = loadScenarioFor(file, 'scp', io);
  if (!scenario?.scp) return ExitCode.Usage;
  const operations = onStop === 'release' ? new Operations(events) : undefined;
  const recorder = new Recorder('scp');
  recorder.attach(events);
  const recordFile = options.record as string | undefined;
  const record = recordFile === undefined ? undefined : await RecordFile.open(recordFile, events, book);
  const pendings = new Map<string, number>();
  recorder.onMessage((m) => {
    if (options.quiet) return;
    const c = m.command;
    const key = `${m.associationId}/${c.MessageIDBeingRespondedTo}`;
    if (c.CommandField === CommandField.C_FIND_RSP && statusClass(c.Status ?? 0) === 'Pending') {
      pendings.set(key, (pendings.get(key) ?? 0) + 1);
      return;
    }
    let line = Recorder.describe(m);
    if (c.CommandField === CommandField.C_CANCEL_RQ) line += ` after ${pendings.get(key) ?? 0} Pendings`;
    if (c.CommandField === CommandField.C_FIND_RSP) {
      line += ` (${describeStatus(c.Status ?? 0).slice(5)}), after ${pendings.get(key) ?? 0} Pendings`;
      pendings.delete(key);
    }
    if (m.direction === 'sent') {
      io.out(chalk.dim(line));
      return;
    }
    const info = book.get(m.associationId);
    io.out(`${line}${info ? ` from "${info.callingAeTitle}" to "${info.calledAeTitle}"` : ''}`);
    const decoded = book.decode(m);
    if (decoded) for (const l of 'attributes' in decoded ? attributeLines(decoded.attributes, '    ') : [`    identifier not decoded: ${decoded.error}`]) io.out(l);
  });
  const timeouts = {
    ...(explicit.artim !== undefined && { artimMs: (explicit.artim as number) * 1000 }),
    ...(explicit.idle !== undefined && { idleMs: (explicit.idle as number) * 1000 }),
  };
  const scp = scpFromScenario(scenario, { events, timeouts });
  const p = port((explicit.port as number | undefined) ?? scenario.scp.port ?? 11112, '--port');
  let bound: number;
  try {
    bound = await scp.listen(p, options.host as string);
  } catch (e) {
    await record?.close();
    io.err(errorLine(`cannot listen on ${options.host}:${p}: ${(e as Error).message}`));
    return ExitCode.Connection;
  }
  io.out(`${chalk.bold(scenario.name)} (${file}): ${summary(scenario)}`);
  io.out(`${chalk.bold(`SCP "${scenario.scp.aeTitle}"`)} listening on ${options.host}:${bound}`);
  const signal = await stop;
  const stopped = await stopScp(scp, { onStop, ...(operations && { operations }) });
  await record?.close();
  const cancels = recorder.cancels();
  const open = [...(stopped.released ? [`${stopped.released} open, released`] : []), ...(stopped.aborted ? [`${stopped.aborted} open, aborted`] : [])];
  io.out(`${stoppedLine(signal, { released: 0, aborted: 0 })}: ${recorder.associations.size} association(s)${open.length ? ` (${open.join('; ')})` : ''}, ${recorder.fromPeer('C-FIND-RQ').length} C-FIND, ${cancels.length} C-CANCEL${recordFile ? `; record in ${recordFile}` : ''}`);
  return exitCodeOfStop(signal);
}
