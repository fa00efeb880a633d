import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { countVerdicts } from '../../simulators/conformance/verdicts-doc.ts';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';
import type { Verdict } from '../../simulators/conformance/verdict.ts';
import { HarnessError } from '../../simulators/wire/errors.ts';
import { writeReports } from '../report/build.ts';
import type { MergedRunFacts } from '../report/model.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';
import { mergeMessageStreams } from './merge-messages.ts';
import type { Envelope } from './merge-messages.ts';

/** What a merge writes into its output folder (as `conform` does, each replaced only once all are built). */
const MERGED_FILES = ['messages.ndjson', 'verdicts.json', 'junit.xml', 'conformance.html'];

/** An input that is not the report folder of a conformance run, or cannot be merged with the others. */
export class MergeInputError extends HarnessError {
  constructor(
    readonly code: 'MERGE_NO_INPUT' | 'MERGE_INPUT_MISSING' | 'MERGE_NOT_A_RUN' | 'MERGE_INPUT_UNREADABLE' | 'MERGE_VERSION_MISMATCH' | 'MERGE_INPUT_TWICE',
    message: string,
  ) {
    super(message);
  }
}

interface RunInput {
  /** As the user named it. */
  given: string;
  messagesFile: string;
  doc: VerdictsDoc;
  envelopes: Envelope[];
}

/** The verdicts.json of merged runs: the common facts, and each run's own. */
export type MergedVerdictsDoc = Omit<VerdictsDoc, 'run'> & { run: Omit<VerdictsDoc['run'], 'mode'> & { mode: string }; runs?: MergedRunFacts[] };

/**
 * Whether a path names a conformance run's report: a folder (what it holds is checked when it is
 * merged), or a cucumber message stream (its first line is cucumber's meta envelope).
 */
