import { DataSet } from '../../dataset/data-set.ts';
import type { DataSetInput } from '../../dataset/data-set.ts';
import { vrInfo } from '../../dataset/vr.ts';
import type { FindHandler, FindResult } from '../find-service.ts';

/**
 * A small in-memory answerer: flat records (one per entity, with its QueryRetrieveLevel), matched
 * on every key of the identifier — zero length is universal, '*' and '?' are wild cards in text
 * VRs, anything else must be equal — and answered with the requested keys only. The full PS3.4
 * Annex C engine is the store's; this one serves protocol tests and long synthetic streams.
 */
export function recordsFindHandler(records: readonly DataSetInput[], o: { retrieveAeTitle?: string } = {}): FindHandler {
  const sets = records.map((r) => DataSet.from(r));
  return function* (request): Iterable<FindResult> {
    const q = request.identifier;
    const level = q.text('QueryRetrieveLevel');
    if (level === undefined && request.model !== 'mwl') {
      // PS3.4 C.4.1.1.3: a Q/R identifier carries its Query/Retrieve Level.
      yield [0xa900, null, { offendingElement: [0x00080052], errorComment: 'Query/Retrieve Level (0008,0052) is missing' }];
      return;
    }
    const keys = q.elements().filter((e) => e.tag !== 0x00080052 && e.tag !== 0x00080005);
    for (const record of sets) {
      // Worklist items have no level; Q/R records answer only at theirs.
      if (level === undefined ? record.has('QueryRetrieveLevel') : record.text('QueryRetrieveLevel') !== level) continue;
      let ok = true;
      for (const k of keys) {
        if (k.bytes.length === 0 || k.items) continue;
        const want = q.text(k.tag) ?? '';
        const have = record.text(k.tag);
        if (have === undefined || !matches(want, have, vrInfo(k.vr)?.text === true && k.vr !== 'UI')) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const answer = new DataSet();
      if (q.has('SpecificCharacterSet') || record.has('SpecificCharacterSet')) answer.put({ ...(record.element('SpecificCharacterSet') ?? q.element('SpecificCharacterSet')!) });
      if (level !== undefined) answer.set('QueryRetrieveLevel', level);
      for (const k of keys) {
        const e = record.element(k.tag);
        answer.put(e ? { ...e, offset: undefined } : { tag: k.tag, vr: k.vr, bytes: Buffer.alloc(0) });
      }
      if (o.retrieveAeTitle && level !== undefined) answer.set('RetrieveAETitle', o.retrieveAeTitle);
      yield [0xff00, answer];
    }
  };
}

function matches(pattern: string, value: string, wildcards: boolean): boolean {
  if (!wildcards || !/[*?]/.test(pattern)) return pattern === value;
  const re = new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'su');
  return re.test(value);
}
