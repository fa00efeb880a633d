import fs from 'node:fs';
import path from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { parse as parseYaml } from 'yaml';
import { CONFORMANCE_QUERIES } from '../../simulators/conformance/run-parameters.ts';

/**
 * The conformance checklist (features/CHECKLIST.md) as data, and which scenarios prove each item:
 * a scenario covers item N when it carries the tag `@checklist-N` — on itself, or inherited from its
 * Feature, Rule or Examples table — or when the conformance query it sends
 * (features/data/conformance-queries.yaml) cites N in its `checklist`, as the query's verdict does.
 * Items no scenario covers say why in features/checklist-uncovered.yaml.
 */

export const CHECKLIST_FILE = 'features/CHECKLIST.md';
export const UNCOVERED_FILE = 'features/checklist-uncovered.yaml';
export const FEATURES_DIR = 'features';
export const QUERIES_FILE = CONFORMANCE_QUERIES;

/**
 * The step that sends a conformance query (steps/archive.steps.ts: 'the SCU sends conformance query {word}').
 * The query a scenario runs is read from this step as cucumber compiles it — an outline row's value put in
 * place of `<query>` — so it is the id the step receives, whatever the column's place or the scenario's name.
 */
export const QUERY_STEP = /^the SCU sends conformance query (\S+)$/;

/** One numbered item of the checklist. */
export interface ChecklistItem {
  number: number;
  /** The bold lead of the item, without its closing period or colon (its first sentence when it has no bold lead). */
  title: string;
  /** The part heading, e.g. "A. Upper layer protocol (PS3.8)". */
  part: string;
  /** The part's letter, e.g. "A". */
  partLetter: string;
  /** The subsection heading, e.g. "A.1 Transport and timers"; the part heading for parts without subsections (B, D). */
  section: string;
  /** The item's whole text, markdown kept, without its number and continuation indent. */
  text: string;
  /** It marks an implementation-defined choice (`[ID]`, `[ID policy]`, …): report it, do not fail on it. */
  implementationDefined: boolean;
  /** The references the item names with their part, e.g. "PS3.8 9.1.1", "PS3.4 Table C.4-1", in order, once each. */
  references: string[];
}

/** A scenario that covers an item, as cucumber runs it (one per row of an Examples table). */
export interface CoveredBy {
  /** The scenario's name, placeholders of an outline filled in. */
  scenario: string;
  feature: string;
  /** The feature file, relative to the project root, with forward slashes. */
  file: string;
  /** The line cucumber runs it from: the scenario's, or the Examples row's for an outline. */
  line: number;
  /** Every tag it carries, inherited ones included (`@self`, `@scp-under-test`, `@checklist-N`, …). */
  tags: string[];
  /** The conformance queries it sends (`When the SCU sends conformance query QR-01`), in order. */
  queries: string[];
}

export interface ItemCoverage {
  scenarios: CoveredBy[];
  /** Why no scenario covers the item (from features/checklist-uncovered.yaml); only for uncovered items. */
  uncoveredWhy?: string;
}

export interface ChecklistCoverage {
  items: ChecklistItem[];
  /** Every item's number → its coverage. */
  coverage: Map<number, ItemCoverage>;
  /** Scenarios sending a conformance query that features/data/conformance-queries.yaml does not hold (their step would fail). */
  unknownQueries: { query: string; file: string; line: number }[];
}

const PART_HEADING = /^## ([A-Z])\. /;
const SECTION_HEADING = /^### /;
const ITEM_START = /^(\d+)\. /;

/** The items of the checklist's markdown, in the order written. */
export function parseChecklist(markdown: string): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  let part = '';
  let partLetter = '';
  let section = '';
  let current: { number: number; indent: number; lines: string[]; part: string; partLetter: string; section: string } | undefined;
  const finish = () => {
    if (!current) return;
    const text = current.lines.join('\n').trim();
    items.push({
      number: current.number,
      title: titleOf(text),
      part: current.part,
      partLetter: current.partLetter,
      section: current.section,
      text,
      implementationDefined: /\[ID\b[^\]]*\]/.test(text),
      references: referencesIn(text, /\((PS3\.\d+(?: Annex [A-Z])?)\)$/.exec(current.part)?.[1]),
    });
    current = undefined;
  };
  for (const line of markdown.split(/\r?\n/)) {
    const partMatch = PART_HEADING.exec(line);
    if (partMatch) {
      finish();
      part = line.slice(3).trim();
      partLetter = partMatch[1]!;
      section = part;
      continue;
    }
    if (SECTION_HEADING.test(line)) {
      finish();
      section = line.slice(4).trim();
      continue;
    }
    const start = ITEM_START.exec(line);
    if (start) {
      finish();
      current = { number: Number(start[1]), indent: start[0].length, lines: [line.slice(start[0].length)], part, partLetter, section };
      continue;
    }
    if (!current) continue;
    // An item goes on while its lines are indented; blank lines inside it (before a table) are kept.
    if (line.trim() === '') current.lines.push('');
    else if (/^\s/.test(line)) current.lines.push(dedent(line, current.indent));
    else finish();
  }
  finish();
  return items;
}

