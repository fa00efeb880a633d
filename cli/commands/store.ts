import { writeFileSync } from 'node:fs';
import chalk from 'chalk';
import { StoreError } from '../../simulators/store/store.ts';
import { syntheticYaml } from '../../simulators/store/synthetic.ts';
import { helpFor, parseArgs, UsageError } from '../args.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';
import { loadStores } from '../store-loading.ts';

const generateOptions: OptionSpec[] = [
  { name: 'patients', kind: 'int', description: 'number of patients', default: 100 },
  { name: 'studies', kind: 'int', description: 'studies per patient', default: 2 },
  { name: 'series', kind: 'int', description: 'series per study', default: 2 },
  { name: 'instances', kind: 'int', description: 'instances per series', default: 10 },
  { name: 'seed', kind: 'int', description: 'seed of the pseudo-random names and dates', default: 7433 },
  { name: 'out', alias: 'o', kind: 'string', description: 'write to this file instead of standard output', valueName: 'FILE' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const storeUsage = `qr-harness store check FILE|DIR …     validate YAML stores and DICOM folders, print what they hold
qr-harness store generate [options]     write a synthetic YAML store

${helpFor(generateOptions)}`;

export async function storeCommand(argv: string[], io: Output): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h') {
    io.out(storeUsage);
    return verb ? ExitCode.Ok : ExitCode.Usage;
  }
  if (verb === 'generate') {
    const { options } = parseArgs(rest, generateOptions);
    if (options.help) {
      io.out(storeUsage);
      return ExitCode.Ok;
    }
    const shape = { patients: options.patients as number, studiesPerPatient: options.studies as number, seriesPerStudy: options.series as number, instancesPerSeries: options.instances as number, seed: options.seed as number };
    const yaml = syntheticYaml(shape);
    if (options.out) {
      writeFileSync(options.out as string, yaml);
      io.out(`wrote ${options.out}: ${shape.patients * shape.studiesPerPatient * shape.seriesPerStudy * shape.instancesPerSeries} instances`);
    } else {
      io.out(yaml);
    }
    return ExitCode.Ok;
  }
  if (verb === 'check') {
    if (rest.length === 0) throw new UsageError('store check needs at least one YAML file or DICOM folder');
    try {
      const { store, folders } = loadStores(rest);
      const c = store.counts;
      io.out(`${chalk.green('ok')} ${rest.join(', ')}: ${c.patients} patients, ${c.studies} studies, ${c.series} series, ${c.instances} instances, ${c.worklist} worklist items`);
      for (const f of folders) {
        io.out(`  ${f.path}: ${f.report.loaded} of ${f.report.files} files loaded${f.report.skipped.length ? `, ${f.report.skipped.length} skipped:` : ''}`);
        for (const s of f.report.skipped) io.out(`    ${s.file}: ${s.reason}`);
      }
      return ExitCode.Ok;
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      for (const p of e.problems) io.err(errorLine(`${p.where}: ${p.message}`));
      return ExitCode.FailureStatus;
    }
  }
  throw new UsageError(`unknown store command "${verb}" (check or generate)`);
}