export function isConformRunInput(p: string): boolean {
  try {
    if (statSync(p).isDirectory()) return true;
    const fd = openSync(p, 'r');
    try {
      const head = Buffer.alloc(16);
      const n = readSync(fd, head, 0, head.length, 0);
      return head.subarray(0, n).toString('utf8').startsWith('{"meta":');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Merges conformance runs (each a report folder, or its messages.ndjson with verdicts.json beside
 * it) into one run's reports in `outDir`: the message stream, verdicts.json, junit.xml and
 * conformance.html, built as `conform` builds them. Returns the exit code.
 */
export async function mergeConformRuns(inputs: string[], outDir: string, io: Output): Promise<number> {
  let runs: RunInput[];
  try {
    if (!inputs.length) throw new MergeInputError('MERGE_NO_INPUT', 'nothing to merge: name the report folders of conformance runs');
    runs = inputs.map(readRun);
    checkCompatible(runs);
  } catch (e) {
    if (!(e instanceof MergeInputError)) throw e;
    io.err(errorLine(e.message));
    return ExitCode.Usage;
  }
  const labels = runs.map((r, i) => `run ${i + 1}: ${runLabel(r.doc)}`);
  const relabels = relabelling(runs, labels);
  const several = runs.length > 1;
  const messages = mergeMessageStreams(runs.map((r, i) => ({ envelopes: r.envelopes, relabel: relabels[i]!, ...(several && { note: labels[i]! }) })));
  const doc = several ? mergedDoc(runs, labels, relabels) : runs[0]!.doc;

  const out = path.resolve(outDir);
  const staging = path.join(out, `.merge-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    writeFileSync(path.join(staging, 'messages.ndjson'), messages);
    writeFileSync(path.join(staging, 'verdicts.json'), `${JSON.stringify(doc, null, 2)}\n`);
    const built = writeReports({ messagesFile: path.join(staging, 'messages.ndjson'), verdictsFile: path.join(staging, 'verdicts.json'), outDir: staging });
    for (const f of MERGED_FILES) renameSync(path.join(staging, f), path.join(out, f));
    const m = built.model;
    io.out(`Merged ${runs.length} run${several ? 's' : ''}${several ? ` (${labels.join('; ')})` : ''}: ${m.scenarios.length} scenarios, ${m.checkCounts.total} checks (${m.checkCounts.pass} pass, ${m.checkCounts.fail} fail, ${m.checkCounts.finding} finding, ${m.checkCounts['n/a']} n/a, ${m.checkCounts.error} error)${m.interrupted ? ', a run was interrupted' : ''}`);
    const shown = path.relative(process.cwd(), out) || '.';
    io.out(`Wrote ${path.join(shown, 'conformance.html')} (${(built.htmlBytes / 1e6).toFixed(2)} MB), junit.xml, verdicts.json and messages.ndjson`);
    return ExitCode.Ok;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** One input read whole: its message stream and verdicts.json, or a MergeInputError saying what is wrong. */
function readRun(given: string): RunInput {
  const p = path.resolve(given);
  if (!existsSync(p)) throw new MergeInputError('MERGE_INPUT_MISSING', `${given}: no such file or folder`);
  const isDir = statSync(p).isDirectory();
  const messagesFile = isDir ? path.join(p, 'messages.ndjson') : p;
  const verdictsFile = path.join(path.dirname(messagesFile), 'verdicts.json');
  if (isDir && !existsSync(messagesFile)) throw new MergeInputError('MERGE_NOT_A_RUN', `${given}: not the report folder of a conformance run (no messages.ndjson in it; "qr-harness conform --report DIR" writes one)`);
  if (!existsSync(verdictsFile)) throw new MergeInputError('MERGE_NOT_A_RUN', `${given}: not a conformance run's report (no verdicts.json beside ${path.basename(messagesFile)})`);
  const text = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new MergeInputError('MERGE_INPUT_UNREADABLE', `${given}: cannot read ${path.basename(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const envelopes: Envelope[] = [];
  text(messagesFile)
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        envelopes.push(JSON.parse(line) as Envelope);
      } catch {
        throw new MergeInputError('MERGE_INPUT_UNREADABLE', `${path.relative(process.cwd(), messagesFile)}:${i + 1}: not a JSON line (a message stream cut short?)`);
      }
    });
  if (!envelopes[0]?.meta) throw new MergeInputError('MERGE_NOT_A_RUN', `${given}: ${path.basename(messagesFile)} is not a cucumber message stream (it does not start with a meta envelope)`);
  let doc: VerdictsDoc;
  try {
    doc = JSON.parse(text(verdictsFile)) as VerdictsDoc;
  } catch (e) {
    if (e instanceof MergeInputError) throw e;
    throw new MergeInputError('MERGE_INPUT_UNREADABLE', `${given}: verdicts.json is not JSON`);
  }
  if (!doc?.product?.version || !doc.run?.mode || !Array.isArray(doc.checks)) throw new MergeInputError('MERGE_NOT_A_RUN', `${given}: verdicts.json is not the verdicts of a conformance run (no product, run or checks)`);
  return { given, messagesFile, doc, envelopes };
}

/** Runs of one product version, each named once. */
function checkCompatible(runs: RunInput[]): void {
  const first = runs[0]!;
  const seen = new Map<string, string>();
  for (const r of runs) {
    const real = realpathSync(r.messagesFile);
    if (seen.has(real)) throw new MergeInputError('MERGE_INPUT_TWICE', `${r.given}: the same run as ${seen.get(real)!}, named twice`);
    seen.set(real, r.given);
    const a = first.doc.product;
    const b = r.doc.product;
    if (a.name !== b.name || a.version !== b.version) throw new MergeInputError('MERGE_VERSION_MISMATCH', `${r.given}: a run of ${b.name} ${b.version}, but ${first.given} is of ${a.name} ${a.version}: only runs of one version can be merged`);
  }
}

/** A run in a few words: the system it judged, or the self run and its tags. */
function runLabel(doc: VerdictsDoc): string {
  const t = doc.target;
  if (t) return `${t.aeTitle} at ${t.host}:${t.port}${t.implementationVersionName ? ` (${t.implementationVersionName})` : ''}`;
  if (doc.client) return `the client ${doc.client.command ?? 'that connected by itself'}`;
  return `${doc.run.mode === 'self' ? 'self run' : doc.run.mode}${doc.run.tags ? ` ${doc.run.tags}` : ''}`;
}

/** For each run, how its verdicts are renamed: a check reached in more than one run is kept in each, its id and title naming the run. */
function relabelling(runs: RunInput[], labels: string[]): ((v: Verdict) => Verdict)[] {
  const runsOf = new Map<string, number>();
  for (const r of runs) for (const id of new Set(r.doc.checks.map((c) => c.id))) runsOf.set(id, (runsOf.get(id) ?? 0) + 1);
  return runs.map((_, i) => (v: Verdict) => ((runsOf.get(v.id) ?? 0) > 1 ? { ...v, id: `${v.id}@run-${i + 1}`, title: `${v.title} (${labels[i]!})` } : v));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The facts of the merged run: common ones where every run agrees, each run's own under `runs`. */
function mergedDoc(runs: RunInput[], labels: string[], relabels: ((v: Verdict) => Verdict)[]): MergedVerdictsDoc {
  const docs = runs.map((r) => r.doc);
  const checks = docs.flatMap((d, i) => d.checks.map(relabels[i]!));
  const startedAt = docs.map((d) => d.run.startedAt).sort()[0]!;
  const finishedAt = docs.map((d) => d.run.finishedAt).sort().at(-1)!;
  const key = (t: VerdictsDoc['target']) => t && { host: t.host, port: t.port, aeTitle: t.aeTitle };
  const oneTarget = docs.every((d) => d.target && same(key(d.target), key(docs[0]!.target)));
  const oneClient = docs.every((d) => d.client && same(d.client, docs[0]!.client));
  const tags = docs.every((d) => d.run.tags !== undefined && d.run.tags === docs[0]!.run.tags) ? docs[0]!.run.tags : undefined;
  return {
    product: docs[0]!.product,
    run: {
      mode: [...new Set(docs.map((d) => d.run.mode))].join(' + '),
      startedAt,
      finishedAt,
      durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
      interrupted: docs.some((d) => d.run.interrupted),
      ...(tags !== undefined && { tags }),
    },
    ...(oneTarget && { target: docs[0]!.target }),
    ...(oneClient && { client: docs[0]!.client }),
    dataSet: { paths: [...new Set(docs.flatMap((d) => d.dataSet?.paths ?? []))] },
    summary: countVerdicts(checks),
    checks,
    runs: docs.map((d, i) => ({
      label: labels[i]!,
      source: runs[i]!.given,
      mode: d.run.mode,
      startedAt: d.run.startedAt,
      durationMs: d.run.durationMs,
      interrupted: d.run.interrupted,
      ...(d.run.tags !== undefined && { tags: d.run.tags }),
      ...(d.target && { target: d.target }),
      ...(d.client && { client: d.client }),
      summary: d.summary,
    })),
  };
}
