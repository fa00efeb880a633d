import chalk from 'chalk';
import { describeElement } from '../../simulators/dataset/data-set.ts';
import type { DataSet } from '../../simulators/dataset/data-set.ts';
import { vrInfo } from '../../simulators/dataset/vr.ts';
import { FIND_MODELS } from '../../simulators/dimse/find.ts';
import type { FindModel } from '../../simulators/dimse/find.ts';
import { Priority } from '../../simulators/dimse/command-fields.ts';
import { describeStatus } from '../../simulators/dimse/status.ts';
import { DimseClient } from '../../simulators/scu/dimse-client.ts';
import type { FindResponse } from '../../simulators/scu/find-operation.ts';
import { aeTitle, helpFor, parseArgs, port, requireString, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode, exitCodeFor } from '../exit-codes.ts';
import { identifierFromKeys } from '../keys.ts';
import { errorLine, traceStream } from '../output.ts';
import type { Output } from '../output.ts';

export const findOptions: OptionSpec[] = [
  { name: 'host', kind: 'string', description: 'peer host', default: '127.0.0.1', valueName: 'HOST' },
  { name: 'port', alias: 'p', kind: 'int', description: 'peer port', default: 104, valueName: 'PORT' },
  { name: 'called-ae', kind: 'string', description: 'called AE title (the peer)', default: 'ANY-SCP', valueName: 'AE' },
  { name: 'calling-ae', kind: 'string', description: 'calling AE title (us)', default: 'QRHARNESS', valueName: 'AE' },
  { name: 'model', alias: 'm', kind: 'string', description: 'information model: patient, study, psonly or mwl', default: 'study', valueName: 'MODEL' },
  { name: 'level', alias: 'l', kind: 'string', description: 'Query/Retrieve Level: PATIENT, STUDY, SERIES or IMAGE (not for mwl)', valueName: 'LEVEL' },
  { name: 'key', alias: 'k', kind: 'list', description: 'a key: Keyword=Value, Keyword (universal), Seq[0].Keyword=Value, (gggg,eeee)=Value', valueName: 'KEY' },
  { name: 'charset', kind: 'string', description: 'Specific Character Set of the identifier, e.g. "ISO_IR 192"', valueName: 'TERM' },
  { name: 'priority', kind: 'string', description: 'low, medium or high', default: 'medium', valueName: 'P' },
  { name: 'transfer-syntax', kind: 'string', description: 'propose implicit, explicit (with implicit) or big (with both)', default: 'explicit', valueName: 'TS' },
  { name: 'cancel-after', kind: 'int', description: 'send C-CANCEL after N Pending responses (0: before the first)', valueName: 'N' },
  { name: 'max-pdu', kind: 'int', description: 'our maximum PDU length (0 = no limit)', default: 16384 },
  { name: 'timeout', kind: 'int', description: 'connect, association and DIMSE timeout in seconds', default: 30 },
  { name: 'json', kind: 'flag', description: 'one JSON object per response, then a summary object' },
  { name: 'quiet', alias: 'q', kind: 'flag', description: 'print only the summary' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'trace DIMSE messages and association events' },
  { name: 'debug', alias: 'd', kind: 'flag', description: 'trace every PDU and state transition too' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const findUsage = `qr-harness find --host H --port P --called-ae AE --model patient|study|psonly|mwl --level LEVEL -k Key=Value … [options]

Associates, sends one C-FIND, prints every response (status and identifier) as it arrives and a summary, releases.
Example (the seed query): qr-harness find --port 11112 --called-ae QRSCP --model patient --level PATIENT -k PatientName=CITIZEN^Jan

${helpFor(findOptions)}`;

const PRIORITIES: Record<string, number> = { low: Priority.LOW, medium: Priority.MEDIUM, high: Priority.HIGH };
const TS: Record<string, string[]> = {
  implicit: ['1.2.840.10008.1.2'],
  explicit: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'],
  big: ['1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2'],
};

function identifierLines(ds: DataSet, indent = '    '): string[] {
  const lines: string[] = [];
  for (const e of ds.elements()) {
    if (e.items) {
      lines.push(`${indent}${describeElement(e)} (${e.items.length} item${e.items.length === 1 ? '' : 's'})`);
      e.items.forEach((item, i) => {
        lines.push(`${indent}  item ${i + 1}`);
        lines.push(...identifierLines(item, `${indent}    `));
      });
      continue;
    }
    const info = vrInfo(e.vr);
    const value = info?.text ? JSON.stringify(ds.text(e.tag)) : info?.size ? String(ds.numbers(e.tag)) : `${e.bytes.length} bytes`;
    lines.push(`${indent}${describeElement(e)} ${e.bytes.length === 0 ? chalk.dim('(zero length)') : value}`);
  }
  return lines;
}

export async function findCommand(argv: string[], io: Output): Promise<number> {
  const { options } = parseArgs(argv, findOptions);
  if (options.help) {
    io.out(findUsage);
    return ExitCode.Ok;
  }
  const model = requireString(options, 'model') as FindModel;
  if (!(model in FIND_MODELS)) throw new UsageError(`--model must be one of ${Object.keys(FIND_MODELS).join(', ')}`);
  const priority = PRIORITIES[requireString(options, 'priority')];
  if (priority === undefined) throw new UsageError('--priority must be low, medium or high');
  const ts = TS[requireString(options, 'transfer-syntax')];
  if (!ts) throw new UsageError('--transfer-syntax must be implicit, explicit or big');
  const keys = [...((options.key as string[] | undefined) ?? [])];
  const level = options.level as string | undefined;
  if (level) {
    if (model === 'mwl') throw new UsageError('a Modality Worklist query has no --level (PS3.4 K.1.1)');
    keys.unshift(`QueryRetrieveLevel=${level.toUpperCase()}`);
  }
  const identifier = identifierFromKeys(keys, options.charset as string | undefined);
  const host = requireString(options, 'host');
  const target = port(options.port as number, '--port');
  const called = aeTitle(requireString(options, 'called-ae'), '--called-ae');
  const timeoutMs = (options.timeout as number) * 1000;
  const json = options.json === true;
  const quiet = options.quiet === true;
  const cancelAfter = options['cancel-after'] as number | undefined;
  const events = traceStream(options.debug ? 2 : options.verbose ? 1 : 0, io);
  const sopClassUid = FIND_MODELS[model].sopClassUid;

  let client: DimseClient;
  try {
    client = await DimseClient.connect({
      host,
      port: target,
      calledAeTitle: called,
      callingAeTitle: aeTitle(requireString(options, 'calling-ae'), '--calling-ae'),
      presentationContexts: [{ abstractSyntax: sopClassUid, transferSyntaxes: ts }],
      maxPduLength: options['max-pdu'] as number,
      timeouts: { connectMs: timeoutMs, associationRequestMs: timeoutMs },
      dimseTimeoutMs: timeoutMs,
      events,
    });
  } catch (e) {
    io.err(errorLine(`${host}:${target} "${called}": ${(e as Error).message}`));
    return exitCodeFor(e);
  }
  const started = performance.now();
  let last: FindResponse | undefined;
  let pending = 0;
  const problems: string[] = [];
  try {
    const op = client.find(model, identifier, { priority });
    if (cancelAfter === 0) op.cancel();
    for await (const r of op) {
      last = r;
      if (!r.final) pending++;
      problems.push(...r.problems.map((p) => `response ${r.index}: ${p}`));
      if (json) {
        io.out(JSON.stringify({ index: r.index, status: r.status, statusHex: r.status.toString(16).toUpperCase().padStart(4, '0'), statusText: describeStatus(r.status), identifier: r.identifier?.toObject(), errorComment: r.command.ErrorComment, offendingElement: r.command.OffendingElement, afterCancel: r.afterCancel, problems: r.problems }));
      } else if (!quiet) {
        const colour = r.statusClass === 'Pending' ? chalk.cyan : r.statusClass === 'Success' ? chalk.green : r.statusClass === 'Cancel' ? chalk.yellow : chalk.red;
        io.out(`${chalk.dim(`#${r.index}`)} ${colour(describeStatus(r.status))}${r.command.ErrorComment ? ` "${r.command.ErrorComment}"` : ''}`);
        if (r.identifier) io.out(identifierLines(r.identifier).join('\n'));
        for (const p of r.problems) io.out(chalk.yellow(`    ⚠ ${p}`));
      }
      if (cancelAfter !== undefined && cancelAfter > 0 && pending === cancelAfter && !r.final) op.cancel();
    }
    await client.release();
  } catch (e) {
    io.err(errorLine((e as Error).message));
    client.abort();
    return exitCodeFor(e);
  }
  const ms = (performance.now() - started).toFixed(1);
  const final = last?.status;
  const summary = `C-FIND ${host}:${target} "${called}" ${FIND_MODELS[model].name}${level ? ` ${level.toUpperCase()}` : ''}: ${pending} match${pending === 1 ? '' : 'es'}, final ${final === undefined ? 'none' : describeStatus(final)} in ${ms} ms${cancelAfter !== undefined ? `, cancel sent after ${cancelAfter}` : ''}${problems.length ? `, ${problems.length} problem(s)` : ''}`;
  if (json) io.out(JSON.stringify({ summary: true, matches: pending, finalStatus: final, elapsedMs: Number(ms), problems }));
  else io.out(final === 0 || final === 0xfe00 ? chalk.bold(summary) : chalk.red(summary));
  return final === 0x0000 || (final === 0xfe00 && cancelAfter !== undefined) ? ExitCode.Ok : ExitCode.FailureStatus;
}
