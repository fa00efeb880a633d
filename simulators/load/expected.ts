import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import type { FindModel } from '../dimse/find.ts';
import { readings } from '../conformance/oracle.ts';
import { negotiatedFrom } from '../matching/negotiation.ts';
import type { FindStep } from '../scenario/types.ts';
import { UNIQUE_KEY } from '../store/entities.ts';
import type { Store } from '../store/store.ts';

type QrLevel = keyof typeof UNIQUE_KEY;

/** One answer the standard permits: the unique key values at the query's level, and the open choices it makes. */
export interface PermittedAnswer {
  values: Set<string>;
  strict: boolean;
  choices: string[];
}

/** What an archive holding `store` may return for a query: the strict reading first, then every permitted variant. */
export interface ExpectedAnswer {
  uniqueKey: string;
  permitted: PermittedAnswer[];
}

/**
 * The answers the conformance oracle permits (PS3.4 Annex C: the strict reading, and each
 * combination of the choices the standard leaves open that changes the answer), or undefined
 * where a set of unique keys says nothing (a worklist query, an invalid identifier, a query
 * every reading refuses).
 */
export function expectedAnswer(store: Store, step: FindStep, sopClassUid: string, negotiation: Uint8Array | undefined): ExpectedAnswer | undefined {
  if (step.model === 'mwl' || step.invalid !== undefined || step.level === undefined) return undefined;
  const level = step.level as QrLevel;
  const uniqueKey = UNIQUE_KEY[level];
  if (!uniqueKey) return undefined;
  const identifier = DataSet.from({ QueryRetrieveLevel: step.level, ...(step.identifier ?? {}) } as DataSetInput);
  const permitted: PermittedAnswer[] = [];
  const seen = new Set<string>();
  for (const r of readings(store, step.model as FindModel, identifier, negotiatedFrom(sopClassUid, negotiation))) {
    if (r.outcome !== 'matches') continue;
    const key = r.keys.join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    const choices = [...r.choices.filter((c) => !r.strict).map((c) => c.label), ...r.unsupported.map((k) => `${k} not supported for matching`)];
    permitted.push({ values: new Set(r.keys), strict: r.strict, choices });
  }
  if (permitted.length === 0) return undefined;
  permitted.sort((a, b) => Number(b.strict) - Number(a.strict));
  return { uniqueKey, permitted };
}

/**
 * How a returned set differs from the nearest permitted answer (the strict reading on a tie), in
 * a few words; undefined when it is one of them.
 */
export function answerDifference(expected: ExpectedAnswer, returned: string[]): string | undefined {
  const got = new Set(returned);
  const duplicates = returned.length - got.size;
  const diff = (p: PermittedAnswer) => ({ p, missing: [...p.values].filter((v) => !got.has(v)), extra: [...got].filter((v) => !p.values.has(v)) });
  const nearest = expected.permitted.map(diff).reduce((best, d) => (d.missing.length + d.extra.length < best.missing.length + best.extra.length ? d : best));
  if (duplicates === 0 && nearest.missing.length === 0 && nearest.extra.length === 0) return undefined;
  const list = (a: string[]) => a.slice(0, 5).join(', ') + (a.length > 5 ? ` and ${a.length - 5} more` : '');
  const parts: string[] = [];
  if (nearest.missing.length) parts.push(`missing ${expected.uniqueKey} ${list(nearest.missing)}`);
  if (nearest.extra.length) parts.push(`unexpected ${expected.uniqueKey} ${list(nearest.extra)}`);
  if (duplicates) parts.push(`${duplicates} duplicate(s)`);
  const reading = nearest.p.strict ? 'PS3.4 Annex C' : `PS3.4 Annex C, the nearest permitted reading: ${nearest.p.choices.join(', ')}`;
  return `${returned.length} returned, ${nearest.p.values.size} expected (${reading}): ${parts.join('; ')}`;
}
