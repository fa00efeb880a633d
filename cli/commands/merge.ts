import { readFileSync, statSync } from 'node:fs';
import { LoadError } from '../../simulators/load/errors.ts';
import { asLoadResult, mergeLoadResults } from '../../simulators/load/merge.ts';
import type { LoadResult } from '../../simulators/load/types.ts';
import { helpFor, parseArgs, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { thresholds } from '../load-options.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';
import { finish } from './load.ts';
import { isConformRunInput, mergeConformRuns } from '../conform/merge-runs.ts';

export const mergeOptions: OptionSpec[] = [
  { name: 'json', kind: 'string', description: 'load shards: write the merged result (and the thresholds) here', valueName: 'FILE' },
  { name: 'report', kind: 'string', description: 'conformance runs: the folder to write the merged reports into', default: 'reports', valueName: 'DIR' },
  { name: 'threshold', kind: 'list', description: 'a pass/fail criterion on the merged result, as for load', valueName: 'EXPR' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const mergeUsage = `qr-harness merge shard-0.json shard-1.json … [--json OUT] [--threshold EXPR …]
qr-harness merge RUN-DIR RUN-DIR … [--report OUT-DIR]

Load shards: merges the --json results of the shards of one load run (qr-harness load --shard i/N
--json FILE): histograms added (percentiles exact), counters summed, earliest start to latest end.
Refuses files of different targets, mixes or shard counts, and a shard missing or given twice.
Prints the same summary as load and applies the thresholds to the merged result.

Conformance runs: merges the report folders of several conform runs (one per archive or per tag
group, e.g. the jobs of a CI matrix; each folder, or its messages.ndjson, with verdicts.json beside
it) into one run's messages.ndjson, verdicts.json, junit.xml and conformance.html in --report.

${helpFor(mergeOptions)}

Exit codes: 0 ok, 2 usage (or files that are not the shards of one run), 8 a threshold broken, 70 internal.`;

/** A load result file (conformance run folders and message streams go to mergeConformRuns). */
function readInput(input: string): LoadResult {
  try {
    statSync(input);
  } catch {
    throw new UsageError(`${input}: no such file`);
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(input, 'utf8'));
  } catch (e) {
    throw new UsageError(`${input}: not JSON (${(e as Error).message})`);
  }
  try {
    return asLoadResult(value, input);
  } catch (e) {
    if (e instanceof LoadError) throw new UsageError(e.message);
    throw e;
  }
}

export async function mergeCommand(argv: string[], io: Output): Promise<number> {
  const { options, positionals } = parseArgs(argv, mergeOptions);
  if (options.help) {
    io.out(mergeUsage);
    return ExitCode.Ok;
  }
  if (positionals.length === 0) throw new UsageError('give the shard files (or the conformance run folders) to merge');
  const runs = positionals.filter(isConformRunInput);
  if (runs.length === positionals.length) {
    if (options.json !== undefined || options.threshold !== undefined) throw new UsageError('--json and --threshold are for load shards; conformance runs are merged into --report');
    return mergeConformRuns(positionals, options.report as string, io);
  }
  if (runs.length) throw new UsageError(`${runs[0]} is a conformance run, ${positionals.find((p) => !isConformRunInput(p))} is not: merge one kind at a time`);
  const ts = thresholds((options.threshold as string[] | undefined) ?? []);
  const results = positionals.map(readInput);
  let merged: LoadResult;
  try {
    merged = mergeLoadResults(results);
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    io.err(errorLine(`merge: ${e.message}`));
    return ExitCode.Usage;
  }
  return finish(merged, ts, options.json as string | undefined, io);
}
