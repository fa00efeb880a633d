import { DataSet } from '../dataset/data-set.ts';
import type { DataSetInput } from '../dataset/data-set.ts';
import type { FindModel } from '../dimse/find.ts';
import { execute } from '../matching/engine.ts';
import { negotiatedFrom } from '../matching/negotiation.ts';
import { STRICT } from '../matching/profile.ts';
import { parseQuery } from '../matching/query.ts';
import type { FindStep } from '../scenario/types.ts';
import { UNIQUE_KEY } from '../store/entities.ts';
import type { Store } from '../store/store.ts';

type QrLevel = keyof typeof UNIQUE_KEY;

/** What a correct archive holding `store` returns for a query: the unique key values at its level. */
export interface ExpectedAnswer {
  uniqueKey: string;
  values: Set<string>;
}

/**
 * The answer our matching engine (strict profile) computes from the store, or undefined where a
 * set of unique keys says nothing (a worklist query, an invalid identifier, a refused query).
 */
export function expectedAnswer(store: Store, step: FindStep, sopClassUid: string, negotiation: Uint8Array | undefined): ExpectedAnswer | undefined {
  if (step.model === 'mwl' || step.invalid !== undefined || step.level === undefined) return undefined;
  const level = step.level as QrLevel;
  const uniqueKey = UNIQUE_KEY[level];
  if (!uniqueKey) return undefined;
  const identifier = DataSet.from({ QueryRetrieveLevel: step.level, ...(step.identifier ?? {}) } as DataSetInput);
  const query = parseQuery(identifier, step.model as FindModel, store, negotiatedFrom(sopClassUid, negotiation), STRICT);
  if ('status' in query) return undefined;
  const values = new Set<string>();
  for (const e of execute(store, query, STRICT)) {
    const v = e.values[uniqueKey];
    if (typeof v === 'string') values.add(v);
  }
  return { uniqueKey, values };
}

/** How a returned set differs from the expected one, in a few words; undefined when they are equal. */
export function answerDifference(expected: ExpectedAnswer, returned: string[]): string | undefined {
  const got = new Set(returned);
  const missing = [...expected.values].filter((v) => !got.has(v));
  const extra = [...got].filter((v) => !expected.values.has(v));
  if (missing.length === 0 && extra.length === 0 && got.size === returned.length) return undefined;
  const list = (a: string[]) => a.slice(0, 5).join(', ') + (a.length > 5 ? ` and ${a.length - 5} more` : '');
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${expected.uniqueKey} ${list(missing)}`);
  if (extra.length) parts.push(`unexpected ${expected.uniqueKey} ${list(extra)}`);
  if (got.size !== returned.length) parts.push(`${returned.length - got.size} duplicate(s)`);
  return `${returned.length} returned, ${expected.values.size} expected: ${parts.join('; ')}`;
}
