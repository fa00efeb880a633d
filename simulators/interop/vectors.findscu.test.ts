/**
 * `qr-harness serve --store` answers DCMTK findscu for every shared matching vector. findscu
 * proposes no extended negotiation, so vectors that need it are judged by their `if_declined`
 * outcome. Queries go as Part 10 query files (so any character set travels byte-exactly) and the
 * responses come back through findscu --extract.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { DataSet } from '../dataset/data-set.ts';
import { freePort, peerSkip, runTool } from '../testing/peers.ts';
import { readDataSetFile, writeDataSetFile } from '../testing/part10.ts';
import type { VectorDoc, VectorQuery } from '../matching/vectors/vector-store.ts';

const root = path.join(import.meta.dirname, '../..');
const doc = parse(readFileSync(path.join(root, 'simulators/matching/vectors/matching-vectors.yaml'), 'utf8')) as VectorDoc;
const UNIQUE: Record<string, string> = { PATIENT: 'PatientID', STUDY: 'StudyInstanceUID', SERIES: 'SeriesInstanceUID', IMAGE: 'SOPInstanceUID' };
const MODEL_FLAG: Record<string, string> = { PatientRoot: '-P', StudyRoot: '-S', MWL: '-W' };
const SOP: Record<string, string> = { PatientRoot: '1.2.840.10008.5.1.4.1.2.1.1', StudyRoot: '1.2.840.10008.5.1.4.1.2.2.1', MWL: '1.2.840.10008.5.1.4.31' };
const FINAL = /Received Final Find Response \(([^)]*)\)/;

function finalCode(words: string): string {
  if (words === 'Success') return '0000';
  if (/DataSetDoesNotMatchSOPClass/.test(words)) return 'A900';
  if (/UnableToProcess|Failed/.test(words)) return 'C000';
  return words;
}

describe('DCMTK findscu → qr-harness serve --store (every shared vector)', { skip: peerSkip('findscu') }, () => {
  let child: ChildProcess;
  let port: number;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-vectors-'));
    port = await freePort();
    child = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), 'serve', '-q', '--port', String(port), '--store', path.join(root, 'scenarios/stores/matching-vectors.yaml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => c.toString().includes('listening') && resolve());
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
  });
  after(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const q of doc.queries) {
    test(`${q.id}: ${q.rule}`, async () => {
      const work = mkdtempSync(path.join(dir, `${q.id}-`));
      const identifier = DataSet.from((q.model === 'MWL' ? q.identifier : { QueryRetrieveLevel: q.level, ...q.identifier }) as never);
      const queryFile = path.join(work, 'query.dcm');
      await writeDataSetFile(queryFile, identifier, SOP[q.model]!);
      const r = await runTool('findscu', ['-v', MODEL_FLAG[q.model]!, '-X', '-od', work, '-aec', 'QRSCP', '127.0.0.1', String(port), queryFile]);
      const out = r.stdout + r.stderr;
      const m = FINAL.exec(out);
      assert.ok(m, `no final response:\n${out}`);
      const final = finalCode(m[1]!);
      const keys: string[] = [];
      for (const f of readdirSync(work).filter((n) => n.startsWith('rsp')).sort()) {
        const ds = await readDataSetFile(path.join(work, f));
        keys.push(q.model === 'MWL' ? ds.items('ScheduledProcedureStepSequence')![0]!.text('ScheduledProcedureStepID')! : ds.text(UNIQUE[q.level!]!)!);
      }
      keys.sort();
      // No extended negotiation from findscu: a vector that needs it is judged by its declined outcome.
      const declined = q.if_declined ? (q.if_declined.same_as ? doc.queries.find((x) => x.id === q.if_declined!.same_as)! : ({ ...q, ...q.if_declined } as VectorQuery)) : q;
      const spec = q.ext_neg ? declined : q;
      const strict = (spec.conformance ?? 'implementation-defined') === 'strict' && spec.expected;
      if (strict) {
        assert.equal(final, '0000', `${q.id}: final ${m[1]}`);
        assert.deepEqual(keys, [...spec.expected!].sort());
      } else if (final !== '0000') {
        assert.ok((spec.acceptable_final_status ?? []).some((s) => s === final || (s === 'Cxxx' && final.startsWith('C'))), `${q.id}: final ${m[1]}`);
      } else {
        for (const k of spec.must_include ?? []) assert.ok(keys.includes(k), `${q.id}: ${k} must be returned`);
        for (const k of keys) assert.ok((spec.must_include ?? []).includes(k) || (spec.may_include ?? []).includes(k), `${q.id}: ${k} is outside must + may`);
      }
    });
  }
});
