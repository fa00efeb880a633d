import { existsSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { writeReports } from '../report/build.ts';
import { helpFor, parseArgs, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';

export const reportOptions: OptionSpec[] = [
  { name: 'verdicts', kind: 'string', description: "the run's verdicts.json (default: the one beside the message stream, when there is one)", valueName: 'FILE' },
  { name: 'out', kind: 'string', description: 'where conformance.html and junit.xml go (default: the folder of the message stream)', valueName: 'DIR' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const reportUsage = `qr-harness report [MESSAGES.ndjson] [--verdicts FILE] [--out DIR]

Rebuilds the HTML report and the JUnit file of a run from what it saved: cucumber's message
stream (reports/messages.ndjson by default, with each scenario's verdicts and traffic) and the
run's verdicts.json. The same report serves self, archive-under-test and merged runs.

${helpFor(reportOptions)}`;

export async function reportCommand(argv: string[], io: Output): Promise<number> {
  const { options, positionals } = parseArgs(argv, reportOptions);
  if (options.help) {
    io.out(reportUsage);
    return ExitCode.Ok;
  }
  if (positionals.length > 1) throw new UsageError(`one message stream, got ${positionals.length}`);
  const messagesFile = path.resolve(positionals[0] ?? 'reports/messages.ndjson');
  if (!existsSync(messagesFile)) {
    io.err(errorLine(`no message stream at ${messagesFile} (run "qr-harness conform" first, or name the file)`));
    return ExitCode.Usage;
  }
  const beside = path.join(path.dirname(messagesFile), 'verdicts.json');
  const verdictsFile = options.verdicts !== undefined ? path.resolve(options.verdicts as string) : existsSync(beside) ? beside : undefined;
  if (verdictsFile && !existsSync(verdictsFile)) {
    io.err(errorLine(`--verdicts: no such file ${verdictsFile}`));
    return ExitCode.Usage;
  }
  const outDir = path.resolve((options.out as string | undefined) ?? path.dirname(messagesFile));
  const built = writeReports({ messagesFile, ...(verdictsFile && { verdictsFile }), outDir });
  const m = built.model;
  if (built.badLines) io.err(chalk.yellow(`warning: ${built.badLines} line(s) of the message stream were not JSON and were skipped (a run cut short?)`));
  if (m.scenarios.length === 0) io.err(chalk.yellow('warning: the message stream holds no scenario that ran'));
  io.out(`${m.scenarios.length} scenarios, ${m.checkCounts.total} checks (${m.checkCounts.pass} pass, ${m.checkCounts.fail} fail, ${m.checkCounts.finding} finding, ${m.checkCounts['n/a']} n/a, ${m.checkCounts.error} error)${m.interrupted ? ', run interrupted' : ''}`);
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  io.out(`Wrote ${rel(path.join(outDir, 'conformance.html'))} (${(built.htmlBytes / 1e6).toFixed(2)} MB) and ${rel(path.join(outDir, 'junit.xml'))}`);
  return ExitCode.Ok;
}
