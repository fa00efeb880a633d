import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NOTICE } from '../../simulators/conformance/run-parameters.ts';
import type { RunParameters } from '../../simulators/conformance/run-parameters.ts';
import type { Verdict } from '../../simulators/conformance/verdict.ts';
import { LineTail } from './line-tail.ts';
import { MessageTail } from './progress.ts';
import type { ScenarioFailure, SuiteProgress } from './progress.ts';

export const PROJECT_ROOT = path.join(import.meta.dirname, '../..');

export interface CucumberRun {
  /** Cucumber's exit code (null when killed). */
  code: number | null;
  /** Whether the suite ran to its end (its message stream closes with testRunFinished). */
  finished: boolean;
  /** Its standard error, for a crash. */
  stderr: string;
  interrupted: boolean;
}

export interface SuiteOptions {
  parameters: RunParameters;
  tags?: string;
  /** Where cucumber's message stream is written while the suite runs. */
  messagesFile: string;
  onVerdict: (v: Verdict) => void;
  /** A scenario failed: its failing step and message, bounded. */
  onFailure: (f: ScenarioFailure) => void;
  /** Called about ten times a second with the suite's progress. */
  onProgress: (p: SuiteProgress) => void;
  /** Resolves when the user interrupts: the suite is stopped and what ran is kept. */
  interrupt: Promise<void>;
  /** A line a scenario addresses to the person running the suite (e.g. where to connect a client under test). */
  onNotice?: (line: string) => void;
  /** Also write Allure results here (allure-cucumberjs), for teams that keep history and trends in Allure. */
  allureDir?: string;
}

/** Runs the Gherkin suite in a child process (a crash in it cannot take the CLI's verdicts with it). */
export function runSuite(o: SuiteOptions): Promise<CucumberRun> {
  const args = [
    '--import',
    'tsx',
    path.join(PROJECT_ROOT, 'node_modules/@cucumber/cucumber/bin/cucumber.js'),
    '--config',
    'cucumber.mjs',
    '--profile',
    'conform',
    '--world-parameters',
    JSON.stringify(o.parameters),
    '--format',
    `message:${o.messagesFile}`,
    ...(o.tags ? ['--tags', o.tags] : []),
    ...(o.allureDir ? ['--format', 'allure-cucumberjs/reporter', '--format-options', JSON.stringify({ resultsDir: o.allureDir })] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  // Verdicts written before the suite started were shown by whoever wrote them.
  const tail = new LineTail(o.parameters.verdictsFile!, (l) => o.onVerdict(JSON.parse(l) as Verdict), true);
  const messages = new MessageTail(o.messagesFile, o.onFailure);
  const timer = setInterval(() => {
    tail.poll();
    messages.poll();
    o.onProgress(messages.progress);
  }, 100);
  let stderr = '';
  let notices = '';
  child.stderr!.on('data', (c: Buffer) => {
    const text = c.toString('utf8');
    if (stderr.length < 200_000) stderr += text;
    // Lines a scenario addresses to the person running it (where to connect a client under test) are passed on at once.
    notices += text;
    const lines = notices.split('\n');
    notices = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith(NOTICE)) o.onNotice?.(l.slice(NOTICE.length));
  });
  let interrupted = false;
  void o.interrupt.then(() => {
    interrupted = true;
    if (child.exitCode === null) child.kill('SIGINT');
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(timer);
      tail.poll();
      messages.poll();
      const finished = existsSync(o.messagesFile) && readFileSync(o.messagesFile, 'utf8').includes('"testRunFinished"');
      resolve({ code, finished, stderr, interrupted });
    });
  });
}

/** Scenario counts from cucumber's message stream: the worst step status of each test case. */
export function scenarioCounts(messagesFile: string): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!existsSync(messagesFile)) return counts;
  const rank = ['PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];
  const worst = new Map<string, string>();
  const text = readFileSync(messagesFile, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.includes('testStepFinished') && !line.includes('testCaseStarted')) continue;
    const m = JSON.parse(line) as { testCaseStarted?: { id: string }; testStepFinished?: { testCaseStartedId: string; testStepResult: { status: string } } };
    if (m.testCaseStarted) worst.set(m.testCaseStarted.id, 'PASSED');
    const f = m.testStepFinished;
    if (f && rank.indexOf(f.testStepResult.status) > rank.indexOf(worst.get(f.testCaseStartedId) ?? 'PASSED')) worst.set(f.testCaseStartedId, f.testStepResult.status);
  }
  for (const s of worst.values()) counts[s.toLowerCase()] = (counts[s.toLowerCase()] ?? 0) + 1;
  return counts;
}

