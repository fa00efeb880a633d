import { UsageError } from './args.ts';
import { echoCommand } from './commands/echo.ts';
import { findCommand } from './commands/find.ts';
import { serveCommand } from './commands/serve.ts';
import { storeCommand } from './commands/store.ts';
import { scenarioCommand } from './commands/scenario.ts';
import { runCommand } from './commands/run.ts';
import { conformCommand } from './commands/conform.ts';
import { reportCommand } from './commands/report.ts';
import { loadCommand } from './commands/load.ts';
import { mergeCommand } from './commands/merge.ts';
import { ExitCode } from './exit-codes.ts';
import { errorLine, processOutput } from './output.ts';
import { versionLine } from './version.ts';
import type { Output } from './output.ts';

const commands: Record<string, { run: (argv: string[], io: Output) => Promise<number>; summary: string }> = {
  echo: { run: echoCommand, summary: 'associate, send C-ECHO, release' },
  find: { run: findCommand, summary: 'associate, send C-FIND (optionally C-CANCEL), print every response, release' },
  serve: { run: serveCommand, summary: 'run an SCP that answers C-ECHO and, from a store, C-FIND / C-CANCEL' },
  store: { run: storeCommand, summary: 'check a store (YAML or DICOM folder) or generate a synthetic one' },
  scenario: { run: scenarioCommand, summary: 'check, list or describe scenario files (scripted SCP and SCU behaviours)' },
  run: { run: runCommand, summary: "run a scenario's scripted SCU (against its own SCP, or --target-scp HOST:PORT)" },
  conform: { run: conformCommand, summary: 'run the conformance suite: self, or judge an archive (--target-scp) rule by rule' },
  report: { run: reportCommand, summary: "rebuild a run's HTML report and JUnit file from its message stream and verdicts" },
  load: { run: loadCommand, summary: 'load a C-FIND SCP: sessions at a rate or N clients looping; latency percentiles, failures, thresholds' },
  merge: { run: mergeCommand, summary: "merge load shards' --json results (exact percentiles, thresholds) or conformance runs' report folders into one report" },
  proxy: { run: (argv, io) => import('./commands/proxy.ts').then((m) => m.proxyCommand(argv, io)), summary: 'forward a DICOM connection unchanged, recording it and judging both sides as it passes' },
};

export const usage = `qr-harness: conformance harness and peer simulator for DICOM Query/Retrieve Find (C-FIND, C-ECHO, C-CANCEL)

Usage: qr-harness <command> [options]
       qr-harness --version

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run "qr-harness <command> --help" for a command's options.
Exit codes: 0 ok, 1 failure status, 2 usage, 3 connection, 4 rejected, 5 timeout, 6 aborted,
7 protocol error (we aborted), 8 a load threshold broken, 70 internal, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).`;

export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage);
    return name ? ExitCode.Ok : ExitCode.Usage;
  }
  if (name === '--version' || name === '-V') {
    io.out(versionLine());
    return ExitCode.Ok;
  }
  const command = commands[name];
  if (!command) {
    io.err(errorLine(`unknown command "${name}"`));
    io.err(usage);
    return ExitCode.Usage;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(errorLine(`${name}: ${e.message} (see qr-harness ${name} --help)`));
      return ExitCode.Usage;
    }
    io.err(errorLine(`${name}: ${(e as Error).message}`));
    return ExitCode.Internal;
  }
}
