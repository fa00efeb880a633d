import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import chalk from 'chalk';
import { Scp } from '../../simulators/scp/scp.ts';
import { DataSet } from '../../simulators/dataset/data-set.ts';
import type { FindHandler, FindResult, FindServiceOptions } from '../../simulators/scp/find-service.ts';
import { recordsFindHandler } from '../../simulators/scp/handlers/records.ts';
import { seedFindHandler } from '../../simulators/scp/handlers/seed.ts';
import { aeTitle, helpFor, parseArgs, port, requireString, UsageError } from '../args.ts';
import type { OptionSpec, ParsedOptions } from '../args.ts';
import { loadRecords, syntheticRecords } from '../records.ts';
import { emptyFolders, LoadInterrupted, loadStoresWithProgress, printStoreProblems } from '../store-loading.ts';
import { PROFILES } from '../../simulators/matching/profile.ts';
import type { MatchingProfile } from '../../simulators/matching/profile.ts';
import { answerFindExtendedNegotiation } from '../../simulators/matching/negotiation.ts';
import type { Negotiated } from '../../simulators/matching/query.ts';
import { storeFindHandler } from '../../simulators/scp/handlers/store.ts';
import { parseOffset } from '../../simulators/matching/timezone.ts';
import { StoreError } from '../../simulators/store/store.ts';
import type { SyntheticShape } from '../../simulators/store/synthetic.ts';
import { ExitCode } from '../exit-codes.ts';
import type { EventStream } from '../../simulators/events/event-stream.ts';
import type { TraceEvent } from '../../simulators/trace/format.ts';
import { AssociationBook, printIdentifiers } from '../identifiers.ts';
import { RecordFile } from '../record-file.ts';
import { describeCancelTally, tallyCancels } from '../../simulators/scp/cancel-tally.ts';
import { serveScenario } from './serve-scenario.ts';
import { exitCodeOfSignal, exitCodeOfStop, ABORT_GRACE_MS, onStopOption, Operations, parseOnStop, RELEASE_GRACE_MS, signalled, stopScp, stoppedLine } from './serve-stop.ts';
import { errorLine, processOutput, traceStream } from '../output.ts';
import type { Output } from '../output.ts';

