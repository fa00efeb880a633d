/**
 * Every vector of matching-vectors.yaml through the real SCP and SCU over a socket, for every
 * matching profile: strict vectors give exactly `expected`; implementation-defined ones stay
 * between must_include and must_include + may_include (or end with an acceptable failure), and
 * each profile lands where the independent reference model says its choices lead.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DimseClient } from '../scu/dimse-client.ts';
import type { FindResponse } from '../scu/find-operation.ts';
import { Scp } from '../scp/scp.ts';
import { storeFindHandler } from '../scp/handlers/store.ts';
import { loadYamlStore } from '../store/yaml-store.ts';
import type { Store } from '../store/store.ts';
import { answerFindExtendedNegotiation } from './negotiation.ts';
import { PROFILES } from './profile.ts';
import type { MatchingProfile } from './profile.ts';
import { referenceResult } from './vectors/reference-model.ts';
import type { Knobs } from './vectors/reference-model.ts';
import { nestedStoreYaml } from './vectors/vector-store.ts';
import type { VectorDoc, VectorQuery } from './vectors/vector-store.ts';

const doc = parse(readFileSync(path.join(import.meta.dirname, 'vectors/matching-vectors.yaml'), 'utf8')) as VectorDoc;
const SOP: Record<string, string> = { PatientRoot: 'patient', StudyRoot: 'study', MWL: 'mwl' };
const UNIQUE: Record<string, string> = { PATIENT: 'PatientID', STUDY: 'StudyInstanceUID', SERIES: 'SeriesInstanceUID', IMAGE: 'SOPInstanceUID' };
const EXT_BYTES = ['relational', 'datetime', 'fuzzy', 'timezone', 'enhanced_mf', 'empty_value', 'multi_value'];

function knobs(p: MatchingProfile): Knobs {
  return {
    pnCi: p.pnCaseInsensitive,
    pnComp: p.pnTrailingComponentsWild,
    mv: p.multiValueWithoutNegotiation === 'and' ? 'AND' : 'OR',
    hier: p.nonBaselineHierarchical === 'relational' ? 'relational' : 'none',
    upper: p.upperLevelKeys === 'match' ? 'match' : 'ignore',
    leadSp: p.leadingSpacesSignificant,
    isNum: p.isNumeric,
    emptySeq: p.emptySequenceMatches,
    otherCs: p.transcodeQueryCharacterSet,
  };
}

interface Outcome {
  keys: string[];
  final: number;
  responses: FindResponse[];
}

function uniqueOf(q: VectorQuery, r: FindResponse): string {
  if (q.model === 'MWL') return r.identifier!.items('ScheduledProcedureStepSequence')![0]!.text('ScheduledProcedureStepID')!;
  return r.identifier!.text(UNIQUE[q.level!]!)!;
}

async function run(store: Store, profile: MatchingProfile, q: VectorQuery, negotiate: boolean): Promise<Outcome> {
  const scp = new Scp({
    aeTitle: 'QRSCP',
    find: { handler: storeFindHandler(store, { profile, retrieveAeTitle: 'QRSCP' }) },
    policy: { extendedNegotiation: answerFindExtendedNegotiation(negotiate ? { relational: true, dateTime: true, emptyValue: true, multipleValue: true } : {}) },
  });
  const port = await scp.listen(0);
  try {
    const sop = { patient: '1.2.840.10008.5.1.4.1.2.1.1', study: '1.2.840.10008.5.1.4.1.2.2.1', mwl: '1.2.840.10008.5.1.4.31' }[SOP[q.model]! as 'patient'];
    const ext = q.ext_neg ? Uint8Array.from(EXT_BYTES.map((b) => (q.ext_neg![b] ? 1 : 0))) : undefined;
    const client = await DimseClient.connect({
      host: '127.0.0.1',
      port,
      calledAeTitle: 'QRSCP',
      callingAeTitle: 'VECTORS',
      presentationContexts: [{ abstractSyntax: sop, transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] }],
      ...(ext && { extendedNegotiations: [{ sopClassUid: sop, applicationInformation: ext }] }),
    });
    const identifier = q.model === 'MWL' ? q.identifier : { QueryRetrieveLevel: q.level, ...q.identifier };
    const responses = await client.find(SOP[q.model]!, identifier as never).collect();
    await client.release();
    return { keys: responses.filter((r) => !r.final).map((r) => uniqueOf(q, r)).sort(), final: responses.at(-1)!.status, responses };
  } finally {
    await scp.close();
  }
}

function acceptableFinal(list: string[] | undefined, status: number): boolean {
  const hex = status.toString(16).toUpperCase().padStart(4, '0');
  return (list ?? []).some((s) => s === hex || (s === 'Cxxx' && hex.startsWith('C')));
}

/** Response content rules of the vectors and of PS3.4 C.4.1.1.3.2 / checklist item 100. */
function checkResponses(q: VectorQuery, o: Outcome): void {
  for (const r of o.responses) assert.deepEqual(r.problems, [], `${q.id}: ${r.problems.join('; ')}`);
  const allowed = new Set([...Object.keys(q.identifier), 'QueryRetrieveLevel', 'SpecificCharacterSet', 'RetrieveAETitle', 'PatientID', 'StudyInstanceUID', 'SeriesInstanceUID']);
  for (const r of o.responses.filter((x) => !x.final)) {
    for (const k of Object.keys(r.identifier!.toObject())) assert.ok(allowed.has(k), `${q.id}: ${k} was not requested`);
    if (q.model !== 'MWL') {
      assert.equal(r.identifier!.text('QueryRetrieveLevel'), q.level, `${q.id}: Query/Retrieve Level`);
      assert.equal(r.identifier!.text('RetrieveAETitle'), 'QRSCP', `${q.id}: Retrieve AE Title`);
    }
  }
  const by = (key: string) => o.responses.find((r) => !r.final && uniqueOf(q, r) === key)?.identifier;
  if (q.id === 'QR-01') {
    assert.equal(by('PAT004')!.isZeroLength('PatientName'), true, 'PAT004 PatientName present, zero length');
    assert.equal(by('PAT003')!.text('PatientName'), 'Müller^Jürgen');
    assert.ok(by('PAT003')!.has('SpecificCharacterSet'));
  }
  if (q.id === 'QR-08') assert.equal(by('PAT003')!.text('PatientName'), 'Müller^Jürgen');
  if (q.id === 'QR-39') for (const k of o.keys) assert.equal(by(k)!.text('PatientID'), 'PAT001');
  if (q.id === 'QR-42') for (const k of o.keys) assert.equal(by(k)!.text('StudyInstanceUID'), '2.25.1001');
  if (q.id === 'MWL-04') assert.equal(by('SPS3')!.isZeroLength('AccessionNumber'), true);
  if (q.id === 'MWL-06') assert.equal(by('SPS2')!.items('ScheduledProcedureStepSequence')![0]!.text('ScheduledStationAETitle'), 'MR01', 'the empty item returns the whole sequence');
}

