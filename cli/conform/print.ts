import chalk from 'chalk';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';
import type { Verdict, VerdictKind } from '../../simulators/conformance/verdict.ts';
import type { Output } from '../output.ts';
import { boundedMessage } from './progress.ts';
import type { ScenarioFailure, SuiteProgress } from './progress.ts';

const MARK: Record<VerdictKind, string> = {
  pass: chalk.green('✔ pass   '),
  fail: chalk.red('✘ FAIL   '),
  finding: chalk.yellow('◆ finding'),
  'n/a': chalk.dim('– n/a    '),
  error: chalk.magenta('! error  '),
};

/** One line per verdict as it is reached: mark, id, title, and for anything but a pass what was seen and the rules. */
export function verdictLine(v: Verdict): string {
  const head = `${MARK[v.verdict]} ${v.id.padEnd(24)} ${v.title}`;
  if (v.verdict === 'pass') return head;
  const why = v.summary.length > 220 ? `${v.summary.slice(0, 217)}…` : v.summary;
  return `${head}\n${' '.repeat(11)}${chalk.dim(why)}${v.verdict === 'fail' ? chalk.dim(` [${v.rules.join('; ')}]`) : ''}`;
}

/** The end of a run: counts, the fails grouped by rule, and where the reports are. */
export function printSummary(doc: VerdictsDoc, io: Output, reportDir: string, scenarios: Record<string, number>): void {
  const s = doc.summary;
  io.out('');
  io.out(
    chalk.bold(`${s.total} checks: `) +
      [chalk.green(`${s.pass} pass`), chalk.red(`${s.fail} fail`), chalk.yellow(`${s.finding} finding`), chalk.dim(`${s['n/a']} n/a`), chalk.magenta(`${s.error} error`)].join(', ') +
      (Object.keys(scenarios).length ? chalk.dim(`  (${Object.entries(scenarios).map(([k, n]) => `${n} ${k}`).join(', ')} scenarios)`) : ''),
  );
  const fails = doc.checks.filter((c) => c.verdict === 'fail');
  if (fails.length) {
    const byRule = new Map<string, string[]>();
    for (const f of fails) for (const o of f.observations) byRule.set(`${o.rule} (${o.code})`, [...(byRule.get(`${o.rule} (${o.code})`) ?? []), f.id]);
    io.out(chalk.red('Fails by rule:'));
    for (const [rule, ids] of [...byRule].sort((a, b) => b[1].length - a[1].length)) io.out(`  ${rule}: ${[...new Set(ids)].join(', ')}`);
  }
  if (doc.run.interrupted) io.out(chalk.magenta('The run was interrupted: the verdicts above are those reached before it stopped.'));
  if (!doc.run.interrupted) io.out(chalk.dim(`Reports: ${reportDir}/conformance.html (open it in a browser), verdicts.json, junit.xml, messages.ndjson`));
}

/**
 * Progress while the suite runs. On a terminal: one status line (scenario counter, theme,
 * elapsed) kept under the verdict lines. Otherwise (CI logs, NO_COLOR, --json): a plain line
 * when the theme changes, nothing rewritten.
 */
export class LiveStatus {
  private shown = false;
  private lastTheme: string | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly io: Output,
    private readonly tty: boolean,
    private readonly quiet: boolean,
  ) {}

  /** Prints a line above the status line. */
  line(text: string): void {
    this.clear();
    this.io.out(text);
  }

  update(p: SuiteProgress): void {
    if (this.quiet || p.total === 0) return;
    const elapsed = `${Math.round((Date.now() - this.started) / 1000)} s`;
    if (this.tty) {
      const text = `${p.done}/${p.total} scenarios${p.failed ? chalk.red(`, ${p.failed} failed`) : ''} · ${p.theme ?? ''} · ${elapsed}`;
      process.stdout.write(`\r\x1b[K${chalk.dim(text)}`);
      this.shown = true;
    } else if (p.theme && p.theme !== this.lastTheme) {
      this.io.out(`[${p.done}/${p.total}, ${elapsed}] ${p.theme}`);
    }
    this.lastTheme = p.theme ?? this.lastTheme;
  }

  clear(): void {
    if (this.shown) process.stdout.write('\r\x1b[K');
    this.shown = false;
  }
}

/** A failed scenario in a few lines: where, the step, the message without its stack. */
export function failureLines(f: ScenarioFailure): string {
  return `${chalk.red('✘ scenario failed')} ${f.name} ${chalk.dim(`(${f.where})`)}\n${' '.repeat(11)}${chalk.dim(`step: ${f.step}`)}\n${boundedMessage(f.message)
    .split('\n')
    .map((l) => `${' '.repeat(11)}${l}`)
    .join('\n')}`;
}
