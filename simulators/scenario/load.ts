import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { entryForKeyword, parseTag } from '../dataset/dictionary.ts';
import { statusClass } from '../dimse/status.ts';
import { PROFILES } from '../matching/profile.ts';
import { loadDicomFolder } from '../store/dicom-folder.ts';
import { Store, StoreError } from '../store/store.ts';
import { syntheticStore } from '../store/synthetic.ts';
import { loadYamlStore, readStoreNode, yamlSyntaxProblems } from '../store/yaml-store.ts';
import { HarnessError } from '../wire/errors.ts';
import { SCENARIO_SCHEMA } from './scenario-schema.ts';
import { parseStatus, position, validate } from './schema-dsl.ts';
import type { Schema, SchemaProblem } from './schema-dsl.ts';
import type { Scenario } from './types.ts';

/** A scenario that cannot run: every problem, with file:line:column and what was expected. */
export class ScenarioError extends HarnessError {
  readonly code = 'SCENARIO_INVALID';
  constructor(readonly problems: SchemaProblem[]) {
    super(problems.map((p) => `${p.where}: ${p.message}`).join('\n'));
  }
}

interface Parsed {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: Record<string, unknown>;
}

function parseFile(file: string, problems: SchemaProblem[], top: boolean): Parsed | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push({ where: file, message: code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? (e as Error).message}` });
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: true });
  problems.push(...yamlSyntaxProblems(doc, file, lines));
  if (doc.errors.length) return undefined;
  const at = (n: Node | null | undefined) => position(file, lines, n);
  const schema: Schema = top ? SCENARIO_SCHEMA : { ...SCENARIO_SCHEMA, props: { ...(SCENARIO_SCHEMA as { props: Record<string, { schema: Schema }> }).props, name: { schema: { kind: 'string' } } } } as Schema;
  const before = problems.length;
  problems.push(...validate(doc.contents as Node, schema, at, '', (k) => entryForKeyword(k) !== undefined || parseTag(k) !== undefined, doc));
  if (problems.length > before) return undefined;
  return { file, doc, lines, value: (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Record<string, unknown> };
}

/** What the standard makes impossible, or what contradicts itself, with where it is. */
function checkMeaning(p: Parsed, problems: SchemaProblem[]): void {
  const at = (...keys: (string | number)[]) => position(p.file, p.lines, p.doc.getIn(keys, true) as Node | undefined);
  const scp = p.value.scp as Record<string, unknown> | undefined;
  const delays = (v: unknown, ...where: (string | number)[]) => {
    if (Array.isArray(v) && v[0] > v[1]) problems.push({ where: at(...where), message: `a random delay [${v[0]}, ${v[1]}] needs min ≤ max` });
  };
  if (scp?.profile !== undefined && !PROFILES[scp.profile as string]) {
    problems.push({ where: at('scp', 'profile'), message: `unknown profile "${scp.profile}"; expected one of ${Object.keys(PROFILES).join(', ')}` });
  }
  ((scp?.association as Record<string, unknown>[] | undefined) ?? []).forEach((rule, i) => {
    if ((rule.reject === undefined) === (rule.accept === undefined)) problems.push({ where: at('scp', 'association', i), message: 'an association rule says either reject or accept' });
  });
  ((scp?.behaviours as Record<string, unknown>[] | undefined) ?? []).forEach((b, i) => {
    const steps = (b.respond as Record<string, unknown>[]) ?? [];
    let finalAt = -1;
    steps.forEach((step, j) => {
      const here = ['scp', 'behaviours', i, 'respond', j];
      if (finalAt >= 0) {
        const what = 'cancel' in step ? 'a cancel rule' : Object.keys(step)[0];
        problems.push({ where: at(...here), message: `${what} after the final response (step ${finalAt + 1}) can never happen: nothing follows a final response (PS3.7 9.3.2.4)` });
      }
      if ('final' in step) {
        finalAt = j;
        const status = parseStatus(step.final)!;
        const cls = statusClass(status);
        const hex = status.toString(16).toUpperCase().padStart(4, '0');
        if (cls === 'Pending') problems.push({ where: at(...here, 'final'), message: `${hex} is a Pending status: a final response is Success, Cancel, Warning or Failure (use a pending step for ${hex})` });
        if (cls === 'Unknown' && step.anyStatus !== true) {
          problems.push({ where: at(...here, 'final'), message: `${hex} belongs to no status class (PS3.7 Annex C); add "anyStatus: true" to send it as a deliberate fault` });
        }
        for (const [k, e] of ((step.offendingElement as string[] | undefined) ?? []).entries()) {
          if (parseTag(e) === undefined) problems.push({ where: at(...here, 'offendingElement', k), message: `"${e}" is not a keyword or (gggg,eeee) tag` });
        }
      }
      if ('pending' in step && step.status !== undefined && statusClass(parseStatus(step.status)!) !== 'Pending') {
        problems.push({ where: at(...here, 'status'), message: 'a Pending response has status FF00 or FF01' });
      }
      if ('delayMs' in step) delays(step.delayMs, ...here, 'delayMs');
    });
    if (steps.length === 0) problems.push({ where: at('scp', 'behaviours', i, 'respond'), message: 'respond needs at least one step' });
  });
  const scu = p.value.scu as { steps?: Record<string, unknown>[] } | undefined;
  const checkSteps = (steps: Record<string, unknown>[], ...where: (string | number)[]) =>
    steps.forEach((step, i) => {
      const find = step.find as Record<string, unknown> | undefined;
      if (!find) return;
      if (find.model === 'mwl' && find.level !== undefined) problems.push({ where: at(...where, i, 'find', 'level'), message: 'a Modality Worklist query has no level (PS3.4 K.1.1)' });
      if (find.model !== 'mwl' && find.level === undefined && find.invalid !== 'noLevel') problems.push({ where: at(...where, i, 'find'), message: 'a Query/Retrieve query needs a level' });
    });
  checkSteps(scu?.steps ?? [], 'scu', 'steps');
  const mix = (p.value.load as { mix?: { steps?: Record<string, unknown>[] }[] } | undefined)?.mix ?? [];
  mix.forEach((m, j) => checkSteps(m.steps ?? [], 'load', 'mix', j, 'steps'));
}

type Json = Record<string, unknown>;

/** Included first, this file wins; behaviour and association rules of this file come before the included ones. */
function merge(base: Json, top: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(top)) {
    const b = base[k];
    if ((k === 'behaviours' || k === 'association') && Array.isArray(b) && Array.isArray(v)) out[k] = [...v, ...b];
    else if (b && v && typeof b === 'object' && typeof v === 'object' && !Array.isArray(b) && !Array.isArray(v)) out[k] = merge(b as Json, v as Json);
    else out[k] = v;
  }
  return out;
}

function collect(file: string, problems: SchemaProblem[], stack: string[]): Parsed[] {
  const abs = path.resolve(file);
  if (stack.includes(abs)) {
    problems.push({ where: stack.at(-1)!, message: `include cycle: ${[...stack, abs].map((f) => path.basename(f)).join(' → ')}` });
    return [];
  }
  const p = parseFile(abs, problems, stack.length === 0);
  if (!p) return [];
  checkMeaning(p, problems);
  const out: Parsed[] = [];
  for (const [i, inc] of ((p.value.include as string[] | undefined) ?? []).entries()) {
    const target = path.resolve(path.dirname(abs), inc);
    if (!existsSync(target)) {
      problems.push({ where: position(abs, p.lines, p.doc.getIn(['include', i], true) as Node), message: `included file ${inc} does not exist` });
      continue;
    }
    out.push(...collect(target, problems, [...stack, abs]));
  }
  out.push(p);
  return out;
}

function loadStoreOf(p: Parsed, store: Store, problems: SchemaProblem[]): void {
  const s = p.value.store as Json | undefined;
  if (!s) return;
  const dir = path.dirname(p.file);
  try {
    if (s.patients !== undefined || s.worklist !== undefined) readStoreNode(p.doc.getIn(['store'], true) as Node, p.file, p.lines, store, ['files', 'dicomDirs', 'synthetic']);
    for (const f of (s.files as string[] | undefined) ?? []) loadYamlStore(path.resolve(dir, f), store);
    for (const d of (s.dicomDirs as string[] | undefined) ?? []) {
      const report = loadDicomFolder(path.resolve(dir, d), store);
      if (report.loaded === 0) problems.push({ where: p.file, message: `store.dicomDirs: no DICOM instance could be read in ${d} (${report.files} files)` });
    }
    const synth = s.synthetic as Json | undefined;
    if (synth) {
      syntheticStore(
        { patients: synth.patients as number, studiesPerPatient: (synth.studies as number) ?? 1, seriesPerStudy: (synth.series as number) ?? 1, instancesPerSeries: (synth.instances as number) ?? 1, ...(synth.seed !== undefined && { seed: synth.seed as number }) },
        store,
      );
    }
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    problems.push(...e.problems);
  }
}

/** Statuses written as "0xA700" / "A700" become numbers. */
function normalise(value: Json): Json {
  const scp = value.scp as Json | undefined;
  for (const b of (scp?.behaviours as Json[] | undefined) ?? []) {
    for (const step of (b.respond as Json[]) ?? []) {
      if ('final' in step) step.final = parseStatus(step.final);
      if ('pending' in step && step.status !== undefined) step.status = parseStatus(step.status);
    }
  }
  const scu = value.scu as Json | undefined;
  const mix = ((value.load as Json | undefined)?.mix as Json[] | undefined) ?? [];
  for (const step of [...((scu?.steps as Json[] | undefined) ?? []), ...mix.flatMap((m) => (m.steps as Json[] | undefined) ?? [])]) {
    const expect = (step.find as Json | undefined)?.expect as Json | undefined;
    if (expect?.final !== undefined) expect.final = parseStatus(expect.final);
  }
  return value;
}

/**
 * Loads and validates a scenario file (and what it includes). Nothing runs from a file with a
 * problem: a typo is an error naming file, line and column, never a silent default.
 */
export function loadScenario(file: string): Scenario {
  const problems: SchemaProblem[] = [];
  const parts = collect(file, problems, []);
  if (problems.length) throw new ScenarioError(problems);
  const store = new Store();
  for (const p of parts) loadStoreOf(p, store, problems);
  if (problems.length) throw new ScenarioError(problems);
  let merged: Json = {};
  for (const p of parts) merged = merge(merged, p.value);
  normalise(merged);
  const scp = merged.scp as Json | undefined;
  return {
    name: merged.name as string,
    ...(merged.description !== undefined && { description: merged.description as string }),
    file: path.resolve(file),
    store,
    ...(scp && { scp: { aeTitle: 'QRSCP', ...scp } as Scenario['scp'] }),
    ...(merged.scu !== undefined && { scu: merged.scu as Scenario['scu'] }),
    ...(merged.load !== undefined && { load: merged.load as Scenario['load'] }),
  };
}
