/**
 * `qr-harness proxy` as a user runs it, between DCMTK findscu and two real archives (dcmqrscp and
 * Orthanc, each loaded with storescu): the capture it writes is decoded by Wireshark's tshark, and
 * the Orthanc session turned into a scenario (--to-scenario) is replayed by our SCP to findscu with
 * the same answers.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, peerSkip, runTool, startDcmqrscp, startOrthanc } from '../testing/peers.ts';
import type { RunningPeer } from '../testing/peers.ts';
import { writeFixture } from '../testing/part10.ts';
import { startScenarioScp } from '../testing/scenario-harness.ts';
import { tempDir } from '../testing/temp-dir.ts';

const root = path.join(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/qr-harness.mjs');
const QUERY = ['-S', '-aet', 'FINDSCU', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID', '-k', 'StudyInstanceUID', '-k', 'StudyDate', '-k', 'PatientName'];

/** What findscu printed of the responses: each response's status and identifier lines, without timestamps. */
const responses = (out: string) =>
  out
    .split('\n')
    .filter((l) => /Find Response|^I: \(|^W: \(|\) [A-Z]{2} \[/.test(l))
    .map((l) => l.replace(/^[IWE]: /, '').trim())
    .join('\n');

async function proxied(peer: RunningPeer, files: { pcap: string; scenario: string; record: string }): Promise<{ findscu: string; proxy: string }> {
  const port = await freePort();
  const proxy = spawn(process.execPath, [bin, 'proxy', '--listen', String(port), '--forward', `127.0.0.1:${peer.port}`, '--pcap', files.pcap, '--to-scenario', files.scenario, '--record', files.record], { env: { ...process.env, FORCE_COLOR: '0' } });
  let out = '';
  proxy.stdout.on('data', (c: Buffer) => (out += c));
  proxy.stderr.on('data', (c: Buffer) => (out += c));
  for (const end = Date.now() + 10_000; !/^proxy /m.test(out); await new Promise((r) => setTimeout(r, 20))) if (Date.now() > end) throw new Error(`the proxy did not start: ${out}`);
  const r = await runTool('findscu', [...QUERY, '-aec', peer.aeTitle, '127.0.0.1', String(port)]);
  assert.equal(r.code, 0, r.stderr);
  proxy.kill('SIGINT');
  await new Promise((resolve) => proxy.on('close', resolve));
  return { findscu: r.stdout + r.stderr, proxy: out };
}

function tsharkDicom(pcap: string): string {
  const r = spawnSync('tshark', ['-r', pcap, '--enable-heuristic', 'dicom_tcp', '-Y', 'dicom', '-T', 'fields', '-e', '_ws.col.Info'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('findscu → qr-harness proxy → dcmqrscp and Orthanc: captures tshark decodes, a session replayed from its scenario', { skip: peerSkip('findscu', 'storescu', 'dcmqrscp', 'Orthanc', 'tshark') }, () => {
  const peers: RunningPeer[] = [];
  const fixtures = mkdtempSync(path.join(os.tmpdir(), 'qrh-proxy-cli-'));
  writeFixture(fixtures, 6);
  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    rmSync(fixtures, { recursive: true, force: true });
  });

  for (const which of ['dcmqrscp', 'Orthanc'] as const) {
    test(`${which}: findscu answered through the proxy as directly; the capture decodes as DICOM; the recorded session replays with the same answers`, async () => {
      const peer = which === 'dcmqrscp' ? await startDcmqrscp() : await startOrthanc();
      peers.push(peer);
      const stored = await runTool('storescu', ['+sd', '-aet', 'QRHARNESS', '-aec', peer.aeTitle, peer.host, String(peer.port), fixtures], 120_000);
      assert.equal(stored.code, 0, stored.stderr);
      const dir = tempDir('proxy-cli');
      const files = { pcap: path.join(dir, 'session.pcapng'), scenario: path.join(dir, 'session.yaml'), record: path.join(dir, 'session.jsonl') };
      const direct = await runTool('findscu', [...QUERY, '-aec', peer.aeTitle, peer.host, String(peer.port)]);
      const via = await proxied(peer, files);
      assert.match(responses(direct.stdout + direct.stderr), /Find Response: 1 \(Pending\)/);
      assert.equal(responses(via.findscu), responses(direct.stdout + direct.stderr));
      assert.match(via.proxy, /scenario: 1 C-FIND\(s\) written to/);

      const decoded = tsharkDicom(files.pcap);
      assert.match(decoded, new RegExp(`A-ASSOCIATE request FINDSCU +--> ${peer.aeTitle}`));
      assert.match(decoded, /C-FIND-RQ/);
      assert.match(decoded, /C-FIND-RSP/);

      // The scenario passes the loader, and our SCP playing it answers findscu as the archive did.
      assert.ok(existsSync(files.scenario));
      const replay = await startScenarioScp(files.scenario);
      try {
        const again = await runTool('findscu', [...QUERY, '-aec', peer.aeTitle, '127.0.0.1', String(replay.port)]);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(responses(again.stdout + again.stderr), responses(direct.stdout + direct.stderr));
      } finally {
        await replay.close();
      }
    });
  }
});
