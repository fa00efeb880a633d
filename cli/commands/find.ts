import chalk from 'chalk';
import { describeElement } from '../../simulators/dataset/data-set.ts';
import type { DataSet } from '../../simulators/dataset/data-set.ts';
import { vrInfo } from '../../simulators/dataset/vr.ts';
import { FIND_MODELS } from '../../simulators/dimse/find.ts';
import type { FindModel } from '../../simulators/dimse/find.ts';
import { Priority } from '../../simulators/dimse/command-fields.ts';
import { DimseError } from '../../simulators/dimse/errors.ts';
import { describeStatus } from '../../simulators/dimse/status.ts';
import type { EventStream } from '../../simulators/events/event-stream.ts';
import { DimseClient } from '../../simulators/scu/dimse-client.ts';
import type { FindResponse } from '../../simulators/scu/find-operation.ts';
import type { TraceEvent } from '../../simulators/trace/format.ts';
import { aeTitle, helpFor, parseArgs, port, requireString, UsageError } from '../args.ts';
import type { OptionSpec, ParsedOptions } from '../args.ts';
import { commandTimeouts, describeFailure, timeoutSeconds } from '../command-timeout.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorJson, responseJson, statusHex } from '../find-json.ts';
import { FindWatch } from '../find-watch.ts';
import type { SignalSource } from '../find-watch.ts';
import { identifierFromKeys } from '../keys.ts';
import { errorLine, traceStream } from '../output.ts';
import type { Output } from '../output.ts';

