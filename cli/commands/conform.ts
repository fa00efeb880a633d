import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { takeCensus } from '../../simulators/conformance/census.ts';
import { compareWithExpected, readExpected, writeExpected } from '../../simulators/conformance/expected.ts';
import { loadIntoArchive } from '../../simulators/conformance/loader.ts';
import { CONFORMANCE_STORE, DEFAULT_TIMEOUT_MS } from '../../simulators/conformance/run-parameters.ts';
import type { RunParameters } from '../../simulators/conformance/run-parameters.ts';
import { probe } from '../../simulators/conformance/target.ts';
import type { Target } from '../../simulators/conformance/target.ts';
import { conclude, unjudged } from '../../simulators/conformance/verdict.ts';
import type { Verdict } from '../../simulators/conformance/verdict.ts';
import { countVerdicts, exitCodeOf, parseVerdictLines } from '../../simulators/conformance/verdicts-doc.ts';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';
import { describeReject } from '../../simulators/ul/reasons.ts';
import { StoreError } from '../../simulators/store/store.ts';
import type { Store } from '../../simulators/store/store.ts';
import { aeTitle, helpFor, parseArgs, port, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { PROJECT_ROOT, runSuite, scenarioCounts } from '../conform/cucumber-run.ts';
import { failureLines, LiveStatus, printSummary, verdictLine } from '../conform/print.ts';
import { writeReports } from '../report/build.ts';
import { writeCapture } from '../conform/capture.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine, processOutput } from '../output.ts';
import type { Output } from '../output.ts';
import { loadStores } from '../store-loading.ts';

/** What a run leaves in --report, each replaced only when the run completes. */
const REPORT_FILES = ['conformance.html', 'junit.xml', 'verdicts.json', 'verdicts.ndjson', 'messages.ndjson'];

const MODEL_TAGS: Record<string, string> = { patient: '@patient-root', study: '@study-root', psonly: '@patient-study-only', mwl: '@worklist' };

export const conformOptions: OptionSpec[] = [
  { name: 'target-scp', kind: 'string', description: 'the archive under test; without it, the self run against our own SCP', valueName: 'HOST:PORT' },
  { name: 'called-ae', kind: 'string', description: "the archive's AE title", valueName: 'AE' },
  { name: 'target-scu', kind: 'string', description: 'the query client under test: a command run against our SCP, with {host} {port} {aet} {calling} filled in', valueName: 'COMMAND' },
  { name: 'wait', kind: 'int', description: 'with --target-scu: the longest a client command may take; without a command: wait this long for the client to connect by itself (GUIs, REST-driven clients)', valueName: 'SECONDS' },
  { name: 'client-ae', kind: 'string', description: 'the AE title the client under test is asked to use ({calling})', default: 'QRCLIENT', valueName: 'AE' },
  { name: 'calling-ae', kind: 'string', description: 'our AE title', default: 'QRHARNESS', valueName: 'AE' },
  { name: 'load', kind: 'flag', description: 'send the data set to the archive with C-STORE first, then take its census' },
  { name: 'store', kind: 'list', description: 'what the archive holds: a YAML store or a DICOM folder (repeatable; default the conformance data set)', valueName: 'PATH' },
  { name: 'models', kind: 'string', description: 'judge only these information models: patient,study,psonly,mwl', valueName: 'LIST' },
  { name: 'tags', kind: 'string', description: 'run only the scenarios this cucumber tag expression selects', valueName: 'EXPR' },
  { name: 'report', kind: 'string', description: 'where verdicts.json, junit.xml, conformance.html and messages.ndjson go', default: 'reports', valueName: 'DIR' },
  { name: 'timeout', kind: 'int', description: 'the longest any check waits for a connection, an association or a response (seconds)', default: DEFAULT_TIMEOUT_MS / 1000 },
  { name: 'expect', kind: 'string', description: 'compare the verdicts with this expected-verdicts file: exit 0 when they agree, 1 when not', valueName: 'FILE' },
  { name: 'write-expected', kind: 'string', description: 'write the verdicts of this run as an expected-verdicts file (keeps the "why" of unchanged entries)', valueName: 'FILE' },
  { name: 'allure', kind: 'string', description: 'also write Allure results (allure-cucumberjs) into DIR, for history and trends in Allure', valueName: 'DIR' },
  { name: 'pcap', kind: 'string', description: "also write the checks' traffic as a pcapng capture (Wireshark's DICOM dissector decodes it)", valueName: 'FILE' },
  { name: 'json', kind: 'flag', description: 'print each verdict as a JSON line as it is reached, then the summary as JSON' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const conformUsage = `qr-harness conform [--target-scp HOST:PORT --called-ae AE [--load | --store PATH…]] [options]
       qr-harness conform --target-scu "COMMAND with {host} {port} {aet} {calling}" [--wait S] [options]
       qr-harness conform --wait SECONDS [options]

Runs the conformance suite. Without --target-scp it is the self run: every feature, our SCU
against our SCP. With --target-scp the scenarios tagged @scp-under-test judge the archive:
each check ends pass, fail (a mandatory rule broken), finding (a choice the standard leaves
open), n/a (the archive did not accept what the check needs) or error (nothing could be
judged), naming its rules and evidence. Matching is judged only on data the archive is known
to hold: --load stores the conformance data set into it and takes a census; --store says what
it holds already (the census still checks).

With --target-scu the scenarios tagged @scu-under-test judge a query client: for each, our SCP
plays an archive on a free port of 127.0.0.1 and the command runs against it ({host} {port}
{aet} filled in, {calling} the AE title the client should use). With --wait alone, each scenario
prints where to connect and waits that long for the client (GUIs, REST-driven clients).

Exit code: 0 nothing failed (findings allowed), 1 a check failed, 2 the run could not be made or
something could not be judged. With --expect: 0 when the verdicts agree with the file, 1 when not.

${helpFor(conformOptions)}`;

function parseTarget(text: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--target-scp needs HOST:PORT, got "${text}"`);
  return { host: m[1]!, port: port(Number(m[2]), '--target-scp') };
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => process.once('SIGINT', () => resolve()));
}

export async function conformCommand(argv: string[], io: Output, interrupt: Promise<void> = interrupted()): Promise<number> {
  const { options, positionals } = parseArgs(argv, conformOptions);
  if (options.help) {
    io.out(conformUsage);
    return ExitCode.Ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const vendor = options['target-scp'] !== undefined;
  const clientMode = options['target-scu'] !== undefined || options.wait !== undefined;
  if (vendor && clientMode) throw new UsageError('--target-scp judges an archive, --target-scu (or --wait) a client: give one');
  if (clientMode && (options.load || options.store || options['called-ae'])) throw new UsageError('--load, --store and --called-ae judge an archive; a client under test queries the archives of the client scenarios');
  if (options.wait !== undefined && (options.wait as number) <= 0) throw new UsageError('--wait needs a number of seconds above 0');
  if (options['target-scu'] !== undefined && !(options['target-scu'] as string).trim()) throw new UsageError('--target-scu needs a command');
  if (!vendor && (options.load || options.store || options['called-ae'])) throw new UsageError('--load, --store and --called-ae need --target-scp');
  if (vendor && options['called-ae'] === undefined) throw new UsageError('--called-ae AE is required with --target-scp');
  if (options.load && options.store) throw new UsageError('--load stores the conformance data set; --store says the archive already holds other data: give one');
  const models = options.models === undefined ? undefined : (options.models as string).split(',').map((m) => m.trim());
  for (const m of models ?? []) if (!MODEL_TAGS[m]) throw new UsageError(`--models: unknown model "${m}" (patient, study, psonly, mwl)`);
  const reportDir = path.resolve(options.report as string);
  const json = options.json === true;
  const say = (line: string) => (json ? undefined : io.out(line));
  const storePaths = ((options.store as string[] | undefined) ?? [path.join(PROJECT_ROOT, CONFORMANCE_STORE)]).map((p) => path.resolve(p));
  const timeoutMs = (options.timeout as number) * 1000;

  let store: Store;
  try {
    store = loadStores(storePaths).store;
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    for (const p of e.problems) io.err(errorLine(`${p.where}: ${p.message}`));
    return ExitCode.Usage;
  }
  // The run writes into a folder of its own; the reports replace the previous ones only once complete.
  const staging = path.join(reportDir, `.run-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const verdictsFile = path.join(staging, 'verdicts.ndjson');
  const messagesFile = path.join(staging, 'messages.ndjson');
  writeFileSync(verdictsFile, '');
  writeFileSync(messagesFile, '');
  const live = new LiveStatus(io, io === processOutput && process.stdout.isTTY === true && !process.env.NO_COLOR, json);
  const startedAt = new Date();
  const record = (v: Verdict) => {
    appendFileSync(verdictsFile, `${JSON.stringify(v)}\n`);
    live.line(json ? JSON.stringify(v) : verdictLine(v));
  };
  const parameters: RunParameters = { timeoutMs, storePaths, verdictsFile, ...(options.pcap !== undefined && { journalFile: path.join(staging, 'journal.ndjson') }) };
  const doc: Omit<VerdictsDoc, 'summary' | 'checks' | 'run'> = { product: product(), dataSet: { paths: storePaths } };
  let ranSuite = true;

  if (clientMode) {
    const command = options['target-scu'] as string | undefined;
    const callingAeTitle = aeTitle(options['client-ae'] as string, '--client-ae');
    const waitMs = options.wait === undefined ? undefined : (options.wait as number) * 1000;
    parameters.client = { ...(command !== undefined && { command }), ...(waitMs !== undefined && { waitMs }), callingAeTitle };
    if (command !== undefined && waitMs !== undefined) parameters.timeoutMs = waitMs / 2;
    doc.client = { ...(command !== undefined && { command }), callingAeTitle, ...(options.wait !== undefined && { waitSeconds: options.wait as number }) };
    say(chalk.bold(`Client under test: ${command ?? `the client that connects within ${options.wait as number} s`}`));
  } else if (vendor) {
    const t = parseTarget(options['target-scp'] as string);
    const target: Target = { ...t, calledAeTitle: aeTitle(options['called-ae'] as string, '--called-ae'), callingAeTitle: aeTitle(options['calling-ae'] as string, '--calling-ae'), timeoutMs };
    parameters.target = { host: target.host, port: target.port, calledAeTitle: target.calledAeTitle, callingAeTitle: target.callingAeTitle };
    doc.target = { host: target.host, port: target.port, aeTitle: target.calledAeTitle, callingAeTitle: target.callingAeTitle };
    say(chalk.bold(`Archive under test: ${target.calledAeTitle} at ${target.host}:${target.port}`));
    const reached = await probe(target);
    if (!reached.probe) {
      const e = reached.error as Error & { code: string; result?: number; source?: number; reason?: number };
      const why = e.code === 'UL_ASSOCIATION_REJECTED' && e.result !== undefined ? `association rejected: ${describeReject(e.result, e.source!, e.reason!)}` : `${e.code}: ${e.message}`;
      io.err(errorLine(`cannot reach the archive: ${why}`));
      record(unjudged({ id: 'association.reachable', title: 'The archive accepts an association', rules: ['PS3.8 7.1'], checklist: [] }, 'error', { code: e.code, rule: 'PS3.8 7.1', text: why }));
      ranSuite = false;
    } else {
      const p = reached.probe;
      Object.assign(doc.target, { implementationClassUid: p.implementationClassUid, implementationVersionName: p.implementationVersionName, models: p.models });
      say(chalk.dim(`  implementation ${p.implementationClassUid ?? '(no class UID)'} ${p.implementationVersionName ?? ''}; FIND models accepted: ${p.models.join(', ') || 'none'}; C-ECHO ${p.echo === undefined ? 'not accepted' : p.echo.toString(16).padStart(4, '0')}`));
      if (options.load) {
        say(chalk.dim(`  storing the data set (${store.counts.instances} instances) with C-STORE…`));
        const load = await loadIntoArchive(target, store);
        doc.dataSet.load = load;
        const input = { id: 'data.load', title: 'The archive stores the conformance data set (C-STORE)', rules: ['PS3.4 B.2'], checklist: [], evidence: { received: { stored: load.stored, sent: load.sent, ms: Math.round(load.ms) }, difference: load.failed.slice(0, 20).map((f) => `${f.sopInstanceUid}: ${f.reason}`) } };
        const warned = load.warnings.length ? [{ code: 'load-warnings', rule: 'PS3.4 B.2.3', text: `${load.warnings.length} instance(s) stored with a warning (${load.warnings[0]!.status}, first ${load.warnings[0]!.sopInstanceUid}): values may have been coerced; the census compares them` }] : [];
        record(load.failed.length ? unjudged(input, 'error', { code: 'load-incomplete', rule: 'PS3.4 B.2.3', text: `${load.failed.length} of ${load.failed.length + load.stored} instances not stored (first: ${load.failed[0]!.sopInstanceUid}: ${load.failed[0]!.reason})` }) : conclude(input, [], warned, `${load.stored} instances stored in ${Math.round(load.ms)} ms`));
      }
      const census = await takeCensus(target, store, { worklistLoaded: !options.load && store.worklist.length > 0, ...(models && { queryRetrieve: models.some((m) => m !== 'mwl'), worklist: models.includes('mwl') }) });
      doc.dataSet.census = census;
      parameters.census = { ok: census.ok, taken: census.taken, problems: census.problems, worklist: census.worklist };
      parameters.acceptedModels = p.models;
      record(censusVerdict(census));
    }
  } else {
    say(chalk.bold('Self run: our SCU against our own SCP'));
  }

  let interruptedRun = false;
  let scenarios: Record<string, number> = {};
  if (ranSuite) {
    const tags = [vendor ? '@scp-under-test' : clientMode ? '@scu-under-test' : undefined, models ? `(${models.map((m) => MODEL_TAGS[m]).join(' or ')} or not (${Object.values(MODEL_TAGS).join(' or ')}))` : undefined, options.tags ? `(${options.tags as string})` : undefined].filter(Boolean).join(' and ');
    const run = await runSuite({
      parameters,
      ...(tags && { tags }),
      messagesFile,
      onVerdict: (v) => live.line(json ? JSON.stringify(v) : verdictLine(v)),
      // Scenarios with verdicts print those; the others (tests of this harness) print their failure, bounded.
      onFailure: (f) => (json || /^(?:Error: )?\S+: (?:FAIL|ERROR) — /.test(f.message) ? undefined : live.line(failureLines(f))),
      onProgress: (p) => live.update(p),
      onNotice: (line) => live.line(chalk.cyan(line)),
      interrupt,
      ...(options.allure !== undefined && { allureDir: path.resolve(options.allure as string) }),
    });
    live.clear();
    interruptedRun = run.interrupted;
    scenarios = scenarioCounts(messagesFile);
    if (!run.finished && !run.interrupted) {
      io.err(errorLine(`the conformance suite stopped with code ${run.code}:`));
      io.err(run.stderr.trim().split('\n').slice(-20).join('\n'));
      interruptedRun = true;
    }
  }
  const checks = parseVerdictLines(readFileSync(verdictsFile, 'utf8'));
  const finished = new Date();
  const full: VerdictsDoc = { ...doc, run: { mode: vendor ? 'archive under test' : clientMode ? 'client under test' : 'self', startedAt: startedAt.toISOString(), finishedAt: finished.toISOString(), durationMs: finished.getTime() - startedAt.getTime(), interrupted: interruptedRun, ...(options.tags !== undefined && { tags: options.tags as string }) }, summary: countVerdicts(checks), checks };
  writeFileSync(path.join(staging, 'verdicts.json'), `${JSON.stringify(full, null, 2)}\n`);
  const built = writeReports({ messagesFile, verdictsFile: path.join(staging, 'verdicts.json'), outDir: staging });
  const shownDir = path.relative(process.cwd(), reportDir) || '.';
  if (options.pcap !== undefined) {
    const written = writeCapture(parameters.journalFile!, path.resolve(options.pcap as string), `qr-harness conform, ${full.run.mode}, ${full.run.startedAt}`);
    say(chalk.dim(`Capture: ${options.pcap as string} (${written.connections} connections, ${written.packets} PDUs)`));
  }
  if (interruptedRun) {
    const kept = path.join(reportDir, 'interrupted');
    rmSync(kept, { recursive: true, force: true });
    renameSync(staging, kept);
    say(chalk.magenta(`The run did not finish: the reports in ${shownDir}/ are those of the last complete run; what this run reached is in ${path.join(shownDir, 'interrupted')}/conformance.html.`));
  } else {
    for (const f of REPORT_FILES) renameSync(path.join(staging, f), path.join(reportDir, f));
    rmSync(staging, { recursive: true, force: true });
    rmSync(path.join(reportDir, 'interrupted'), { recursive: true, force: true });
    say(chalk.dim(`conformance.html: ${(built.htmlBytes / 1e6).toFixed(2)} MB, ${built.model.scenarios.length} scenarios`));
  }
  if (json) io.out(JSON.stringify({ summary: full.summary, target: full.target, interrupted: interruptedRun }));
  else printSummary(full, io, shownDir, scenarios);
  if (options['write-expected']) {
    writeExpected(path.resolve(options['write-expected'] as string), doc.target ? `${doc.target.aeTitle} (${doc.target.implementationVersionName ?? doc.target.implementationClassUid ?? 'unknown implementation'})` : doc.client ? `the client ${doc.client.command ?? 'that connected by itself'}` : 'our own SCP (self run)', checks);
    say(chalk.dim(`Wrote ${options['write-expected'] as string}`));
  }
  // Scenarios that failed without a verdict (the @self ones, which test this harness) fail the run too.
  const unexplained = (scenarios.failed ?? 0) + (scenarios.undefined ?? 0) + (scenarios.ambiguous ?? 0) - full.summary.fail - full.summary.error;
  if (unexplained > 0) io.err(errorLine(`${unexplained} scenario(s) failed without a verdict: see ${path.join(shownDir, interruptedRun ? 'interrupted' : '', 'conformance.html')}`));
  if (options.expect) {
    const differences = compareWithExpected(checks, readExpected(path.resolve(options.expect as string)));
    if (differences.length) {
      io.out(chalk.red(`${differences.length} difference(s) from ${options.expect as string}:`));
      for (const d of differences) io.out(`  ${d}`);
      return 1;
    }
    say(chalk.green(`The verdicts agree with ${options.expect as string}.`));
    return interruptedRun ? 2 : unexplained > 0 ? 1 : 0;
  }
  // A self run limited to scenarios that test this harness (@self) reaches no check: its scenarios decide.
  if (!vendor && full.summary.total === 0 && !interruptedRun && (scenarios.passed ?? 0) > 0) return unexplained > 0 ? 1 : 0;
  return Math.max(exitCodeOf(full), unexplained > 0 ? 1 : 0);
}

/** The census as a verdict: the archive holds what was declared (Query/Retrieve and worklist), or why nothing can be judged. */
function censusVerdict(census: Awaited<ReturnType<typeof takeCensus>>): Verdict {
  const differences = [...(census.taken ? census.problems : []), ...(census.worklist.taken ? census.worklist.problems : [])];
  const input = { id: 'data.census', title: 'The archive holds exactly the declared data set', rules: ['PS3.4 C.4.1.3.1'], checklist: [], evidence: { received: { ...census.found, worklistTaken: census.worklist.taken }, difference: differences.slice(0, 50), notes: [...(census.taken ? [] : census.problems), ...(census.worklist.taken ? [] : census.worklist.problems)] } };
  if (!census.taken && !census.worklist.taken) return unjudged(input, 'n/a', { code: 'census-not-taken', rule: 'qr-harness census', text: [...census.problems, ...census.worklist.problems].join('; ') });
  if (differences.length) return unjudged(input, 'error', { code: 'census-mismatch', rule: 'qr-harness census', text: `${differences.length} difference(s): ${differences.slice(0, 3).join('; ')}` });
  const parts = [census.taken ? `${census.found.patients} patients, ${census.found.studies} studies, ${census.found.series} series, ${census.found.instances} instances` : undefined, census.worklist.taken ? 'the worklist' : undefined].filter(Boolean);
  return conclude(input, [], [], `${parts.join(' and ')}, as declared`);
}

function product(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}
