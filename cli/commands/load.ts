import { writeFileSync } from 'node:fs';
import { runLoad } from '../../simulators/load/engine.ts';
import { evaluateThresholds } from '../../simulators/load/thresholds.ts';
import type { Threshold, ThresholdResult } from '../../simulators/load/thresholds.ts';
import type { LoadOptions, LoadResult } from '../../simulators/load/types.ts';
import { StoreError } from '../../simulators/store/store.ts';
import type { Store } from '../../simulators/store/store.ts';
import { aeTitle, helpFor, parseArgs, requireString, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { concurrency, durationMs, mixOf, ratePerSecond, shardSpec, targetScp, thresholds } from '../load-options.ts';
import { LiveStats, observedText, printResult } from '../load-report.ts';
import { errorLine, processOutput } from '../output.ts';
import type { Output } from '../output.ts';
import { loadStores, printStoreProblems } from '../store-loading.ts';
import { exitCodeOfStop, onStopOption, parseOnStop, signalled } from './serve-stop.ts';

export const loadOptions: OptionSpec[] = [
  { name: 'target-scp', kind: 'string', description: 'the C-FIND SCP under load', valueName: 'HOST:PORT' },
  { name: 'called-ae', kind: 'string', description: "the SCP's AE title", valueName: 'AE' },
  { name: 'calling-ae', kind: 'string', description: 'our AE title', default: 'QRHARNESS', valueName: 'AE' },
  { name: 'scenario', kind: 'string', description: "sessions from a scenario: its load.mix (weighted), or its scu.steps as one session (default: queries over the conformance data set)", valueName: 'FILE' },
  { name: 'concurrency', alias: 'c', kind: 'int', description: 'closed model: clients looping; open model: most sessions in flight', default: 1 },
  { name: 'rate', kind: 'string', description: 'open model: session arrivals per second (all shards together), with --duration', valueName: 'R/s' },
  { name: 'iterations', alias: 'n', kind: 'int', description: 'closed model: sessions in all (all shards together)', valueName: 'K' },
  { name: 'duration', kind: 'string', description: 'how long sessions start: 30s, 2m, 500ms or seconds (alone: closed model until then)', valueName: 'D' },
  { name: 'threshold', kind: 'list', description: 'a pass/fail criterion, e.g. "p95(first_pending)<200ms", "rate(failures)<0.01", "count(timeout)==0", "rate(c_find)>100"', valueName: 'EXPR' },
  { name: 'json', kind: 'string', description: 'write the result (histograms included, for merge) and the thresholds here', valueName: 'FILE' },
  { name: 'shard', kind: 'string', description: 'run shard i of N of the schedule (arrivals or iterations ≡ i mod N); merge the files after', valueName: 'i/N' },
  { name: 'store', kind: 'string', description: "the data the SCP holds: each C-FIND's answer is checked against our matching engine (wrong_answer)", valueName: 'STORE' },
  { name: 'timeout', kind: 'int', description: 'bound of every wait in seconds: connect, A-ASSOCIATE-AC, each response, A-RELEASE-RP', default: 30, valueName: 'S' },
  { ...onStopOption('Ctrl-C/SIGTERM: release sessions in flight (C-CANCEL first) or abort them'), default: 'release' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const loadUsage = `qr-harness load --target-scp HOST:PORT --called-ae AE [--scenario mix.yaml] --concurrency N (--rate R/s | --iterations K) [--duration D] [options]

Runs sessions (an association, its C-ECHO / C-FIND / C-CANCEL steps, A-RELEASE) against a C-FIND SCP:
N clients looping (closed model: --iterations K, or --duration D alone), or arrivals at --rate R/s for
--duration D with at most N in flight (open model; arrivals over the cap are counted as dropped).
Prints live statistics each second, then counts, latency percentiles (association, first_pending,
final, cancel_to_fe00, echo, release), throughput, the generator's CPU per C-FIND, failures by kind
(rejected, aborted, timeout, connection, protocol, wrong_answer, dropped) with an example each, and
the thresholds. Ctrl-C or SIGTERM stops within 500 ms with the summary (and --json) so far.
Example: qr-harness load --target-scp 127.0.0.1:11112 --called-ae QRSCP --concurrency 8 --iterations 1000 --threshold "p95(final)<50ms"

${helpFor(loadOptions)}

Exit codes: 0 ok, 2 usage, 3 the target unreachable (every association refused in the first second),
8 a threshold broken, 130 Ctrl-C, 143 SIGTERM, 70 internal.`;

/** What a load or merge writes with --json: the result and how each threshold fared. */
export function writeResultJson(file: string, result: LoadResult, thresholds: ThresholdResult[]): void {
  writeFileSync(file, `${JSON.stringify({ ...result, thresholds }, null, 1)}\n`);
}

/** Prints the summary, writes --json, and says how the run exits by its thresholds. */
export function finish(result: LoadResult, ts: Threshold[], json: string | undefined, io: Output): number {
  const results = evaluateThresholds(ts, result);
  printResult(result, results, io);
  if (json !== undefined) writeResultJson(json, result, results);
  const broken = results.filter((x) => !x.ok);
  if (broken.length) {
    io.err(errorLine(`threshold${broken.length > 1 ? 's' : ''} broken: ${broken.map((x) => `${x.expression} (observed ${observedText(x)})`).join(', ')}`));
    return ExitCode.ThresholdBroken;
  }
  return ExitCode.Ok;
}

function storeOf(file: string | undefined, io: Output): Store | number | undefined {
  if (file === undefined) return undefined;
  try {
    return loadStores([file]).store;
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    printStoreProblems(e, io);
    return ExitCode.Usage;
  }
}

/** `stop` resolves to stop the run (SIGINT/SIGTERM by default; tests pass their own). */
export async function loadCommand(argv: string[], io: Output, stop: Promise<unknown> = signalled()): Promise<number> {
  const { options, positionals } = parseArgs(argv, loadOptions);
  if (options.help) {
    io.out(loadUsage);
    return ExitCode.Ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const target = targetScp(requireString(options, 'target-scp'));
  if (options['called-ae'] === undefined) throw new UsageError('--called-ae AE is required');
  const called = aeTitle(requireString(options, 'called-ae'), '--called-ae');
  const calling = aeTitle(requireString(options, 'calling-ae'), '--calling-ae');
  const rate = options.rate === undefined ? undefined : ratePerSecond(options.rate as string);
  const iterations = options.iterations as number | undefined;
  if (iterations !== undefined && iterations < 1) throw new UsageError('--iterations must be at least 1');
  const duration = options.duration === undefined ? undefined : durationMs(options.duration as string);
  if (rate !== undefined && iterations !== undefined) throw new UsageError('give --rate (open model) or --iterations (closed model), not both');
  if (rate !== undefined && duration === undefined) throw new UsageError('--rate needs --duration (how long arrivals go on)');
  if (rate === undefined && iterations === undefined && duration === undefined) throw new UsageError('give --rate R/s with --duration D, --iterations K, or --duration D alone');
  const n = concurrency(options.concurrency as number);
  const shard = options.shard === undefined ? undefined : shardSpec(options.shard as string);
  const timeout = options.timeout as number;
  if (!(timeout >= 1)) throw new UsageError('--timeout must be at least 1 second');
  const onStop = parseOnStop(options['on-stop']);
  const ts = thresholds((options.threshold as string[] | undefined) ?? []);
  const mix = mixOf(options.scenario as string | undefined);
  const json = options.json as string | undefined;
  const store = storeOf(options.store as string | undefined, io);
  if (typeof store === 'number') return store;

  const controller = new AbortController();
  let reason: unknown;
  void stop.then((r) => {
    reason = r;
    controller.abort();
  });
  const live = new LiveStats(io, io === processOutput && process.stderr.isTTY === true && !process.env.NO_COLOR);
  const o: LoadOptions = {
    ...target,
    calledAeTitle: called,
    callingAeTitle: calling,
    concurrency: n,
    ...(rate !== undefined && { rate }),
    ...(iterations !== undefined && { iterations }),
    ...(duration !== undefined && { durationMs: duration }),
    mix,
    ...(shard && { shard }),
    timeoutMs: timeout * 1000,
    ...(store && { store, storeName: options.store as string }),
    signal: controller.signal,
    onStop,
    onSecond: (s) => live.update(s),
  };
  let result: LoadResult;
  try {
    result = await runLoad(o);
  } finally {
    live.clear();
  }
  if (result.stoppedBy === 'unreachable') {
    io.err(errorLine(`${target.host}:${target.port}: unreachable: ${result.failures.connection.example ?? 'connection refused'} (every association in the first second)`));
    if (json !== undefined) writeResultJson(json, result, []);
    return ExitCode.Connection;
  }
  const code = finish(result, ts, json, io);
  if (result.stoppedBy === 'signal') return exitCodeOfStop(reason);
  return code;
}