describe('matching vectors through the real SCP and SCU', () => {
  let store: Store;
  before(() => {
    store = loadYamlStore('matching-vectors (store)', undefined, nestedStoreYaml(doc));
  });
  after(() => {});

  for (const [name, profile] of Object.entries(PROFILES)) {
    for (const q of doc.queries) {
      const optional = (q.requires ?? []).filter((r) => r.startsWith('optional-key:')).map((r) => r.slice('optional-key:'.length));
      const unsupported = optional.filter((k) => profile.optionalKeys !== 'match' || profile.unsupportedKeys.includes(k));
      const skip = unsupported.length ? `profile ${name} does not match on ${unsupported.join(', ')}; the vector assumes it does` : false;
      test(`${name} · ${q.id}: ${q.rule}`, { skip }, async () => {
        const ext = q.ext_neg ?? {};
        const o = await run(store, profile, q, true);
        const spec = q;
        if (spec.conformance === 'strict') {
          assert.deepEqual(o.keys, [...spec.expected!].sort(), `${q.id}`);
          assert.equal(o.final, 0, `${q.id} final status`);
          checkResponses(q, o);
        } else if (o.final !== 0) {
          assert.ok(acceptableFinal(spec.acceptable_final_status, o.final), `${q.id}: final ${o.final.toString(16)} is not acceptable`);
          assert.deepEqual(o.keys, []);
        } else {
          const must = new Set(spec.must_include ?? []);
          const may = new Set(spec.may_include ?? []);
          for (const m of must) assert.ok(o.keys.includes(m), `${q.id}: ${m} must be returned`);
          for (const k of o.keys) assert.ok(must.has(k) || may.has(k), `${q.id}: ${k} is outside must + may`);
          assert.deepEqual(o.keys, [...referenceResult(doc, q, knobs(profile), ext)].sort(), `${q.id}: the profile's documented choices give another set`);
          checkResponses(q, o);
        }
        if (q.if_declined) {
          const declined = await run(store, profile, q, false);
          const alt = q.if_declined.same_as ? doc.queries.find((x) => x.id === q.if_declined!.same_as)! : { ...q, ...q.if_declined };
          if ((alt.conformance ?? 'implementation-defined') === 'strict' && alt.expected) {
            assert.deepEqual(declined.keys, [...alt.expected].sort(), `${q.id} declined`);
          } else if (declined.final !== 0) {
            assert.ok(acceptableFinal(alt.acceptable_final_status, declined.final), `${q.id} declined: final ${declined.final.toString(16)}`);
          } else {
            assert.deepEqual(declined.keys, [...referenceResult(doc, q, knobs(profile), {})].sort(), `${q.id} declined`);
          }
        }
      });
    }
  }
});
