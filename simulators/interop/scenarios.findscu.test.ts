/**
 * DCMTK findscu (a vendor SCU) against `qr-harness serve --scenario` for every shipped scenario:
 * what findscu reports for each scripted behaviour is asserted, and what the SCP recorded
 * (`--record`). This is what a vendor-SCU test looks like; the reactions are listed in the README.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, peerSkip, runTool } from '../testing/peers.ts';

const root = path.join(import.meta.dirname, '../..');
const FINAL = /Received Final Find Response \(([^)]*)\)/;
const SYNTHETIC_STUDY = '1.2.826.0.1.3680043.9.7433.3.1.1';
const IMAGE_KEYS = ['-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${SYNTHETIC_STUDY}`, '-k', `SeriesInstanceUID=${SYNTHETIC_STUDY}.1`, '-k', 'SOPInstanceUID'];
const STUDY_KEYS = ['-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID'];

interface Served {
  port: number;
  record: () => { direction: string; name: string; command: Record<string, unknown> }[];
  stdout: () => string;
  stop: () => Promise<void>;
}

async function serve(scenario: string, dir: string): Promise<Served> {
  const port = await freePort();
  const recordFile = path.join(dir, `${path.basename(scenario, '.yaml')}.jsonl`);
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin/qr-harness.mjs'), 'serve', '--scenario', path.join(root, 'scenarios', scenario), '--port', String(port), '--record', recordFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = () => out.includes('listening') && resolve();
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return {
    port,
    record: () => readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    stdout: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function findscu(s: Served, ae: string, args: string[]) {
  const t0 = performance.now();
  const r = await runTool('findscu', ['-v', '-S', '-aet', 'FINDSCU', '-aec', ae, ...args, '127.0.0.1', String(s.port)], 60_000);
  const out = r.stdout + r.stderr;
  return { code: r.code, out, ms: performance.now() - t0, final: FINAL.exec(out)?.[1], pendings: out.match(/Find Response: \d+ \(Pending\)/g)?.length ?? 0 };
}

describe('DCMTK findscu → qr-harness serve --scenario', { skip: peerSkip('findscu') }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'qrh-scenario-findscu-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a700-after-3: three Pendings, then findscu reports "Refused: OutOfResources" — and exits 0', async () => {
    const s = await serve('a700-after-3.yaml', dir);
    try {
      const r = await findscu(s, 'QRSCP', STUDY_KEYS);
      assert.equal(r.pendings, 3);
      assert.equal(r.final, 'Refused: OutOfResources');
      assert.equal(r.code, 0, 'findscu exit code');
      const rsp = s.record().filter((m) => m.name === 'C-FIND-RSP');
      assert.equal(rsp.at(-1)!.command.ErrorComment, 'out of resources');
    } finally {
      await s.stop();
    }
  });

  test('slow-archive: findscu waits out a 300 ms AC and a 1 s first Pending without a timeout of its own', async () => {
    const s = await serve('slow-archive.yaml', dir);
    try {
      const r = await findscu(s, 'QRSCP', ['-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=1234567', '-k', 'StudyInstanceUID']);
      assert.equal(r.final, 'Success');
      assert.equal(r.pendings, 2);
      assert.ok(r.ms >= 1300 + 150, `done in ${r.ms} ms`);
    } finally {
      await s.stop();
    }
  });

  test('ignore-cancel: findscu --cancel 3 sends C-CANCEL, keeps reading all 40 Pendings and accepts 0000 without a word', async () => {
    const s = await serve('ignore-cancel.yaml', dir);
    try {
      const r = await findscu(s, 'QRSCP', ['--cancel', '3', ...IMAGE_KEYS]);
      assert.match(r.out, /Sending Cancel Request \(MsgID 1, PresID 1\)/);
      assert.equal(r.pendings, 40);
      assert.equal(r.final, 'Success');
      assert.doesNotMatch(r.out, /^W:/m);
      const names = s.record().map((m) => m.name);
      assert.equal(names.indexOf('C-CANCEL-RQ'), 4, 'the cancel came after 3 Pendings');
    } finally {
      await s.stop();
    }
  });

  test('orthanc-like: after a cancel, 2 more Pendings and an FE00 with an Identifier — findscu warns and ignores it', async () => {
    const s = await serve('orthanc-like.yaml', dir);
    try {
      const r = await findscu(s, 'ORTHANC', ['--cancel', '3', ...IMAGE_KEYS]);
      assert.equal(r.pendings, 5);
      assert.equal(r.final, 'Cancel: MatchingTerminatedDueToCancelRequest');
      assert.match(r.out, /Status Cancel: MatchingTerminatedDueToCancelRequest, but DataSetType!=NULL/);
    } finally {
      await s.stop();
    }
  });

  test('reject-unknown-ae: an unknown calling AE title is rejected 1/1/3 and findscu exits non-zero', async () => {
    const s = await serve('reject-unknown-ae.yaml', dir);
    try {
      const r = await runTool('findscu', ['-v', '-S', '-aet', 'STRANGER', '-aec', 'QRSCP', '127.0.0.1', String(s.port), ...STUDY_KEYS]);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /Reason: Calling AE Title Not Recognized/);
      const ok = await findscu(s, 'QRSCP', STUDY_KEYS);
      assert.equal(ok.final, 'Success');
      assert.match(s.stdout(), /rejected scp-1: rejected-permanent, DICOM UL service-user, calling-AE-title-not-recognized/);
    } finally {
      await s.stop();
    }
  });

  test('seed-scp: no Query/Retrieve Level → C000 with its Error Comment; a cancel is honoured with FE00', async () => {
    const s = await serve('seed-scp.yaml', dir);
    try {
      const r = await findscu(s, 'QRSCP', ['-k', 'StudyInstanceUID']);
      assert.equal(r.final, 'Failed: UnableToProcess');
      const c = await findscu(s, 'QRSCP', ['--cancel', '2', ...STUDY_KEYS]);
      assert.equal(c.final, 'Cancel: MatchingTerminatedDueToCancelRequest');
      assert.ok(c.pendings <= 3);
    } finally {
      await s.stop();
    }
  });

  for (const scenario of ['well-behaved.yaml', 'dcmqrscp-like.yaml', 'seed-scu.yaml', 'failures.yaml']) {
    test(`${scenario}: answers the seed's query`, async () => {
      const s = await serve(scenario, dir);
      try {
        const ae = scenario === 'dcmqrscp-like.yaml' ? 'DCMQRSCP' : 'QRSCP';
        const r = await runTool('findscu', ['-v', '-P', '-aec', ae, '127.0.0.1', String(s.port), '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName=CITIZEN^Jan', '-k', 'PatientID']);
        assert.match(r.stdout + r.stderr, /Received Final Find Response \(Success\)/);
        assert.equal((r.stdout + r.stderr).match(/\(Pending\)/g)?.length, 1);
      } finally {
        await s.stop();
      }
    });
  }

  test('failures: findscu names A900, C123 and 0122; a Warning B000 (undefined for C-FIND) is an "Unknown Status"', async () => {
    const s = await serve('failures.yaml', dir);
    try {
      const got: Record<string, string | undefined> = {};
      for (const id of ['FAIL-A900', 'FAIL-C123', 'FAIL-0122', 'FAIL-B000']) got[id] = (await findscu(s, 'QRSCP', [...STUDY_KEYS, '-k', `PatientID=${id}`])).final;
      assert.deepEqual(got, {
        'FAIL-A900': 'Error: DataSetDoesNotMatchSOPClass',
        'FAIL-C123': 'Failed: UnableToProcess',
        'FAIL-0122': 'Refused: SOPClassNotSupported',
        'FAIL-B000': 'Unknown Status: 0xb000',
      });
    } finally {
      await s.stop();
    }
  });

  describe('hostile: how findscu reacts to each wire fault', () => {
    let s: Served;
    before(async () => {
      s = await serve('hostile.yaml', dir);
    });
    after(() => s.stop());
    const cases: [string, RegExp, number][] = [
      ['FAULT-MSGID', /DIMSE: Unexpected Response MsgId: 2 \(expected: 1\)/, 0],
      ['FAULT-SOPCLASS', /Received Final Find Response \(Success\)/, 2],
      ['FAULT-CONTEXT', /ASC Bad presentation context ID/, 0],
      ['FAULT-FINALID', /Status Success, but DataSetType!=NULL/, 1],
      ['FAULT-TS', /DIMSE receiveDataSetInMemory: dset->read\(\) Failed/, 0],
      ['FAULT-FRAGMENTS', /DIMSE_parseCmdObject: Missing CommandField/, 0],
      ['EXTREME-FRAGMENTS', /Received Final Find Response \(Success\)/, 1],
      ['FAULT-OVERSIZE', /DUL Illegal PDU Length \d+\.\s+Max expected 16384/, 0],
      ['FAULT-TRUNCATED', /DUL network closed/, 1],
      ['FAULT-UNKNOWN', /Unrecognized PDU type:\s+a/, 1],
      ['FAULT-ABORT', /Peer Aborted Association/, 2],
      ['FAULT-CLOSE', /DUL network closed/, 1],
      ['FAULT-RELEASE', /Peer requested release \(Aborting\)/, 1],
      ['FAULT-STATUS', /Received Final Find Response \(Unknown Status: 0x42\)/, 1],
    ];
    for (const [id, reaction, pendings] of cases) {
      test(`${id}: findscu says ${reaction.source.replace(/\\/g, '')}`, async () => {
        const r = await findscu(s, 'QRSCP', [...STUDY_KEYS, '-k', `PatientID=${id}`]);
        assert.match(r.out, reaction);
        assert.equal(r.pendings, pendings, r.out);
        // findscu's exit code stays 0 whatever went wrong on the wire.
        assert.equal(r.code, 0);
      });
    }
  });
});
