import chalk from 'chalk';
import { scpFromScenario } from '../../simulators/scenario/scp-runtime.ts';
import { runScu } from '../../simulators/scenario/scu-runtime.ts';
import type { ScuRunResult, StepOutcome } from '../../simulators/scenario/scu-runtime.ts';
import type { Scp } from '../../simulators/scp/scp.ts';
import { aeTitle, helpFor, parseArgs, port, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode, exitCodeFor } from '../exit-codes.ts';
import { errorLine, traceStream } from '../output.ts';
import { loadScenarioFor } from './scenario.ts';
import { exitCodeOfSignal, guardEarlyExit, onStopSignal } from './serve-stop.ts';
import type { Output } from '../output.ts';

export const runOptions: OptionSpec[] = [
  { name: 'scenario', kind: 'string', description: 'the scenario file whose scu section to run', valueName: 'FILE' },
  { name: 'target-scp', kind: 'string', description: "query this SCP instead of the scenario's own (SCP under test)", valueName: 'HOST:PORT' },
  { name: 'called-ae', kind: 'string', description: "the target's AE title (default: the scenario's calledAeTitle)", valueName: 'AE' },
  { name: 'calling-ae', kind: 'string', description: "our AE title (default: the scenario's callingAeTitle)", valueName: 'AE' },
  { name: 'timeout', kind: 'int', description: 'DIMSE and association timeout in seconds', default: 30 },
  { name: 'json', kind: 'flag', description: 'print the result as one JSON object' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'trace DIMSE messages and association events' },
  { name: 'debug', alias: 'd', kind: 'flag', description: 'trace every PDU and state transition too' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const runUsage = `qr-harness run --scenario FILE [--target-scp HOST:PORT --called-ae AE] [options]

Runs the scenario's scripted SCU step by step and checks each step's expectations. Without
--target-scp it queries the scenario's own SCP (self mode); with it, a vendor's archive.
Exit code 0 when every step met its expectations, 1 when one did not. Ctrl-C or SIGTERM stops
it: the step in progress is reported as interrupted, the association aborted, exit 130 or 143.
A step left waiting with nothing that could ever answer ends the run with exit 70.

${helpFor(runOptions)}`;

function parseTarget(text: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--target-scp needs HOST:PORT, got "${text}"`);
  return { host: m[1]!, port: port(Number(m[2]), '--target-scp') };
}

export async function runCommand(argv: string[], io: Output): Promise<number> {
  const { options, positionals } = parseArgs(argv, runOptions);
  if (options.help) {
    io.out(runUsage);
    return ExitCode.Ok;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const file = options.scenario as string | undefined;
  if (!file) throw new UsageError('--scenario FILE is required');
  const scenario = loadScenarioFor(file, 'scu', io);
  if (!scenario?.scu) return ExitCode.Usage;
  const events = traceStream(options.debug ? 2 : options.verbose ? 1 : 0, io);
  let target: { host: string; port: number };
  let scp: Scp | undefined;
  if (options['target-scp'] !== undefined) {
    target = parseTarget(options['target-scp'] as string);
  } else {
    if (!scenario.scp) throw new UsageError(`${file} has no scp section to query: give --target-scp HOST:PORT`);
    scp = scpFromScenario(scenario, { events });
    target = { host: '127.0.0.1', port: await scp.listen(0, '127.0.0.1') };
  }
  const calledAe = options['called-ae'] !== undefined ? aeTitle(options['called-ae'] as string, '--called-ae') : scp ? scenario.scp!.aeTitle : undefined;
  const callingAe = options['calling-ae'] !== undefined ? aeTitle(options['calling-ae'] as string, '--calling-ae') : undefined;
  const seconds = options.timeout as number;
  let result: ScuRunResult;
  const done: StepOutcome[] = [];
  // Each step is printed as it ends, so a run that hangs or is interrupted still shows what ran.
  const printStep = (s: StepOutcome): void => {
    done.push(s);
    if (options.json) return;
    const mark = s.ok ? chalk.green('✔') : chalk.red('✘');
    const [first, ...more] = s.detail.split('\n');
    io.out(`${mark} ${String(s.index).padStart(2)} ${s.step.padEnd(7)} ${first}`);
    for (const line of more) io.out(`             ${line}`);
    for (const f of s.failures) io.out(`             ${chalk.red(f)}`);
  };
  const steps = scenario.scu.steps;
  /** The step running now: the one after the last that ended. */
  const current = (): string => {
    const n = done.length;
    return n < steps.length ? `step ${n + 1} (${Object.keys(steps[n]!)[0]})` : 'the release after the last step';
  };
  const stop = new AbortController();
  const offSignal = onStopSignal((signal) => stop.abort(signal));
  const unguard = guardEarlyExit(() => {
    const line = `ended early: nothing left to wait for while ${current()} was running`;
    if (options.json) io.out(JSON.stringify({ ok: false, endedEarly: line, steps: done }));
    else io.out(chalk.red(`${line}; ${done.length} of ${steps.length} steps ran`));
    io.err(errorLine(line));
  });
  try {
    if (!options.json) io.out(`${chalk.bold(scenario.name)}: SCU → ${target.host}:${target.port}${scp ? ` (the scenario's own SCP "${scenario.scp!.aeTitle}")` : ''}`);
    result = await runScu(scenario.scu, { ...target, ...(calledAe && { calledAeTitle: calledAe }), ...(callingAe && { callingAeTitle: callingAe }) }, { events, dimseTimeoutMs: seconds * 1000, timeouts: { connectMs: seconds * 1000, associationRequestMs: seconds * 1000 }, onStep: printStep, signal: stop.signal });
  } catch (e) {
    io.err(errorLine((e as Error).message));
    return exitCodeFor(e);
  } finally {
    unguard();
    offSignal();
    await scp?.close();
  }
  const interrupted = result.steps.find((s) => s.interrupted);
  if (stop.signal.aborted) {
    const what = interrupted ? `while step ${interrupted.index} (${interrupted.step}) was running` : 'between steps';
    if (options.json) io.out(JSON.stringify({ ...result, interrupted: { by: String(stop.signal.reason), step: interrupted?.index } }));
    else io.out(chalk.red(`interrupted (${String(stop.signal.reason)}) ${what}: ${result.steps.length} of ${steps.length} steps ran`));
    return exitCodeOfSignal(stop.signal.reason);
  }
  if (options.json) {
    io.out(JSON.stringify(result));
  } else {
    const failed = result.steps.filter((s) => !s.ok).length;
    io.out(failed ? chalk.red(`${failed} of ${result.steps.length} steps failed`) : chalk.green(`${result.steps.length} steps passed`));
  }
  return result.ok ? ExitCode.Ok : ExitCode.FailureStatus;
}