function dedent(line: string, indent: number): string {
  let i = 0;
  while (i < indent && line[i] === ' ') i++;
  return line.slice(i);
}

function titleOf(text: string): string {
  const bold = /^\*\*(.+?)\*\*/.exec(text);
  const lead = bold ? bold[1]! : (/^(.+?\.)(?:\s|$)/s.exec(text)?.[1] ?? text);
  return lead.replace(/\s+/g, ' ').trim().replace(/[.:]$/, '').trim();
}

// A section, table or annex of a part: "9.1.1", "C.4.1.3.1", "Table 9-11", "Tables D.1-1", "Annex D".
const SECTION_ID = String.raw`(?:(?:Tables?\s+)?(?:[A-Z][.\-]\d+|\d+)(?:[.\-][0-9A-Za-z]+)*|Annex\s+[A-Z](?:\.\d+)*)`;
const REFERENCE = new RegExp(String.raw`PS3\.(\d+)\s+(${SECTION_ID}(?:,\s*${SECTION_ID})*)`, 'g');
// A bare section id opening a segment of a parenthesis: "(9.1.5)", "(C.2.2.2.1; …)", "(…; Table 9-10 …)".
// Numbers without a dot or dash ("(0008,0052)") are not sections.
const BARE_ID = /^(?:Tables?\s+)?(?:\d+(?:\.\d+)+|\d+-\d+|[A-Z](?:\.\d+)+(?:-\d+)?)(?:[.\-][0-9A-Za-z]+)*/;

/**
 * The references an item names, each with its part ("PS3.8 9.1.1", "PS3.4 Table C.4-1"), in order, once each.
 * A bare id in parentheses takes the part named before it in the same parentheses, else the part heading's
 * (`partDocument`, e.g. "PS3.8", or "PS3.4 Annex C", which claims only ids of that annex); otherwise it is left out.
 */
export function referencesIn(text: string, partDocument = ''): string[] {
  const found: [number, string][] = [];
  for (const m of text.matchAll(REFERENCE)) {
    let table = false;
    for (const id of m[2]!.split(/,\s*/)) {
      // "Tables C.6.1-1, C.6.2-1": the second is a table too.
      table = /^Tables?\s/.test(id) || (table && id.includes('-'));
      found.push([m.index!, `PS3.${m[1]} ${tableId(id, table)}`]);
    }
  }
  const heading = /^PS3\.(\d+)(?:\s+Annex\s+([A-Z]))?$/.exec(partDocument);
  for (const group of text.matchAll(/\(([^()]*)\)/g)) {
    let part: string | undefined;
    let table = false;
    let offset = group.index! + 1;
    for (const segment of group[1]!.split(/([;,])/)) {
      const at = offset;
      offset += segment.length;
      const explicit = /PS3\.(\d+)/.exec(segment);
      if (explicit) { part = explicit[1]; continue; }
      const id = BARE_ID.exec(segment.trim())?.[0];
      if (!id) continue;
      const letter = /^(?:Tables?\s+)?([A-Z])\./.exec(id)?.[1];
      const inferred = part ?? (heading && (heading[2] ? letter === heading[2] : !letter) ? heading[1] : undefined);
      table = /^Tables?\s/.test(id) || (table && id.includes('-'));
      if (inferred) found.push([at, `PS3.${inferred} ${tableId(id, table)}`]);
    }
  }
  const out: string[] = [];
  for (const [, ref] of found.sort((a, b) => a[0] - b[0])) if (!out.includes(ref)) out.push(ref);
  return out;
}

function tableId(id: string, table: boolean): string {
  const bare = id.replace(/^Tables?\s+/, '').replace(/\s+/g, ' ');
  return table ? `Table ${bare}` : bare;
}

