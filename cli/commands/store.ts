import { mkdirSync, writeFileSync } from 'node:fs';
import chalk from 'chalk';
import { StoreError } from '../../simulators/store/store.ts';
import { syntheticYaml } from '../../simulators/store/synthetic.ts';
import path from 'node:path';
import { aeTitle, helpFor, parseArgs, UsageError } from '../args.ts';
import { CONFORMANCE_STORE } from '../../simulators/conformance/run-parameters.ts';
import { exportStore } from '../../simulators/store/export.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../simulators/ul/association/identity.ts';
import type { OptionSpec } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { errorLine } from '../output.ts';
import type { Output } from '../output.ts';
import { loadStores, printStoreProblems } from '../store-loading.ts';

const generateOptions: OptionSpec[] = [
  { name: 'patients', kind: 'int', description: 'number of patients', default: 100 },
  { name: 'studies', kind: 'int', description: 'studies per patient', default: 2 },
  { name: 'series', kind: 'int', description: 'series per study', default: 2 },
  { name: 'instances', kind: 'int', description: 'instances per series', default: 10 },
  { name: 'seed', kind: 'int', description: 'seed of the pseudo-random names and dates', default: 7433 },
  { name: 'out', alias: 'o', kind: 'string', description: 'write to this file instead of standard output (missing folders are created)', valueName: 'FILE' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

const exportOptions: OptionSpec[] = [
  { name: 'out', alias: 'o', kind: 'string', description: 'the folder to write (created if missing)', valueName: 'DIR' },
  { name: 'worklist-ae', kind: 'string', description: "put the worklist files under worklist/AE/ with the lockfile DCMTK's wlmscpfs wants (wlmscpfs -dfp DIR/worklist)", valueName: 'AE' },
  { name: 'help', alias: 'h', kind: 'flag', description: 'show this help' },
];

export const storeUsage = `qr-harness store check FILE|DIR …              validate YAML stores and DICOM folders, print what they hold
qr-harness store generate [options]              write a synthetic YAML store
qr-harness store export --out DIR [FILE|DIR …]   write a store (default: the conformance data set) as Part 10 files
                                                 and its worklist as .wl files, to load an archive by hand

generate:
${helpFor(generateOptions)}

export:
${helpFor(exportOptions)}`;

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
      const out = options.out as string;
      try {
        mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
        writeFileSync(out, yaml);
      } catch (e) {
        io.err(errorLine(`cannot write ${out}: ${whyNot(e as NodeJS.ErrnoException)}`));
        return ExitCode.Usage;
      }
      io.out(`wrote ${out}: ${shape.patients * shape.studiesPerPatient * shape.seriesPerStudy * shape.instancesPerSeries} instances`);
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
      const anyEmpty = folders.some((f) => f.report.loaded + f.report.worklist === 0);
      io.out(`${anyEmpty ? chalk.red('incomplete') : chalk.green('ok')} ${rest.join(', ')}: ${c.patients} patients, ${c.studies} studies, ${c.series} series, ${c.instances} instances, ${c.worklist} worklist items`);
      let empty = 0;
      for (const f of folders) {
        const r = f.report;
        io.out(`  ${f.path}: ${r.loaded} of ${r.files} files loaded as instances${r.worklist ? `, ${r.worklist} as worklist items` : ''}${r.skipped.length ? `, ${r.skipped.length} skipped:` : ''}`);
        for (const s of r.skipped) io.out(`    ${s.file}: ${s.reason}`);
        if (r.loaded + r.worklist === 0) {
          empty++;
          io.err(errorLine(`${f.path}: no DICOM instance or worklist file could be loaded from this folder`));
        }
      }
      if (empty) return ExitCode.FailureStatus;
      return ExitCode.Ok;
    } catch (e) {
      return storeFailed(e, io);
    }
  }
  if (verb === 'export') {
    const { options, positionals } = parseArgs(rest, exportOptions);
    if (options.help) {
      io.out(storeUsage);
      return ExitCode.Ok;
    }
    const out = options.out as string | undefined;
    if (!out) throw new UsageError('store export needs --out DIR');
    const worklistAe = options['worklist-ae'] === undefined ? undefined : aeTitle(options['worklist-ae'] as string, '--worklist-ae');
    const sources = positionals.length ? positionals : [path.join(import.meta.dirname, '../..', CONFORMANCE_STORE)];
    try {
      const { store } = loadStores(sources);
      const r = exportStore(store, path.resolve(out), { implementationClassUid: IMPLEMENTATION_CLASS_UID, implementationVersionName: IMPLEMENTATION_VERSION_NAME }, worklistAe === undefined ? {} : { worklistAeTitle: worklistAe });
      io.out(`${chalk.green('wrote')} ${r.instances} instances to ${path.relative(process.cwd(), r.instancesDir) || '.'}${r.worklist ? ` and ${r.worklist} worklist items to ${path.relative(process.cwd(), r.worklistDir)}` : ''}`);
      if (r.worklist && worklistAe) io.out(`  serve them with: wlmscpfs -dfp ${path.relative(process.cwd(), path.dirname(r.worklistDir))} PORT   (called AE ${worklistAe})`);
      return ExitCode.Ok;
    } catch (e) {
      return storeFailed(e, io);
    }
  }
  throw new UsageError(`unknown store command "${verb}" (check, generate or export)`);
}

/** A store that cannot be loaded: one line per problem, exit 1; a path that does not exist: one line, exit 2. */
function storeFailed(e: unknown, io: Output): number {
  if (e instanceof UsageError) {
    io.err(errorLine(e.message));
    return ExitCode.Usage;
  }
  if (!(e instanceof StoreError)) throw e;
  printStoreProblems(e, io);
  return ExitCode.FailureStatus;
}

function whyNot(e: NodeJS.ErrnoException): string {
  if (e.code === 'EEXIST' || e.code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EISDIR') return 'it is a folder';
  return e.code ?? e.message;
}
