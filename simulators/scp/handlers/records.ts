import { DataSet } from '../../dataset/data-set.ts';
import type { DataSetInput } from '../../dataset/data-set.ts';
import { IdentifierWriter } from '../../dataset/identifier-writer.ts';
import type { PlannedElement } from '../../dataset/identifier-writer.ts';
import { vrInfo } from '../../dataset/vr.ts';
import type { FindHandler, FindResult } from '../find-service.ts';

const QUERY_RETRIEVE_LEVEL = 0x00080052;
const SPECIFIC_CHARACTER_SET = 0x00080005;
const RETRIEVE_AE_TITLE = 0x00080054;

interface Condition {
  tag: number;
  test: (value: string) => boolean;
}

/**
 * A small in-memory answerer: flat records (one per entity, with its QueryRetrieveLevel), matched
 * on every key of the identifier — zero length is universal, '*' and '?' are wild cards in text
 * VRs, anything else must be equal — and answered with the requested keys only. The full PS3.4
 * Annex C engine is the store's; this one serves protocol tests and long synthetic streams.
 */
export function recordsFindHandler(records: readonly DataSetInput[], o: { retrieveAeTitle?: string } = {}): FindHandler {
  const sets = records.map((r) => DataSet.from(r));
  const texts = new WeakMap<DataSet, Map<number, string | undefined>>();
  const textOf = (record: DataSet, tag: number): string | undefined => {
    let m = texts.get(record);
    if (!m) texts.set(record, (m = new Map()));
    if (!m.has(tag)) m.set(tag, record.text(tag));
    return m.get(tag);
  };
  const retrieveAe = o.retrieveAeTitle === undefined ? undefined : DataSet.from({ RetrieveAETitle: o.retrieveAeTitle }).element('RetrieveAETitle')!.bytes;

  return function* (request): Iterable<FindResult> {
    const q = request.identifier;
    const level = q.text('QueryRetrieveLevel');
    if (level === undefined && request.model !== 'mwl') {
      // PS3.4 C.4.1.1.3: a Q/R identifier carries its Query/Retrieve Level.
      yield [0xa900, null, { offendingElement: [QUERY_RETRIEVE_LEVEL], errorComment: 'Query/Retrieve Level (0008,0052) is missing' }];
      return;
    }
    const keys = q.elements().filter((e) => e.tag !== QUERY_RETRIEVE_LEVEL && e.tag !== SPECIFIC_CHARACTER_SET);
    const conditions: Condition[] = [];
    for (const k of keys) {
      if (k.bytes.length === 0 || k.items) continue;
      const want = q.text(k.tag) ?? '';
      const wild = vrInfo(k.vr)?.text === true && k.vr !== 'UI' && /[*?]/.test(want);
      if (wild) {
        const re = new RegExp(`^${[...want].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'su');
        conditions.push({ tag: k.tag, test: (v) => re.test(v) });
      } else {
        conditions.push({ tag: k.tag, test: (v) => v === want });
      }
    }
    const plan: PlannedElement[] = keys.map((k) => ({ tag: k.tag, vr: k.vr }));
    if (level !== undefined) plan.push({ tag: QUERY_RETRIEVE_LEVEL, vr: 'CS', fixed: q.element(QUERY_RETRIEVE_LEVEL)!.bytes });
    if (retrieveAe && level !== undefined && !keys.some((k) => k.tag === RETRIEVE_AE_TITLE)) plan.push({ tag: RETRIEVE_AE_TITLE, vr: 'AE', fixed: retrieveAe });
    const plain = new IdentifierWriter(plan, request.transferSyntax);
    const withCharset = new IdentifierWriter([...plan, { tag: SPECIFIC_CHARACTER_SET, vr: 'CS' }], request.transferSyntax);
    for (const record of sets) {
      // Worklist items have no level; Q/R records answer only at theirs.
      if (level === undefined ? record.has('QueryRetrieveLevel') : textOf(record, QUERY_RETRIEVE_LEVEL) !== level) continue;
      let ok = true;
      for (const c of conditions) {
        const have = textOf(record, c.tag);
        if (have === undefined || !c.test(have)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      // PS3.4 C.4.1.1.3.2: a response with non-default text carries its Specific Character Set.
      const writer = record.has(SPECIFIC_CHARACTER_SET) ? withCharset : plain;
      yield [0xff00, writer.write((tag) => record.element(tag))];
    }
  };
}
