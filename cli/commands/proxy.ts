import chalk from 'chalk';
import { EventStream } from '../../simulators/events/event-stream.ts';
import { ProxyError } from '../../simulators/proxy/errors.ts';
import type { Direction, ProxyEvent, Side } from '../../simulators/proxy/events.ts';
import { ConnectionObserver } from '../../simulators/proxy/observer.ts';
import { Relay } from '../../simulators/proxy/relay.ts';
import { judgeProxiedFindRequest } from '../../simulators/proxy/request-judge.ts';
import { describeCommand, describePdu } from '../../simulators/trace/describe.ts';
import { transferSyntax } from '../../simulators/dataset/transfer-syntax.ts';
import { uidName } from '../../simulators/dimse/sop-classes.ts';
import { helpFor, parseArgs, port, requireString, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';
import { ProxyPcap } from '../proxy-pcap.ts';
import { ProxyRecord } from '../proxy-record.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { scenarioFromRecording } from '../../simulators/proxy/to-scenario.ts';
import type { ObserverEvent } from '../../simulators/proxy/events.ts';
import { encodePdu } from '../../simulators/ul/pdu/registry.ts';
import { ABORT_GRACE_MS, exitCodeOfStop, onStopOption, parseOnStop, RELEASE_GRACE_MS, signalled } from './serve-stop.ts';

export const proxyOptions: OptionSpec[] = [
  { name: 'listen', alias: 'l', kind: 'int', description: 'TCP port to listen on (0 picks a free one)', valueName: 'PORT' },
  { name: 'host', kind: 'string', description: 'address to listen on', default: '127.0.0.1', valueName: 'HOST' },
  { name: 'forward', kind: 'string', description: 'where each connection is forwarded: the archive (or any DICOM peer)', valueName: 'HOST:PORT' },
  { name: 'record', kind: 'string', description: 'write every connection, PDU (bytes in base64), DIMSE message, fail and finding as a JSON line to FILE', valueName: 'FILE.jsonl' },
  { name: 'pcap', kind: 'string', description: 'write the connections as a pcapng capture (Wireshark, with its DICOM dissector) to FILE', valueName: 'FILE.pcapng' },
  { name: 'to-scenario', kind: 'string', description: 'when stopped, write a scenario that replays the session: each C-FIND answered as the archive answered it (serve --scenario FILE)', valueName: 'FILE.yaml' },
  { name: 'timeout', kind: 'int', description: 'seconds to wait for the forward target to accept a connection', default: 10, valueName: 'S' },
  onStopOption(`on Ctrl-C/SIGTERM: A-ABORT (source 2) to both sides of each open association, or first wait ${RELEASE_GRACE_MS} ms for connections to end by themselves`),
  { name: 'quiet', alias: 'q', kind: 'flag', description: 'print only fails, findings, errors and the summary' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'print every DIMSE message too (direction, AE titles, command, status)' },
  { name: 'debug', alias: 'd', kind: 'flag', description: 'print every PDU too' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const proxyUsage = `qr-harness proxy --listen PORT --forward HOST:PORT [--host 127.0.0.1] [--record FILE.jsonl] [--pcap FILE.pcapng] [--to-scenario FILE.yaml] [--quiet|-v]

A recording proxy between a DICOM client and an archive: every connection accepted on --listen is
connected to --forward and its bytes are passed on unchanged both ways. On the side, each direction
is decoded and judged as the conformance checks judge it: one line per fail or finding, naming the
side at fault (client or archive), the rule and what was seen. A forward target that cannot be
reached closes the client's connection (the proxy sends no PDU of its own).
Ctrl-C or SIGTERM stops it (exit 130 or 143), waiting at most ${RELEASE_GRACE_MS + ABORT_GRACE_MS} ms for peers, and prints a
summary; the record, capture and scenario are written whole. It stops accepting; --on-stop abort
(default) then sends each side of every association not yet ended an A-ABORT, source 2
(service-provider, PS3.8 9.3.8: the proxy is the provider between them), after the PDU in
flight each way, and closes;
--on-stop release first waits up to ${RELEASE_GRACE_MS} ms for connections to end by themselves (the proxy makes
up no A-RELEASE), then aborts what is left the same way.
Example: qr-harness serve --port 11112, then qr-harness proxy --listen 11113 --forward 127.0.0.1:11112 -v
         and qr-harness find --port 11113 --model patient --level PATIENT -k PatientName=CITIZEN^Jan

${helpFor(proxyOptions)}`;

/** Lines like one already printed, per connection, before they are only counted. */
const REPEATS_SHOWN = 3;

export async function proxyCommand(argv: string[], io: Output, stop: Promise<unknown> = signalled()): Promise<number> {
  const { options, positionals } = parseArgs(argv, proxyOptions);
  if (options.help) {
    io.out(proxyUsage);
    return ExitCode.Ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (options.listen === undefined) throw new UsageError('--listen is required');
  const listen = port(options.listen as number, '--listen');
  const forward = hostPort(requireString(options, 'forward'));
  const host = requireString(options, 'host');
  const verbosity = options.debug ? 2 : options.verbose ? 1 : 0;
  const onStop = parseOnStop(options['on-stop']);
  if (options.quiet && verbosity > 0) throw new UsageError('--quiet and -v/-d ask for opposite things: give one');
  const record = options.record === undefined ? undefined : await ProxyRecord.open(options.record as string);
  let pcap: ProxyPcap | undefined;
  try {
    pcap = options.pcap === undefined ? undefined : ProxyPcap.create(options.pcap as string, `qr-harness proxy ${host}:${listen} → ${forward.host}:${forward.port}`);
  } catch (e) {
    await record?.close();
    throw e;
  }
  const events = new EventStream<ProxyEvent>();
  const tally = new Tally();
  events.subscribe((e) => tally.add(e), ['open', 'forward-failed', 'pdu', 'finding', 'observer-failed']);
  if (record) events.subscribe((e) => record.write(e));
  if (pcap) events.subscribe((e) => pcap.write(e), ['open', 'chunk', 'close']);
  // For --to-scenario: the messages and association milestones (identifiers decoded), kept until the proxy stops.
  const session: ObserverEvent[] = [];
  if (options['to-scenario'] !== undefined) events.subscribe((e) => session.push(e as ObserverEvent), ['message', 'association']);
  // Connections whose association has ended (or never will): a stopping proxy aborts only the others.
  const ended = new Set<string>();
  events.subscribe(
    (e) => {
      if (e.kind === 'close') ended.delete(e.connection);
      else if (e.kind === 'association' && (e.phase === 'released' || e.phase === 'aborted' || e.phase === 'rejected')) ended.add(e.connection);
    },
    ['association', 'close'],
  );
  const printer = new Printer(io, options.quiet === true, verbosity);
  events.subscribe((e) => printer.print(e));
  const relay = new Relay({
    forward,
    events,
    connectTimeoutMs: (options.timeout as number) * 1000,
    closeGraceMs: ABORT_GRACE_MS,
    // The record and the capture take the bytes as they pass: nothing is held for a long-lived connection.
    keepJournal: false,
    observe: (connection) => new ConnectionObserver({ connection, emit: (e) => events.emit(e), judgeFindRequest: judgeProxiedFindRequest }),
  });
  let bound: number;
  try {
    bound = await relay.listen(listen, host);
  } catch (e) {
    await record?.close();
    pcap?.end();
    if (!(e instanceof ProxyError)) throw e;
    io.err(errorLine(e.message));
    return ExitCode.Usage;
  }
  const writing = [...(record ? [record.file] : []), ...(pcap ? [pcap.file] : [])];
  io.out(`${chalk.bold('proxy')} ${host}:${bound} → ${forward.host}:${forward.port}${writing.length ? ` (recording to ${writing.join(' and ')})` : ''}`);
  const signal = await stop;
  const aborted = await relay.close({
    ...(onStop === 'release' && { waitMs: RELEASE_GRACE_MS }),
    // PS3.8 9.3.8: source 2, the service-provider; reason 0, not specified.
    abort: { pdu: encodePdu({ type: 0x07, source: 2, reason: 0 }), when: (connection) => !ended.has(connection) },
  });
  if (!options.quiet) for (const c of aborted) io.out(`${chalk.dim(`#${c}`)} A-ABORT (source 2, service-provider) sent to the client and the archive`);
  record?.write({ kind: 'stop', ...(typeof signal === 'string' && { signal }), onStop, aborted });
  const summary = tally.summary();
  record?.write({ kind: 'summary', ...summary });
  await record?.close();
  pcap?.end();
  const files = [...(record ? [`record in ${record.file}`] : []), ...(pcap ? [`capture in ${pcap.file}`] : [])];
  io.out(`stopped${typeof signal === 'string' ? ` (${signal})` : ''}: ${tally.text()}${files.map((f) => `; ${f}`).join('')}`);
  if (options['to-scenario'] !== undefined) {
    const file = path.resolve(options['to-scenario'] as string);
    const { yaml, finds } = scenarioFromRecording(session, { source: `${forward.host}:${forward.port}` });
    try {
      writeFileSync(file, yaml);
      io.out(`scenario: ${finds} C-FIND(s) written to ${options['to-scenario'] as string}; replay with qr-harness serve --scenario ${options['to-scenario'] as string}`);
    } catch (e) {
      io.err(errorLine(`--to-scenario: writing ${file} failed: ${(e as Error).message}`));
    }
  }
  if (record?.error) io.err(errorLine(`--record: writing ${record.file} failed: ${record.error.message}`));
  if (pcap?.error) io.err(errorLine(`--pcap: writing ${pcap.file} failed: ${pcap.error.message}`));
  return exitCodeOfStop(signal);
}

/** HOST:PORT, the host a name, an IPv4 address or a bracketed IPv6 address. */
export function hostPort(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--forward needs HOST:PORT, got "${text}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: port(Number(m[2]), '--forward') };
}

/** What the summary counts: connections, PDUs each way, fails and findings per side. */
class Tally {
  connections = 0;
  readonly pdus: Record<Direction, number> = { c2s: 0, s2c: 0 };
  readonly fails: Record<Side, number> = { client: 0, archive: 0 };
  readonly findings: Record<Side, number> = { client: 0, archive: 0 };
  errors = 0;

  add(e: ProxyEvent): void {
    if (e.kind === 'open' || e.kind === 'forward-failed') this.connections++;
    else if (e.kind === 'pdu') this.pdus[e.dir]++;
    else if (e.kind === 'finding') (e.severity === 'fail' ? this.fails : this.findings)[e.side]++;
    else if (e.kind === 'observer-failed') this.errors++;
  }

  summary() {
    return { connections: this.connections, pdus: { ...this.pdus }, fails: { ...this.fails }, findings: { ...this.findings }, observerErrors: this.errors };
  }

  text(): string {
    const n = (x: number, what: string) => `${x} ${what}${x === 1 ? '' : 's'}`;
    return [
      n(this.connections, 'connection'),
      `PDUs ${this.pdus.c2s} client → archive, ${this.pdus.s2c} archive → client`,
      `fails: client ${this.fails.client}, archive ${this.fails.archive}`,
      `findings: client ${this.findings.client}, archive ${this.findings.archive}`,
      ...(this.errors ? [n(this.errors, 'observer error')] : []),
    ].join('; ');
  }
}

/** The lines a user reads as things happen. */
class Printer {
  /** Per connection: how often each (side, code) was reported, so a breach repeated on every Pending prints a few times, then as a count. */
  private readonly repeats = new Map<string, Map<string, number>>();
  private readonly titles = new Map<string, { calling: string; called: string }>();
  /** Connections whose forward target could not be reached. */
  private readonly unreached = new Set<string>();

  constructor(
    private readonly io: Output,
    private readonly quiet: boolean,
    private readonly verbosity: number,
  ) {}

  print(e: ProxyEvent): void {
    if (e.kind === 'listening' || e.kind === 'chunk') return;
    const tag = chalk.dim(`#${e.connection}`);
    const info = (line: string): void => {
      if (!this.quiet) this.io.out(`${tag} ${line}`);
    };
    switch (e.kind) {
      case 'open':
        return info(`open ${e.client.host}:${e.client.port} → ${e.server.host}:${e.server.port}`);
      case 'forward-failed':
        this.unreached.add(e.connection);
        return this.io.err(`${tag} ${errorLine(`${e.error.message}; the client's connection is closed (the proxy sends no PDU of its own)`)}`);
      case 'observer-failed':
        return this.io.err(`${tag} ${errorLine(e.error.message)}`);
      case 'close':
        this.foldedCounts(e.connection, tag);
        this.repeats.delete(e.connection);
        this.titles.delete(e.connection);
        if (this.unreached.delete(e.connection)) return info(`closed without reaching the archive: ${e.bytes.c2s} bytes from the client kept in the journal`);
        return info(`closed ${e.cause.by === 'proxy' ? 'by the proxy' : `by the ${e.cause.by}${e.cause.how === 'error' ? ` (${e.cause.error})` : ''}`}: ${e.bytes.c2s} bytes client → archive, ${e.bytes.s2c} archive → client`);
      case 'pdu':
        if (this.verbosity >= 2) this.io.out(`${tag} ${this.arrow(e.connection, e.dir)} ${e.pdu ? describePdu(e.pdu) : `undecodable ${e.length}-byte PDU`} ${chalk.dim(`@${e.offset}`)}`);
        return;
      case 'association':
        return this.association(e, info);
      case 'message':
        if (this.verbosity >= 1) this.io.out(`${tag} ${this.arrow(e.connection, e.dir)} ${describeCommand(e.command)}${e.dataSet ? chalk.dim(` + identifier ${e.dataSet.length} B`) : ''}`);
        return;
      case 'finding': {
        const seen = this.repeats.get(e.connection) ?? new Map<string, number>();
        this.repeats.set(e.connection, seen);
        const key = `${e.side} ${e.code}`;
        const count = (seen.get(key) ?? 0) + 1;
        seen.set(key, count);
        if (count > REPEATS_SHOWN) return;
        const label = e.severity === 'fail' ? chalk.red('FAIL') : chalk.yellow('finding');
        return this.io.out(`${tag} ${label} ${e.side} ${e.rule} ${chalk.dim(`[${e.code}]`)} ${e.text}`);
      }
    }
  }

  private association(e: Extract<ProxyEvent, { kind: 'association' }>, info: (l: string) => void): void {
    switch (e.phase) {
      case 'requested':
        this.titles.set(e.connection, { calling: e.callingAeTitle, called: e.calledAeTitle });
        return info(`A-ASSOCIATE-RQ "${e.callingAeTitle}" → "${e.calledAeTitle}", ${e.contexts} presentation context(s), max PDU ${e.maxLength ?? 'absent'}`);
      case 'accepted':
        info(`A-ASSOCIATE-AC: ${e.contexts.length} of ${e.proposed} context(s) accepted, max PDU ${e.maxLength ?? 'absent'}`);
        if (this.verbosity >= 1) for (const c of e.contexts) info(`  context ${c.id}: ${uidName(c.abstractSyntax)}, ${transferSyntax(c.transferSyntax)?.name ?? c.transferSyntax}`);
        return;
      case 'rejected':
        return info(`A-ASSOCIATE-RJ: ${e.description}`);
      case 'release-requested':
        return this.verbosity >= 1 ? info(`A-RELEASE-RQ from the ${e.by}`) : undefined;
      case 'released':
        return info(`released by the ${e.by}`);
      case 'aborted':
        return info(`A-ABORT from the ${e.by}: ${e.description}`);
    }
  }

  /** `"CALLING" → "CALLED"` for what the client sent, `"CALLING" ← "CALLED"` for what the archive sent. */
  private arrow(connection: string, dir: Direction): string {
    const t = this.titles.get(connection);
    const [calling, called] = t ? [`"${t.calling}"`, `"${t.called}"`] : ['client', 'archive'];
    return `${calling} ${dir === 'c2s' ? '→' : '←'} ${called}`;
  }

  private foldedCounts(connection: string, tag: string): void {
    for (const [key, count] of this.repeats.get(connection) ?? []) {
      if (count > REPEATS_SHOWN) this.io.out(`${tag} ${chalk.dim(`… ${count - REPEATS_SHOWN} more ${key} not shown (${count} in all)`)}`);
    }
  }
}