export const serveOptions: OptionSpec[] = [
  { name: 'scenario', kind: 'string', description: "run this scenario file's SCP (store, association rules, scripted behaviours)", valueName: 'FILE' },
  { name: 'record', kind: 'string', description: 'write every DIMSE message as a JSON line to FILE (AE titles, identifier decoded and in hex)', valueName: 'FILE' },
  { name: 'port', alias: 'p', kind: 'int', description: "TCP port to listen on (0 picks a free one; with --scenario, default the scenario's)", default: 11112, valueName: 'PORT' },
  { name: 'host', kind: 'string', description: 'address to listen on', default: '127.0.0.1', valueName: 'HOST' },
  { name: 'ae-title', kind: 'string', description: 'our AE title; other called AE titles are rejected 1/1/7', default: 'QRSCP', valueName: 'AE' },
  { name: 'calling-ae', kind: 'list', description: 'accept only these calling AE titles (repeatable); others are rejected 1/1/3', valueName: 'AE' },
  { name: 'max-pdu', kind: 'int', description: 'our maximum PDU length (0 = no limit)', default: 16384 },
  { name: 'artim', kind: 'int', description: 'ARTIM timeout in seconds', default: 30 },
  { name: 'idle', kind: 'int', description: 'abort an established association after S seconds with no PDU received or sent (0: never; PS3.8 leaves it to the implementation)', default: 0, valueName: 'S' },
  { name: 'store', alias: 's', kind: 'list', description: 'answer C-FIND from this YAML store or DICOM folder (repeatable)', valueName: 'PATH' },
  { name: 'synthetic-store', kind: 'string', description: 'add a generated archive: patients=N,studies=N,series=N,instances=N (per parent)', valueName: 'SHAPE' },
  { name: 'profile', kind: 'string', description: `matching profile: ${Object.keys(PROFILES).join(', ')}`, default: 'strict', valueName: 'NAME' },
  { name: 'decline', kind: 'list', description: 'decline this extended negotiation: relational, datetime, fuzzy, timezone, empty-value, multi-value (repeatable)', valueName: 'FEATURE' },
  { name: 'timezone', kind: 'string', description: "the archive's timezone for timezone query adjustment, +HHMM or -HHMM", default: '+0000', valueName: 'OFFSET' },
  { name: 'records', kind: 'string', description: 'answer C-FIND from this YAML/JSON list of flat records', valueName: 'FILE' },
  { name: 'synthetic', kind: 'int', description: 'answer C-FIND from N synthetic IMAGE records (long streams)', valueName: 'N' },
  { name: 'handler', kind: 'string', description: 'records (match every key) or seed (the seed example: PATIENT level, PatientName only)', default: 'records', valueName: 'NAME' },
  { name: 'ignore-cancel', kind: 'flag', description: 'keep streaming after a C-CANCEL (an archive that ignores it)' },
  { name: 'delay', kind: 'int', description: 'milliseconds between Pending responses', default: 0, valueName: 'MS' },
  onStopOption(`on Ctrl-C/SIGTERM: abort open associations, or release them once their operations end (aborting what is left after ${RELEASE_GRACE_MS} ms)`),
  { name: 'quiet', alias: 'q', kind: 'flag', description: 'print nothing per association' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'trace DIMSE messages and association events, with each identifier received decoded' },
  { name: 'debug', alias: 'd', kind: 'flag', description: 'trace every PDU and state transition too, and the identifiers sent' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const serveUsage = `qr-harness serve [--port P] [--ae-title AE] [--store PATH …] [options]

Runs an SCP that accepts associations, answers C-ECHO and, given a store or records, C-FIND and
C-CANCEL, until interrupted. With --scenario FILE it is the scenario's scripted SCP. -v shows
each identifier received, decoded.
Ctrl-C or SIGTERM stops it (exit 130 or 143), waiting at most ${RELEASE_GRACE_MS + ABORT_GRACE_MS} ms for peers. --on-stop abort (default) sends an
A-ABORT on every open association (PS3.8 7.3). --on-stop release lets operations in progress send
their final response, then sends A-RELEASE-RQ itself (either AE may release, PS3.8 7.2) and
aborts whatever has not ended after ${RELEASE_GRACE_MS} ms. A store being loaded is abandoned at once.
Example: qr-harness serve --store scenarios/stores/seed.yaml, then
         qr-harness find --model patient --level PATIENT -k PatientName=CITIZEN^Jan

${helpFor(serveOptions)}`;

/** What the options say, every value checked before anything is loaded or listened on. */
interface Settings {
  ae: string;
  callingAeTitles: string[];
  profile: MatchingProfile;
  supported: Partial<Negotiated>;
  storeOffset: number;
  port: number;
  shape: SyntheticShape | undefined;
}

export async function serveCommand(argv: string[], io: Output, stop: Promise<unknown> = signalled()): Promise<number> {
  const { options } = parseArgs(argv, serveOptions);
  if (options.help) {
    io.out(serveUsage);
    return ExitCode.Ok;
  }
  const verbosity = options.debug ? 2 : options.verbose ? 1 : 0;
  const events = traceStream(verbosity, io);
  const book = new AssociationBook(events);
  if (!options.quiet) printAssociations(events, io);
  if (verbosity > 0) tallyCancels(events, (t) => io.err(`${t.associationId} ${describeCancelTally(t)}`));
  if (options.scenario !== undefined) {
    const explicit = parseArgs(argv, serveOptions.map(({ default: _, ...s }) => s)).options;
    return serveScenario(options, explicit, events, io, stop, book);
  }
  if (verbosity > 0) printIdentifiers(events, book, io.err, verbosity > 1 ? 'both' : 'received');
  const settings = checkSettings(options);
  const onStop = parseOnStop(options['on-stop']);
  const operations = onStop === 'release' ? new Operations(events) : undefined;
  const abort = new AbortController();
  void stop.then((signal) => abort.abort(signal));
  const record = options.record === undefined ? undefined : await RecordFile.open(options.record as string, events, book);
  let find: FindServiceOptions | undefined;
  let fromStore: Awaited<ReturnType<typeof storeFrom>>;
  try {
    fromStore = await storeFrom(options, settings, io, abort.signal);
    find = fromStore?.find ?? findFrom(options);
  } catch (e) {
    await record?.close();
    if (e instanceof LoadInterrupted) {
      io.err(e.message);
      return exitCodeOfSignal(abort.signal.reason);
    }
    if (!(e instanceof StoreError)) throw e;
    printStoreProblems(e, io);
    return ExitCode.Usage;
  }
  const scp = new Scp({
    aeTitle: settings.ae,
    ...(find && { find }),
    policy: {
      maxPduLength: options['max-pdu'] as number,
      ...(settings.callingAeTitles.length > 0 && { callingAeTitles: settings.callingAeTitles }),
      ...(fromStore && { extendedNegotiation: fromStore.extendedNegotiation }),
    },
    timeouts: { artimMs: (options.artim as number) * 1000, idleMs: (options.idle as number) * 1000 },
    events,
  });
  let bound: number;
  try {
    bound = await scp.listen(settings.port, requireString(options, 'host'));
  } catch (e) {
    await record?.close();
    io.err(errorLine(`cannot listen on ${options.host}:${options.port}: ${(e as Error).message}`));
    return ExitCode.Connection;
  }
  io.out(`${chalk.bold(`SCP "${settings.ae}"`)} listening on ${options.host}:${bound} (C-ECHO${find ? ', C-FIND, C-CANCEL' : ''})`);
  const signal = await stop;
  const stopped = await stopScp(scp, { onStop, ...(operations && { operations }) });
  await record?.close();
  io.out(`${stoppedLine(signal, stopped)}${record ? `; record in ${options.record}` : ''}`);
  return exitCodeOfStop(signal);
}

function printAssociations(events: EventStream<TraceEvent>, io: Output): void {
  events.subscribe((e) => {
    if (e.kind === 'violation') io.out(`${chalk.magenta('violation')} ${e.associationId}: ${e.reference}: ${e.message}`);
    if (e.kind !== 'association') return;
    if (e.phase === 'established') io.out(`${chalk.green('accepted')} ${e.associationId} "${e.request.callingAeTitle}" → "${e.request.calledAeTitle}"`);
    if (e.phase === 'rejected') io.out(`${chalk.yellow('rejected')} ${e.associationId}: ${e.description}`);
    if (e.phase === 'released') io.out(`${chalk.dim('released')} ${e.associationId} by ${e.by}`);
    if (e.phase === 'aborted') io.out(`${chalk.red('aborted')} ${e.associationId}: ${e.description}`);
  }, ['association', 'violation']);
}

function findFrom(options: ParsedOptions): FindServiceOptions | undefined {
  const file = options.records as string | undefined;
  const n = options.synthetic as number | undefined;
  if (file === undefined && n === undefined) return undefined;
  const records = [...(file ? loadRecords(file) : []), ...(n ? syntheticRecords(n) : [])];
  const name = options.handler as string;
  const base = name === 'seed' ? seedFindHandler(records.map((r) => DataSet.from(r))) : recordsFindHandler(records, { retrieveAeTitle: options['ae-title'] as string });
  const delay = options.delay as number;
  const handler: FindHandler =
    delay > 0
      ? async function* (request) {
          for (const r of base(request) as Iterable<FindResult>) {
            await sleep(delay);
            yield r;
          }
        }
      : base;
  return { handler, honourCancel: options['ignore-cancel'] !== true };
}

const FEATURES: Record<string, keyof Negotiated> = { relational: 'relational', datetime: 'dateTime', fuzzy: 'fuzzy', timezone: 'timezone', 'empty-value': 'emptyValue', 'multi-value': 'multipleValue' };

function checkSettings(options: ParsedOptions): Settings {
  const ae = aeTitle(requireString(options, 'ae-title'), '--ae-title');
  const callingAeTitles = ((options['calling-ae'] as string[] | undefined) ?? []).map((a) => aeTitle(a, '--calling-ae'));
  const profile = PROFILES[options.profile as string];
  if (!profile) throw new UsageError(`--profile must be one of ${Object.keys(PROFILES).join(', ')}, got "${options.profile}"`);
  const supported: Partial<Negotiated> = { relational: true, dateTime: true, fuzzy: true, timezone: true, emptyValue: true, multipleValue: true };
  for (const d of (options.decline as string[] | undefined) ?? []) {
    const f = FEATURES[d];
    if (!f) throw new UsageError(`--decline takes ${Object.keys(FEATURES).join(', ')}, got "${d}"`);
    supported[f] = false;
  }
  const zone = options.timezone as string;
  const storeOffset = parseOffset(zone);
  if (storeOffset === undefined) throw new UsageError(`--timezone needs +HHMM or -HHMM, got "${zone}"`);
  const handler = options.handler as string;
  if (handler !== 'records' && handler !== 'seed') throw new UsageError(`--handler must be records or seed, got "${handler}"`);
  const fromStore = options.store !== undefined || options['synthetic-store'] !== undefined;
  if (fromStore && (options.records !== undefined || options.synthetic !== undefined)) throw new UsageError('--records and --synthetic answer instead of a store: give them without --store and --synthetic-store');
  const shape = options['synthetic-store'] === undefined ? undefined : parseShape(options['synthetic-store'] as string);
  return { ae, callingAeTitles, profile, supported, storeOffset, port: port(options.port as number, '--port'), shape };
}

async function storeFrom(options: ParsedOptions, settings: Settings, io: Output, signal: AbortSignal) {
  const paths = (options.store as string[] | undefined) ?? [];
  if (!paths.length && !settings.shape) return undefined;
  const loaded = await loadStoresWithProgress(paths, settings.shape, io, { signal, tty: io === processOutput && process.stderr.isTTY === true });
  const empty = emptyFolders(loaded.folders);
  if (empty.length) {
    throw new StoreError(
      'STORE_INVALID',
      empty.map((f) => ({ where: f.path, message: `no DICOM instance or worklist file could be loaded from this folder (${f.report.files} file${f.report.files === 1 ? '' : 's'}${f.report.skipped[0] ? `; ${path.relative(f.path, f.report.skipped[0].file)}: ${f.report.skipped[0].reason}` : ''})` })),
    );
  }
  const c = loaded.store.counts;
  const seconds = loaded.ms >= 1000 ? `, loaded in ${(loaded.ms / 1000).toFixed(1)} s` : '';
  io.out(`store: ${c.patients} patients, ${c.studies} studies, ${c.series} series, ${c.instances} instances, ${c.worklist} worklist items (profile ${settings.profile.name}${seconds})`);
  for (const f of loaded.folders) if (f.report.skipped.length) io.out(`  ${f.path}: ${f.report.skipped.length} file(s) skipped (qr-harness store check ${f.path} lists them)`);
  return {
    find: { handler: storeFindHandler(loaded.store, { profile: settings.profile, retrieveAeTitle: settings.ae, storeOffset: settings.storeOffset }), honourCancel: options['ignore-cancel'] !== true } satisfies FindServiceOptions,
    extendedNegotiation: answerFindExtendedNegotiation(settings.supported),
  };
}

function parseShape(text: string): SyntheticShape {
  const v: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^(patients|studies|series|instances|seed)=(\d+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--synthetic-store: "${part}" is not patients=N, studies=N, series=N, instances=N or seed=N`);
    v[m[1]!] = Number(m[2]);
  }
  return { patients: v.patients ?? 1, studiesPerPatient: v.studies ?? 1, seriesPerStudy: v.series ?? 1, instancesPerSeries: v.instances ?? 1, ...(v.seed !== undefined && { seed: v.seed }) };
}