export const findOptions: OptionSpec[] = [
  { name: 'host', kind: 'string', description: 'peer host', default: '127.0.0.1', valueName: 'HOST' },
  { name: 'port', alias: 'p', kind: 'int', description: 'peer port (11112, where serve listens by default)', default: 11112, valueName: 'PORT' },
  { name: 'called-ae', kind: 'string', description: 'called AE title (the peer; QRSCP, as serve answers by default)', default: 'QRSCP', valueName: 'AE' },
  { name: 'calling-ae', kind: 'string', description: 'calling AE title (us)', default: 'QRHARNESS', valueName: 'AE' },
  { name: 'model', alias: 'm', kind: 'string', description: 'information model: patient, study, psonly or mwl', default: 'study', valueName: 'MODEL' },
  { name: 'level', alias: 'l', kind: 'string', description: 'Query/Retrieve Level: PATIENT, STUDY, SERIES or IMAGE (not for mwl)', valueName: 'LEVEL' },
  { name: 'key', alias: 'k', kind: 'list', description: 'a key: Keyword=Value, Keyword (universal), Seq[0].Keyword=Value, (gggg,eeee)=Value', valueName: 'KEY' },
  { name: 'charset', kind: 'string', description: 'Specific Character Set of the identifier, e.g. "ISO_IR 192"', valueName: 'TERM' },
  { name: 'priority', kind: 'string', description: 'low, medium or high', default: 'medium', valueName: 'P' },
  { name: 'transfer-syntax', kind: 'string', description: 'propose implicit, explicit (with implicit) or big (with both)', default: 'explicit', valueName: 'TS' },
  { name: 'cancel-after', kind: 'int', description: 'send C-CANCEL after N Pending responses (0: before the first)', valueName: 'N' },
  { name: 'max-pdu', kind: 'int', description: 'our maximum PDU length (0 = no limit)', default: 16384 },
  { name: 'timeout', kind: 'int', description: 'bound of every wait in seconds: connect, A-ASSOCIATE-AC, each response, A-RELEASE-RP, ARTIM', default: 30 },
  { name: 'json', kind: 'flag', description: 'one JSON object per line: each response, then the summary (or an error); see below' },
  { name: 'strict', kind: 'flag', description: 'exit 1 when the peer broke any rule, even if the final status is a success' },
  { name: 'quiet', alias: 'q', kind: 'flag', description: 'print only the summary' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'trace DIMSE messages and association events' },
  { name: 'debug', alias: 'd', kind: 'flag', description: 'trace every PDU and state transition too' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const findUsage = `qr-harness find --host H --port P --called-ae AE --model patient|study|psonly|mwl --level LEVEL -k Key=Value … [options]

Associates, sends one C-FIND, prints every response (status and identifier) as it arrives and a summary, releases.
Example (the seed query): qr-harness find --model patient --level PATIENT -k PatientName=CITIZEN^Jan

Ctrl-C sends C-CANCEL and waits for the final response; a second Ctrl-C, or SIGTERM, sends A-ABORT.
Either way the summary so far is printed. A response to a Message ID never sent ends the C-FIND at
once with A-ABORT. Rules the peer breaks are printed as they happen.

${helpFor(findOptions)}

--json lines: {"index","status","statusHex","statusClass","statusText","identifier","errorComment",
"offendingElement","afterCancel","problems"} per response, then {"summary":true,"matches","finalStatus",
"finalStatusHex","ended","cancelSentAfter","interruptedBy","elapsedMs","problems","violations","exitCode"};
an error is {"error":{"code","message","exitCode"}} (also on stderr as one line). In "identifier" every
attribute is an array of values: [] when zero length, numbers (IS, DS, US, UL, SS, SL, FL, FD) as JSON
numbers (null when not a number), other text as strings, AT as "(gggg,eeee)", bytes as one hex string,
sequences as arrays of items. An absent field is null.

Exit codes: 0 final 0000 (or FE00 after --cancel-after), 1 another final status (with --strict, also any
rule broken), 2 usage, 3 connection, 4 rejected, 5 timeout, 6 aborted by the peer or the association lost,
7 a response to a Message ID never sent, 130 Ctrl-C, 143 SIGTERM, 70 internal.`;

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

interface Query {
  host: string;
  port: number;
  called: string;
  calling: string;
  model: FindModel;
  level: string | undefined;
  identifier: DataSet;
  priority: number;
  ts: string[];
  maxPdu: number;
  timeoutS: number;
  cancelAfter: number | undefined;
  json: boolean;
  quiet: boolean;
  strict: boolean;
  verbosity: number;
}

function queryFrom(options: ParsedOptions): Query {
  const model = requireString(options, 'model') as FindModel;
  if (!(model in FIND_MODELS)) throw new UsageError(`--model must be one of ${Object.keys(FIND_MODELS).join(', ')}`);
  const priority = PRIORITIES[requireString(options, 'priority')];
  if (priority === undefined) throw new UsageError('--priority must be low, medium or high');
  const ts = TS[requireString(options, 'transfer-syntax')];
  if (!ts) throw new UsageError('--transfer-syntax must be implicit, explicit or big');
  const keys = [...((options.key as string[] | undefined) ?? [])];
  const level = (options.level as string | undefined)?.toUpperCase();
  if (level) {
    if (model === 'mwl') throw new UsageError('a Modality Worklist query has no --level (PS3.4 K.1.1)');
    keys.unshift(`QueryRetrieveLevel=${level}`);
  }
  return {
    host: requireString(options, 'host'),
    port: port(options.port as number, '--port'),
    called: aeTitle(requireString(options, 'called-ae'), '--called-ae'),
    calling: aeTitle(requireString(options, 'calling-ae'), '--calling-ae'),
    model,
    level,
    identifier: identifierFromKeys(keys, options.charset as string | undefined),
    priority,
    ts,
    maxPdu: options['max-pdu'] as number,
    timeoutS: timeoutSeconds(options.timeout as number),
    cancelAfter: options['cancel-after'] as number | undefined,
    json: options.json === true,
    quiet: options.quiet === true,
    strict: options.strict === true,
    verbosity: options.debug ? 2 : options.verbose ? 1 : 0,
  };
}

/** `signals` is where SIGINT and SIGTERM come from (the process; an emitter in tests). */
export async function findCommand(argv: string[], io: Output, signals: SignalSource = process): Promise<number> {
  const { options } = parseArgs(argv, findOptions);
  if (options.help) {
    io.out(findUsage);
    return ExitCode.Ok;
  }
  try {
    const q = queryFrom(options);
    const events = traceStream(q.verbosity, io);
    const watch = new FindWatch(events, signals, io, q.verbosity === 0);
    try {
      return await exchange(q, events, watch, io);
    } finally {
      watch.dispose();
    }
  } catch (e) {
    // The human line is main's; --json readers get the same error on stdout.
    if (options.json === true) io.out(errorJson(e, e instanceof UsageError ? ExitCode.Usage : ExitCode.Internal));
    throw e;
  }
}

async function exchange(q: Query, events: EventStream<TraceEvent>, watch: FindWatch, io: Output): Promise<number> {
  const fail = (e: unknown, message: string, code: number) => {
    io.err(errorLine(message));
    if (q.json) io.out(errorJson(e, code, message));
    return code;
  };
  const where = `${q.host}:${q.port} "${q.called}"`;
  let client: DimseClient;
  try {
    client = await DimseClient.connect({
      host: q.host,
      port: q.port,
      calledAeTitle: q.called,
      callingAeTitle: q.calling,
      presentationContexts: [{ abstractSyntax: FIND_MODELS[q.model].sopClassUid, transferSyntaxes: q.ts }],
      maxPduLength: q.maxPdu,
      ...commandTimeouts(q.timeoutS),
      events,
    });
  } catch (e) {
    const f = describeFailure(e, q.timeoutS, 'C-FIND');
    return fail(e, `${where}: ${f.message}`, f.code);
  }
  watch.listen(client);
  const started = performance.now();
  let last: FindResponse | undefined;
  let pending = 0;
  let cancelSentAfter: number | undefined;
  const problems: string[] = [];
  let error: unknown;
  try {
    const op = client.find(q.model, q.identifier, { priority: q.priority, ...(q.cancelAfter !== undefined && { cancelAfter: q.cancelAfter }) });
    watch.watch(op, () => pending);
    if (q.cancelAfter === 0) cancelSentAfter = 0;
    for await (const r of op) {
      last = r;
      if (!r.final) pending++;
      problems.push(...r.problems.map((p) => `response ${r.index}: ${p}`));
      if (q.json) io.out(JSON.stringify(responseJson(r)));
      else if (!q.quiet) printResponse(r, io);
      // The operation sent the C-CANCEL when the Nth Pending arrived (FindOptions.cancelAfter).
      if (q.cancelAfter !== undefined && q.cancelAfter > 0 && pending === q.cancelAfter && !r.final) cancelSentAfter = pending;
    }
    await client.release();
  } catch (e) {
    error = e;
    client.abort();
  }
  const ms = Number((performance.now() - started).toFixed(1));
  const final = last?.final ? last.status : undefined;
  const own = watch.ownAbort;
  let code: number;
  if (own?.why === 'protocol') code = fail(new DimseError('DIMSE_UNEXPECTED_RESPONSE', own.message), own.message, ExitCode.ProtocolError);
  else if (watch.signal) code = watch.signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
  else if (error) {
    const f = describeFailure(error, q.timeoutS, 'C-FIND');
    code = fail(error, f.message, f.code);
  }
  else code = final === 0x0000 || (final === 0xfe00 && q.cancelAfter !== undefined) ? ExitCode.Ok : ExitCode.FailureStatus;
  const strictFailed = q.strict && code === ExitCode.Ok && watch.violations.length > 0;
  if (strictFailed) code = ExitCode.FailureStatus;
  const ended = own ? 'aborted' : final !== undefined ? 'final' : 'error';
  if (watch.cancelledAfter !== undefined) cancelSentAfter = watch.cancelledAfter;

  const cancelText = cancelSentAfter === undefined ? '' : `, C-CANCEL sent after ${cancelSentAfter}${watch.cancelledAfter !== undefined ? ' (Ctrl-C)' : ''}`;
  const endText =
    final !== undefined ? `final ${describeStatus(final)}` : own?.why === 'signal' ? `no final response: A-ABORT sent (${own.signal})` : own ? 'no final response: A-ABORT sent (a response to a Message ID never sent)' : 'no final response';
  const broken = watch.violations.length ? `, ${watch.violations.length} problem(s)${strictFailed ? ' (--strict: exit 1)' : ''}` : '';
  const summary = `C-FIND ${q.host}:${q.port} "${q.called}" ${FIND_MODELS[q.model].name}${q.level ? ` ${q.level}` : ''}: ${pending} match${pending === 1 ? '' : 'es'}, ${endText} in ${ms} ms${cancelText}${broken}`;
  if (q.json) {
    io.out(
      JSON.stringify({
        summary: true,
        matches: pending,
        finalStatus: final ?? null,
        finalStatusHex: final === undefined ? null : statusHex(final),
        ended,
        cancelSentAfter: cancelSentAfter ?? null,
        interruptedBy: watch.signal ?? null,
        elapsedMs: ms,
        problems,
        violations: watch.violations,
        exitCode: code,
      }),
    );
  } else io.out(code === ExitCode.Ok || (final === 0xfe00 && watch.signal) ? chalk.bold(summary) : chalk.red(summary));
  return code;
}

function printResponse(r: FindResponse, io: Output): void {
  const colour = r.statusClass === 'Pending' ? chalk.cyan : r.statusClass === 'Success' ? chalk.green : r.statusClass === 'Cancel' ? chalk.yellow : chalk.red;
  io.out(`${chalk.dim(`#${r.index}`)} ${colour(describeStatus(r.status))}${r.command.ErrorComment ? ` "${r.command.ErrorComment}"` : ''}`);
  if (r.identifier) io.out(identifierLines(r.identifier).join('\n'));
  for (const p of r.problems) io.out(chalk.yellow(`    ⚠ ${p}`));
}
