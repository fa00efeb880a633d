import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { scenarioJsonSchema } from '../../simulators/scenario/json-schema.ts';
import { loadScenario, ScenarioError } from '../../simulators/scenario/load.ts';
import type { Scenario } from '../../simulators/scenario/types.ts';
import { UsageError } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { describeScenario } from '../scenario-describe.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';

/** The scenarios shipped with the harness. */
export const SHIPPED_SCENARIOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scenarios');

export const scenarioUsage = `qr-harness scenario check FILE …     validate scenario files without running them (errors name file:line:column)
qr-harness scenario describe FILE …  what a scenario holds and does, in words: store counts, SCP settings,
                                       association rules and behaviours, SCU steps
qr-harness scenario list [DIR]         the scenarios in DIR (default: the shipped ones), one line each
qr-harness scenario schema [--out F]   print the JSON Schema of scenario files

Run a scenario with "qr-harness serve --scenario FILE" (its SCP) or "qr-harness run --scenario FILE" (its SCU).`;

/** A one-line summary of what a scenario holds. */
export function summary(s: Scenario): string {
  const c = s.store.counts;
  const parts: string[] = [];
  if (s.scp) parts.push(`SCP "${s.scp.aeTitle}" (${s.scp.behaviours?.length ?? 0} behaviour${s.scp.behaviours?.length === 1 ? '' : 's'}, ${s.scp.association?.length ?? 0} association rule${s.scp.association?.length === 1 ? '' : 's'}, profile ${s.scp.profile ?? 'strict'})`);
  if (s.scu) parts.push(`SCU (${s.scu.steps.length} step${s.scu.steps.length === 1 ? '' : 's'})`);
  if (s.load?.mix?.length) parts.push(`load mix (${s.load.mix.length} session kind${s.load.mix.length === 1 ? '' : 's'})`);
  parts.push(`store ${c.patients} patients, ${c.studies} studies, ${c.instances} instances, ${c.worklist} worklist items`);
  return parts.join('; ');
}

/**
 * Loads a scenario for `run` or `serve`, printing every problem (file:line:column) and saying so
 * when the section that command needs is missing. Undefined: nothing to run.
 */
export function loadScenarioFor(file: string, needs: 'scp' | 'scu', io: Output): Scenario | undefined {
  let scenario: Scenario;
  try {
    scenario = loadScenario(file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    for (const p of e.problems) io.err(errorLine(`${p.where}: ${p.message}`));
    return undefined;
  }
  if (!scenario[needs]) {
    const other = needs === 'scp' ? `run its SCU with "qr-harness run --scenario ${file}"` : `serve its SCP with "qr-harness serve --scenario ${file}"`;
    io.err(errorLine(`${file}: the scenario has no ${needs} section (${other})`));
    return undefined;
  }
  return scenario;
}

export async function scenarioCommand(argv: string[], io: Output): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h') {
    io.out(scenarioUsage);
    return verb ? ExitCode.Ok : ExitCode.Usage;
  }
  if (verb === 'check') {
    if (rest.length === 0) throw new UsageError('scenario check needs at least one file');
    let bad = 0;
    for (const file of rest) {
      try {
        const s = loadScenario(file);
        io.out(`${chalk.green('ok')} ${file}: ${s.name} — ${summary(s)}`);
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        bad++;
        for (const p of e.problems) io.err(errorLine(`${p.where}: ${p.message}`));
      }
    }
    if (bad) io.err(`${bad} of ${rest.length} scenario file${rest.length === 1 ? '' : 's'} invalid`);
    return bad ? ExitCode.FailureStatus : ExitCode.Ok;
  }
  if (verb === 'describe') {
    if (rest.length === 0) throw new UsageError('scenario describe needs at least one file');
    let bad = 0;
    for (const [i, file] of rest.entries()) {
      try {
        if (i > 0) io.out('');
        for (const line of describeScenario(loadScenario(file))) io.out(line);
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        bad++;
        for (const p of e.problems) io.err(errorLine(`${p.where}: ${p.message}`));
      }
    }
    return bad ? ExitCode.FailureStatus : ExitCode.Ok;
  }
  if (verb === 'list') {
    if (rest.length > 1) throw new UsageError('scenario list takes at most one folder');
    const dir = rest[0] ?? SHIPPED_SCENARIOS;
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    } catch (e) {
      io.err(errorLine(`cannot read ${dir}: ${(e as Error).message}`));
      return ExitCode.FailureStatus;
    }
    const width = Math.max(0, ...files.map((f) => f.length));
    let bad = 0;
    for (const f of files) {
      try {
        const s = loadScenario(path.join(dir, f));
        const roles = [s.scp && 'SCP', s.scu && 'SCU', s.load?.mix?.length && 'load'].filter(Boolean).join('+');
        io.out(`${f.padEnd(width)}  ${chalk.dim(roles.padEnd(7))} ${s.description ?? s.name}`);
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        bad++;
        io.out(`${f.padEnd(width)}  ${chalk.red('invalid')} ${e.problems[0]?.message ?? ''}`);
      }
    }
    return bad ? ExitCode.FailureStatus : ExitCode.Ok;
  }
  if (verb === 'schema') {
    const text = scenarioJsonSchema();
    if (rest[0] === '--out' || rest[0] === '-o') {
      if (!rest[1]) throw new UsageError('--out needs a file');
      writeFileSync(rest[1], text);
      io.out(`wrote ${rest[1]}`);
    } else if (rest.length) {
      throw new UsageError(`unknown option ${rest[0]}`);
    } else {
      io.out(text.trimEnd());
    }
    return ExitCode.Ok;
  }
  throw new UsageError(`unknown scenario command "${verb}" (check, describe, list or schema)`);
}
