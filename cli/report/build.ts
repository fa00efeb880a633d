import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';
import { gitCommit } from '../version.ts';
import { checklistView } from './checklist-view.ts';
import { junitXml } from './junit.ts';
import { buildModel } from './model.ts';
import type { ReportModel } from './model.ts';
import { reportPage } from './page.ts';
import { readRunStream } from './run-stream.ts';

const PROJECT_ROOT = path.join(import.meta.dirname, '../..');

export interface ReportSources {
  /** Cucumber's message stream of the run (with the verdicts and traffic each scenario attached). */
  messagesFile: string;
  /** verdicts.json of the run: the system under test, the data set, checks reached before the suite. Optional. */
  verdictsFile?: string;
  /** Where conformance.html and junit.xml go. */
  outDir: string;
  /** Project whose checklist the coverage is shown against. */
  projectRoot?: string;
}

export interface BuiltReport {
  model: ReportModel;
  html: string;
  htmlBytes: number;
  junit: string;
  /** Lines of the message stream that were not JSON (a stream cut short). */
  badLines: number;
}

/** Writes a file whole or not at all: a reader never sees half a report, and an interrupted write leaves the previous one. */
export function writeAtomically(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.partial`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** Builds the report from the saved streams alone (the same for self, archive-under-test and rebuilt runs). */
export function buildReport(src: Omit<ReportSources, 'outDir'>): BuiltReport {
  const run = readRunStream(readFileSync(src.messagesFile, 'utf8'));
  const doc = src.verdictsFile && existsSync(src.verdictsFile) ? (JSON.parse(readFileSync(src.verdictsFile, 'utf8')) as VerdictsDoc) : undefined;
  const root = src.projectRoot ?? PROJECT_ROOT;
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const commit = gitCommit(PROJECT_ROOT);
  const model = buildModel(run, doc, { name: doc?.product.name ?? pkg.name, version: doc?.product.version ?? pkg.version, ...(commit && { commit }) });
  const html = reportPage(model, checklistView(root));
  return { model, html, htmlBytes: Buffer.byteLength(html), junit: junitXml(model), badLines: run.badLines };
}

/** Builds and writes conformance.html and junit.xml into `outDir`. */
export function writeReports(src: ReportSources): BuiltReport {
  const built = buildReport(src);
  writeAtomically(path.join(src.outDir, 'conformance.html'), built.html);
  writeAtomically(path.join(src.outDir, 'junit.xml'), built.junit);
  return built;
}
