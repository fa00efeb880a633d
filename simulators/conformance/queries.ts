import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import { entryForKeyword } from '../dataset/dictionary.ts';
import { Priority } from '../dimse/command-fields.ts';
import { FIND_MODELS } from '../dimse/find.ts';
import type { FindModel } from '../dimse/find.ts';
import { HarnessError } from '../wire/errors.ts';
import type { Offer } from './target.ts';

/** One conformance query of features/data/conformance-queries.yaml. */
export interface ConformanceQuery {
  id: string;
  title: string;
  model: FindModel;
  level?: string;
  identifier: Record<string, unknown>;
  offer?: Offer;
  priority?: 'low' | 'medium' | 'high';
  rules: string[];
  checklist: number[];
}

export class QueriesError extends HarnessError {
  readonly code = 'CONFORMANCE_QUERIES_INVALID';
}

const OFFERS = new Set(['relational', 'dateTime', 'fuzzy', 'timezone', 'emptyValue', 'multipleValue']);

function keywordsOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keywordsOf(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.push(k), keywordsOf(x, out));
  return out;
}

/** Reads and checks the queries: unique ids, known models and levels, dictionary keywords. */
export function loadQueries(file: string): ConformanceQuery[] {
  const doc = parse(readFileSync(file, 'utf8')) as { queries?: ConformanceQuery[] };
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const q of doc.queries ?? []) {
    if (seen.has(q.id)) problems.push(`${q.id}: the id is used twice`);
    seen.add(q.id);
    if (!(q.model in FIND_MODELS)) problems.push(`${q.id}: unknown model "${q.model}"`);
    else if (q.model !== 'mwl' && !(FIND_MODELS[q.model].levels as readonly string[]).includes(q.level ?? '')) problems.push(`${q.id}: level "${q.level}" is not one of ${q.model}'s`);
    for (const k of keywordsOf(q.identifier)) if (!entryForKeyword(k)) problems.push(`${q.id}: "${k}" is not a keyword of the data dictionary`);
    for (const k of Object.keys(q.offer ?? {})) if (!OFFERS.has(k)) problems.push(`${q.id}: unknown extended negotiation "${k}"`);
    if (!Array.isArray(q.rules) || !Array.isArray(q.checklist)) problems.push(`${q.id}: rules and checklist are lists`);
  }
  if (problems.length) throw new QueriesError(`${file}: ${problems.join('; ')}`);
  return doc.queries ?? [];
}

/** The identifier a query sends: its keys, with the Query/Retrieve Level for Q/R models. */
export function identifierOf(q: ConformanceQuery): DataSet {
  return DataSet.from((q.model === 'mwl' ? q.identifier : { QueryRetrieveLevel: q.level, ...q.identifier }) as DataSetInput);
}

export function priorityOf(q: ConformanceQuery): number {
  return q.priority === 'high' ? Priority.HIGH : q.priority === 'low' ? Priority.LOW : Priority.MEDIUM;
}