/** Every scenario of the feature files under `dir`, as cucumber compiles them (outline rows apart, tags inherited). */
export function scenariosIn(projectRoot: string, dir = FEATURES_DIR): CoveredBy[] {
  const out: CoveredBy[] = [];
  for (const file of featureFiles(path.join(projectRoot, dir))) {
    const uri = path.relative(projectRoot, file).split(path.sep).join('/');
    const newId = IdGenerator.incrementing();
    const document = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(fs.readFileSync(file, 'utf8'));
    const feature = document.feature;
    if (!feature) continue;
    const lines = new Map<string, number>();
    const note = (node: { id: string; location: { line: number } }) => lines.set(node.id, node.location.line);
    const noteScenario = (s: { id: string; location: { line: number }; examples: readonly { tableBody: readonly { id: string; location: { line: number } }[] }[] }) => {
      note(s);
      for (const ex of s.examples) ex.tableBody.forEach(note);
    };
    for (const child of feature.children) {
      if (child.scenario) noteScenario(child.scenario);
      for (const c of child.rule?.children ?? []) if (c.scenario) noteScenario(c.scenario);
    }
    for (const pickle of compile(document, uri, newId)) {
      out.push({
        scenario: pickle.name,
        feature: feature.name,
        file: uri,
        line: lines.get(pickle.astNodeIds.at(-1)!) ?? 0,
        tags: pickle.tags.map((t) => t.name),
        queries: pickle.steps.flatMap((step) => QUERY_STEP.exec(step.text)?.[1] ?? []),
      });
    }
  }
  return out;
}

function featureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...featureFiles(full));
    else if (entry.name.endsWith('.feature')) out.push(full);
  }
  return out;
}

/** The item numbers a scenario's tags name (`@checklist-32` → 32). */
export function checklistNumbers(tags: readonly string[]): number[] {
  return tags.flatMap((t) => {
    const m = /^@checklist-(\d+)$/.exec(t);
    return m ? [Number(m[1])] : [];
  });
}

/** features/checklist-uncovered.yaml: item number → why no scenario covers it. */
export function readUncoveredReasons(projectRoot: string): Map<number, string> {
  const doc = parseYaml(fs.readFileSync(path.join(projectRoot, UNCOVERED_FILE), 'utf8')) as Record<string, unknown> | null;
  const out = new Map<number, string>();
  for (const [key, why] of Object.entries(doc ?? {})) {
    if (!/^\d+$/.test(key) || typeof why !== 'string' || why.trim() === '') throw new Error(`${UNCOVERED_FILE}: "${key}" must be an item number with a reason`);
    out.set(Number(key), why.trim());
  }
  return out;
}

/**
 * features/data/conformance-queries.yaml: query id → the checklist items it cites (`checklist: [65, 80]`).
 * A project without the file has no queries.
 */
export function readQueryCitations(projectRoot: string): Map<string, number[]> {
  const file = path.join(projectRoot, QUERIES_FILE);
  const out = new Map<string, number[]>();
  if (!fs.existsSync(file)) return out;
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) as { queries?: unknown } | null;
  const queries = doc?.queries ?? [];
  if (!Array.isArray(queries)) throw new Error(`${QUERIES_FILE}: "queries" must be a list`);
  for (const q of queries as { id?: unknown; checklist?: unknown }[]) {
    const id = q?.id;
    if (typeof id !== 'string' || id === '') throw new Error(`${QUERIES_FILE}: a query without an id`);
    const cited = q.checklist ?? [];
    if (!Array.isArray(cited) || !cited.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${QUERIES_FILE}: ${id}: "checklist" must be a list of item numbers`);
    if (out.has(id)) throw new Error(`${QUERIES_FILE}: ${id}: the id is used twice`);
    out.set(id, cited as number[]);
  }
  return out;
}

/** The items a scenario covers: those its tags name, then those the conformance queries it sends cite; once each. */
export function itemsCoveredBy(scenario: Pick<CoveredBy, 'tags' | 'queries'>, citations: ReadonlyMap<string, readonly number[]>): number[] {
  return [...new Set([...checklistNumbers(scenario.tags), ...scenario.queries.flatMap((q) => citations.get(q) ?? [])])];
}

/** The checklist's items, and for each the scenarios that cover it or why none does. */
export function checklistCoverage(projectRoot: string): ChecklistCoverage {
  const items = parseChecklist(fs.readFileSync(path.join(projectRoot, CHECKLIST_FILE), 'utf8'));
  const reasons = readUncoveredReasons(projectRoot);
  const citations = readQueryCitations(projectRoot);
  const coverage = new Map<number, ItemCoverage>(items.map((i) => [i.number, { scenarios: [] }]));
  const unknownQueries: ChecklistCoverage['unknownQueries'] = [];
  for (const scenario of scenariosIn(projectRoot)) {
    for (const n of itemsCoveredBy(scenario, citations)) coverage.get(n)?.scenarios.push(scenario);
    for (const q of scenario.queries) if (!citations.has(q)) unknownQueries.push({ query: q, file: scenario.file, line: scenario.line });
  }
  for (const [n, c] of coverage) {
    const why = reasons.get(n);
    if (c.scenarios.length === 0 && why) c.uncoveredWhy = why;
  }
  return { items, coverage, unknownQueries };
}
